// The broker-wide count of answer bytes clients have not taken (services/answerMemory.ts).
import { describe, expect, it } from 'vitest';
import { AnswerMemory, ConnectionAnswers } from '../src/services/answerMemory.js';

describe('answer memory', () => {
  it('counts what connections hold until each write completes or the connection closes, never twice', () => {
    const memory = new AnswerMemory(1000, 100);
    const a = new ConnectionAnswers(memory);
    const b = new ConnectionAnswers(memory);
    const a1 = a.hold(300);
    const a2 = a.hold(200);
    b.hold(400);
    expect(memory.queuedBytes).toBe(900);
    expect(memory.fetchLimit(10_000)).toBe(100); // 100 left, and never below the least a fetch may ask
    a1();
    expect(memory.queuedBytes).toBe(600);
    a.releaseAll(); // a's socket closed with 200 bytes unwritten
    expect(memory.queuedBytes).toBe(400);
    a2(); // a late write callback of the closed connection
    a.releaseAll();
    expect(memory.queuedBytes).toBe(400);
    b.releaseAll();
    expect(memory.queuedBytes).toBe(0);
    expect(memory.fetchLimit(10_000)).toBe(1000);
    expect(memory.fetchLimit(50)).toBe(50);
  });
});
