// The broker-wide count of answer bytes clients have not taken (services/answerMemory.ts).
import { describe, expect, it } from 'vitest';
import { AnswerMemory, ConnectionShare, RequestMemory } from '../src/services/answerMemory.js';

describe('answer memory', () => {
  it('counts what connections hold until each write completes or the connection closes, never twice', () => {
    const memory = new AnswerMemory(1000, 100);
    const a = new ConnectionShare(memory);
    const b = new ConnectionShare(memory);
    const a1 = a.hold(300);
    const a2 = a.hold(200);
    b.hold(400);
    expect(memory.queuedBytes).toBe(900);
    expect(limitNow(memory, 10_000)).toBe(100); // 100 left, and never below the least a fetch may ask
    a1();
    expect(memory.queuedBytes).toBe(600);
    a.releaseAll(); // a's socket closed with 200 bytes unwritten
    expect(memory.queuedBytes).toBe(400);
    a2(); // a late write callback of the closed connection
    a.releaseAll();
    expect(memory.queuedBytes).toBe(400);
    b.releaseAll();
    expect(memory.queuedBytes).toBe(0);
    expect(limitNow(memory, 10_000)).toBe(1000);
    expect(limitNow(memory, 50)).toBe(50);
  });

  it('fetches read at the same time share what is left of the cap, each until it releases', () => {
    const memory = new AnswerMemory(1000, 100);
    new ConnectionShare(memory).hold(300);
    const a = memory.reserveFetch(500);
    const b = memory.reserveFetch(500);
    const c = memory.reserveFetch(500);
    expect([a.limit, b.limit, c.limit]).toEqual([500, 200, 100]); // 700 left, then 200, then the floor
    b.release();
    b.release(); // once only
    expect(limitNow(memory, 500)).toBe(100);
    a.release();
    c.release();
    expect(limitNow(memory, 5000)).toBe(700);
  });
});

/** The limit a fetch would get now, without keeping the reservation. */
function limitNow(memory: AnswerMemory, maxBytes: number): number {
  const r = memory.reserveFetch(maxBytes);
  r.release();
  return r.limit;
}

describe('request memory', () => {
  it('past the cap, a connection holding requests stops reading until they are answered or the total is under half; one holding little always reads', () => {
    const memory = new RequestMemory(1000, 50);
    const a = new ConnectionShare(memory);
    const b = new ConnectionShare(memory);
    a.add(600);
    b.add(500);
    expect(memory.heldBytes).toBe(1100);
    expect(memory.full(a.bytes)).toBe(true);
    expect(memory.full(0)).toBe(false); // a new connection reads its first request
    expect(memory.full(50)).toBe(false); // one with a small request in flight (a long poll) reads the next
    expect(memory.roomFor(a.bytes)).toBe(false);
    b.add(-500); // b's request answered: b holds none and reads again
    expect(memory.roomFor(b.bytes)).toBe(true);
    expect(memory.full(a.bytes)).toBe(false);
    expect(memory.roomFor(a.bytes)).toBe(false); // 600 > half the cap: a waits for its own answers
    a.add(-200);
    expect(memory.roomFor(a.bytes)).toBe(true);
  });

  it('a closed connection gives back what it held, once, and late answers change nothing', () => {
    const memory = new RequestMemory(1000);
    const a = new ConnectionShare(memory);
    a.add(300);
    a.add(200);
    a.releaseAll();
    expect(memory.heldBytes).toBe(0);
    a.add(-300); // a request of the closed connection finishing later
    a.releaseAll();
    expect(memory.heldBytes).toBe(0);
  });
});
