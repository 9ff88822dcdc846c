// ProducerStateTable: sequence checks, duplicates of the last 5 batches, epochs, and the
// transaction bookkeeping behind the last stable offset and read_committed's aborted list.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import { ProducerStateTable, type BatchProducerInfo } from '../../src/log/producerState.js';

const data = (producerId: number, epoch: number, firstSeq: number, count: number, transactional = false): BatchProducerInfo => ({
  producerId,
  epoch,
  firstSeq,
  count,
  transactional,
  controlType: -1,
});
const marker = (producerId: number, epoch: number, commit: boolean): BatchProducerInfo => ({
  producerId,
  epoch,
  firstSeq: -1,
  count: 1,
  transactional: true,
  controlType: commit ? 1 : 0,
});

/** Appends like the log: check, then reserve at the end and publish. Returns the offsets (original ones for a duplicate). */
function append(t: ProducerStateTable, end: { next: number }, b: BatchProducerInfo): { base: number; last: number; dup: boolean } {
  const dup = t.check(b);
  if (dup) return { base: dup.base, last: dup.last, dup: true };
  const base = end.next;
  const last = base + b.count - 1;
  t.reserve(b, base, last, 0);
  t.publish();
  end.next = last + 1;
  return { base, last, dup: false };
}

const codeOf = (fn: () => unknown): number => {
  try {
    fn();
  } catch (e) {
    return (e as { code: number }).code;
  }
  return 0;
};

describe('ProducerStateTable', () => {
  it('answers a retry of any of the last 5 batches with its original offsets, and refuses gaps and older epochs', () => {
    const t = new ProducerStateTable();
    const end = { next: 0 };
    for (let i = 0; i < 6; i++) expect(append(t, end, data(7, 0, i * 3, 3)).base).toBe(i * 3);
    expect(append(t, end, data(7, 0, 3, 3))).toEqual({ base: 3, last: 5, dup: true }); // 2nd of 6: still in the window
    expect(codeOf(() => t.check(data(7, 0, 0, 3)))).toBe(ErrorCode.DUPLICATE_SEQUENCE_NUMBER); // 1st: fell out of the window
    expect(codeOf(() => t.check(data(7, 0, 21, 3)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER); // 18 expected
    expect(codeOf(() => t.check(data(7, 0, 15, 2)))).toBe(ErrorCode.DUPLICATE_SEQUENCE_NUMBER); // same start, other count
    expect(codeOf(() => t.check(data(7, 1, 5, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER); // a new epoch starts at 0
    expect(append(t, end, data(7, 1, 0, 1)).dup).toBe(false);
    expect(codeOf(() => t.check(data(7, 0, 18, 1)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => t.check(data(7, 0, 18, 1, true)))).toBe(ErrorCode.PRODUCER_FENCED);
    expect(append(t, end, data(9, 0, 42, 1)).dup).toBe(false); // an unknown producer starts anywhere
  });

  it('a failed write leaves no trace: the same batch is checked again as new', () => {
    const t = new ProducerStateTable();
    t.reserve(data(1, 0, 0, 2), 0, 1, 0);
    expect(t.check(data(1, 0, 0, 2))).not.toBeNull(); // pending counts for later batches of the same flush
    t.discardPending();
    expect(t.check(data(1, 0, 0, 2))).toBeNull();
  });

  it('tracks open transactions (the last stable offset) and aborted ones (for read_committed)', () => {
    const t = new ProducerStateTable();
    const end = { next: 0 };
    append(t, end, data(1, 0, 0, 2)); // 0-1 plain
    append(t, end, data(2, 0, 0, 3, true)); // 2-4 txn of producer 2
    append(t, end, data(3, 0, 0, 1, true)); // 5 txn of producer 3
    expect(t.lastStableOffset(end.next)).toBe(2);
    append(t, end, marker(2, 0, false)); // 6: abort producer 2
    expect(t.lastStableOffset(end.next)).toBe(5);
    append(t, end, marker(3, 0, true)); // 7: commit producer 3
    expect(t.lastStableOffset(end.next)).toBe(8);
    expect(t.abortedIn(0, 8)).toEqual([{ producerId: 2, firstOffset: 2, lastOffset: 6 }]);
    expect(t.abortedIn(7, 8)).toEqual([]);
    expect(t.abortedIn(0, 2)).toEqual([]);
    expect([...t.openTransactions()]).toEqual([]);
    t.trim(7);
    expect(t.abortedIn(0, 8)).toEqual([]);
  });

  it("a newer epoch over a transaction still open counts as its abort: the new epoch's COMMIT does not commit the fenced records", () => {
    const t = new ProducerStateTable();
    const end = { next: 0 };
    append(t, end, data(4, 0, 0, 2, true)); // 0-1: a transaction of epoch 0 that no marker ended
    expect(t.lastStableOffset(end.next)).toBe(0);
    append(t, end, data(4, 1, 0, 1, true)); // 2: epoch 1 (fenced the old one) starts its own
    expect(t.lastStableOffset(end.next)).toBe(2);
    append(t, end, marker(4, 1, true)); // 3: epoch 1 commits
    expect(t.lastStableOffset(end.next)).toBe(4);
    expect(t.abortedIn(0, 4)).toEqual([{ producerId: 4, firstOffset: 0, lastOffset: 1 }]);
    expect([...t.openTransactions()]).toEqual([]);
  });

  it('replaying the same batches (recovery) rebuilds the same answers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pid: fc.integer({ min: 0, max: 3 }), count: fc.integer({ min: 1, max: 4 }), retry: fc.boolean(), txEnd: fc.constantFrom(-1, 0, 1) }), {
          maxLength: 60,
        }),
        (steps) => {
          const live = new ProducerStateTable();
          const end = { next: 0 };
          const written: Array<{ b: BatchProducerInfo; base: number; last: number }> = [];
          const nextSeq = new Map<number, number>();
          const last = new Map<number, BatchProducerInfo>();
          for (const s of steps) {
            if (s.txEnd >= 0) {
              const b = marker(s.pid, 0, s.txEnd === 1);
              const r = append(live, end, b);
              written.push({ b, base: r.base, last: r.last });
              continue;
            }
            const prev = last.get(s.pid);
            const b = s.retry && prev ? prev : data(s.pid, 0, nextSeq.get(s.pid) ?? 0, s.count, s.pid % 2 === 0);
            const r = append(live, end, b);
            if (r.dup) {
              // A duplicate is always the previous batch of that producer, answered with its offsets.
              const orig = written.filter((w) => w.b === b).pop()!;
              expect([r.base, r.last]).toEqual([orig.base, orig.last]);
              continue;
            }
            written.push({ b, base: r.base, last: r.last });
            nextSeq.set(s.pid, b.firstSeq + b.count);
            last.set(s.pid, b);
          }
          const replayed = new ProducerStateTable();
          for (const w of written) replayed.replay(w.b, w.base, w.last, 0);
          expect(replayed.lastStableOffset(end.next)).toBe(live.lastStableOffset(end.next));
          expect(replayed.abortedIn(0, end.next)).toEqual(live.abortedIn(0, end.next));
          for (const [pid, b] of last) expect(replayed.check(b)).toEqual(live.check(b));
          for (const [pid, seq] of nextSeq) expect(replayed.check(data(pid, 0, seq, 1))).toBeNull();
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
