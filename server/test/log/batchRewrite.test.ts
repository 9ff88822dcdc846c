// The cleaner's work on one batch (log/batchRewrite.ts): what a batch holds, summarized for the
// cleaner's decisions, and the batch rewritten with only the records kept, which must read back
// as exactly those records at their own offsets, with the batch's header fields and codec.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPRESSION_MASK, decodeBatch, encodeBatch, validateBatch } from '@brook/protocol';
import { registerKafkaCodecs } from '@brook/protocol/codecs';
import { rewriteBatch, summarizeBatch } from '../../src/log/batchRewrite.js';

beforeAll(() => registerKafkaCodecs());

const record = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 12 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 6 }), value: fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null }) }), { maxLength: 2 }),
});

describe('batchRewrite', () => {
  it('summarizes every record, and a rewrite keeps exactly the offsets asked for (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (records, compression, baseOffset, keepMask) => {
          const batch = encodeBatch({ baseOffset, producerId: 7, producerEpoch: 2, baseSequence: 11, compression, records });
          const s = summarizeBatch(batch, {});
          expect(s.header.baseOffset).toBe(baseOffset);
          expect(s.offsets).toEqual(records.map((_, i) => baseOffset + i));
          expect(s.keys).toEqual(records.map((r) => (r.key === null ? null : Buffer.from(r.key).toString('latin1'))));
          expect(Array.from(s.tombstones)).toEqual(records.map((r) => (r.value === null ? 1 : 0)));
          expect(s.timestamps).toEqual(records.map((r) => r.timestamp));

          const keep = s.offsets.filter((_, i) => keepMask[i]);
          if (keep.length === 0) keep.push(s.offsets.at(-1)!);
          const out = rewriteBatch(batch, keep, {});
          const d = decodeBatch(out.data);
          expect(validateBatch(out.data).size).toBe(out.data.length);
          expect(d.records.map((r) => r.offset)).toEqual(keep);
          const kept = keep.map((o) => records[o - baseOffset]!);
          expect(d.records.map((r) => [r.key, r.value, r.timestamp, r.headers])).toEqual(kept.map((r) => [r.key, r.value, r.timestamp, r.headers]));
          expect(out.count).toBe(keep.length);
          expect(out.maxTimestamp).toBe(Math.max(...kept.map((r) => r.timestamp)));
          const h = decodeBatch(batch).header;
          expect(d.header).toMatchObject({ baseOffset, lastOffsetDelta: h.lastOffsetDelta, producerId: 7, producerEpoch: 2, baseSequence: 11 });
          // Its own codec (all four compress in Node).
          expect(d.header.attributes & COMPRESSION_MASK).toBe(compression);
          // With the records its summary decoded on this thread: the same bytes, decoded once.
          expect(Buffer.from(rewriteBatch(batch, keep, {}, s).data).equals(Buffer.from(out.data))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
