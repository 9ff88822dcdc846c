// The TCP frame splitter and the request/response framing around the declarations.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../src/io.js';
import { FetchResponse, RecordSet, decodeResponseBody, decodeServerFrame, encodeResponse, joinRecords, kafka } from '../../src/index.js';

// toEqual walks a Uint8Array element by element (seconds for these sizes on a slow machine);
// this compares with memcmp and still names where two byte strings part.
const expectSameBytes = (actual: Uint8Array, expected: Uint8Array) => {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.length);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.length);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  expect({ length: a.length, firstDifferenceAt: at }).toEqual({ length: b.length, firstDifferenceAt: -1 });
};

describe('FrameSplitter', () => {
  it('splits any chunking of a stream into the frames that were sent', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 }), (frames, cuts) => {
        const stream: number[] = [];
        for (const f of frames) stream.push((f.length >>> 24) & 0xff, (f.length >>> 16) & 0xff, (f.length >>> 8) & 0xff, f.length & 0xff, ...f);
        const s = new kafka.FrameSplitter(1024);
        const out: number[][] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          for (const fr of s.push(Uint8Array.from(stream.slice(at, at + n)))) out.push(Array.from(fr));
          at += n;
        }
        expect(out).toEqual(frames.map((f) => Array.from(f)));
        expect(s.pending).toBe(0);
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('refuses a 2 GB size prefix as soon as its 4 bytes arrive', () => {
    const s = new kafka.FrameSplitter();
    expect(s.push(Uint8Array.from([0x7f, 0xff]))).toEqual([]);
    expect(() => s.push(Uint8Array.from([0xff, 0xff]))).toThrow(ProtocolError);
  });

  it('refuses negative sizes and sizes above the limit', () => {
    expect(() => new kafka.FrameSplitter().push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toThrow(ProtocolError);
    expect(() => new kafka.FrameSplitter(100).push(Uint8Array.from([0, 0, 0, 101]))).toThrow(/outside/);
    expect(new kafka.FrameSplitter(100).push(Uint8Array.from([0, 0, 0, 100]))).toEqual([]);
  });
});

describe('response frames in pieces', () => {
  const partition = (partitionIndex: number, records: Uint8Array) => ({
    partitionIndex, errorCode: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, records,
  });
  it('are byte for byte the whole frame, with large record sets referenced instead of copied', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 11, 12, 16),
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 16 * 1024, max: 70_000 }).map((n) => new Uint8Array(n).fill(n & 0xff))), { maxLength: 5 }),
        (version, sets) => {
          const body = {
            throttleTimeMs: 0, errorCode: 0, sessionId: 0, nodeEndpoints: [],
            responses: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: sets.map((r, i) => partition(i, r)) }],
          };
          const whole = kafka.encodeKafkaResponse('Fetch', version, 7, body as never);
          const pieces = kafka.encodeKafkaResponseChunks('Fetch', version, 7, body as never);
          const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
          pieces.reduce((at, p) => (joined.set(p, at), at + p.length), 0);
          expectSameBytes(joined, whole);
          // every large record set is one of the pieces itself (no copy)
          for (const r of sets) if (r.length >= 16 * 1024) expect(pieces).toContain(r);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });
});

describe('record sets (a fetch answer\'s batches not joined)', () => {
  const piecesArb = fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 16 * 1024, max: 40_000 }).map((n) => new Uint8Array(n).fill(n & 0xff))), { maxLength: 5 });
  const joined = (pieces: Uint8Array[]) => {
    const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    pieces.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  it('encode on the Kafka door exactly as the joined bytes, pieces of 16 KiB and more referenced', () => {
    fc.assert(
      fc.property(fc.constantFrom(4, 11, 12, 16), piecesArb, (version, pieces) => {
        const body = (records: unknown) => ({
          throttleTimeMs: 0, errorCode: 0, sessionId: 0, nodeEndpoints: [],
          responses: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, records }] }],
        });
        const set = RecordSet.of(pieces);
        expectSameBytes(joinRecords(set), joined(pieces));
        const whole = kafka.encodeKafkaResponse('Fetch', version, 7, body(joined(pieces)) as never);
        expectSameBytes(kafka.encodeKafkaResponse('Fetch', version, 7, body(set) as never), whole);
        const chunks = kafka.encodeKafkaResponseChunks('Fetch', version, 7, body(set) as never);
        expectSameBytes(joined(chunks), whole);
        for (const p of pieces) if (p.length >= 16 * 1024) expect(chunks).toContain(p);
      }),
      { numRuns: 60, seed: 12 },
    );
  });

  it('encode on the WebSocket door exactly as the joined bytes, and decode as one array', () => {
    fc.assert(
      fc.property(piecesArb, (pieces) => {
        const body = (records: FetchResponse['topics'][number]['partitions'][number]['records']): FetchResponse => ({
          topics: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, errorMessage: null, highWatermark: 1, lastStableOffset: 1, logStartOffset: 0, abortedTransactions: [], records }] }],
        });
        const whole = encodeResponse('Fetch', 3, body(joined(pieces)));
        expectSameBytes(encodeResponse('Fetch', 3, body(RecordSet.of(pieces))), whole);
        const frame = decodeServerFrame(whole);
        if (!frame.ok) throw new Error(frame.error);
        const back = decodeResponseBody('Fetch', frame.value.body, frame.value.bodyStart);
        if (!back.ok) throw new Error(back.error);
        expectSameBytes(back.value.topics[0]!.partitions[0]!.records as Uint8Array, joined(pieces));
      }),
      { numRuns: 60, seed: 13 },
    );
  });
});

describe('request and response framing', () => {
  it('uses header v2 / v1 for flexible versions, v1 / v0 before, and v0 for every ApiVersions response', () => {
    expect(kafka.requestHeaderVersion(3, 8)).toBe(1);
    expect(kafka.requestHeaderVersion(3, 9)).toBe(2);
    expect(kafka.responseHeaderVersion(3, 8)).toBe(0);
    expect(kafka.responseHeaderVersion(3, 9)).toBe(1);
    expect(kafka.requestHeaderVersion(18, 3)).toBe(2);
    expect(kafka.responseHeaderVersion(18, 3)).toBe(0);
    // An ApiVersions version newer than ours still has a readable (v2) header.
    expect(kafka.requestHeaderVersion(18, 99)).toBe(2);
  });

  it('reports unknown APIs and unsupported versions with the header, without reading the body', () => {
    const frame = kafka.encodeKafkaRequest('ApiVersions', 3, 77, 'c', { ...kafka.ApiVersionsRequest.defaults(), clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    const bytes = frame.slice(4);
    new DataView(bytes.buffer).setInt16(2, 9); // ApiVersions v9 does not exist (yet)
    const d = kafka.decodeKafkaRequest(bytes);
    expect(d).toEqual({
      kind: 'unsupported',
      apiName: 'ApiVersions',
      header: { requestApiKey: 18, requestApiVersion: 9, correlationId: 77, clientId: 'c' },
    });
    new DataView(bytes.buffer).setInt16(0, 1000);
    expect(kafka.decodeKafkaRequest(bytes)).toMatchObject({ kind: 'unsupported', apiName: undefined });
  });

  it('refuses malformed headers and trailing bytes with ProtocolError', () => {
    expect(() => kafka.decodeKafkaRequest(Uint8Array.from([0, 3]))).toThrow(ProtocolError);
    const frame = kafka.encodeKafkaRequest('Heartbeat', 4, 1, null, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(() => kafka.decodeKafkaRequest(Uint8Array.from([...frame.subarray(4), 0]))).toThrow(/trailing/);
  });

  it('decodes a typed request body', () => {
    const frame = kafka.encodeKafkaRequest('Heartbeat', 4, 5, 'cid', { groupId: 'g', generationId: 2, memberId: 'm', groupInstanceId: null });
    const d = kafka.decodeKafkaRequest(frame.subarray(4));
    if (d.kind !== 'request' || d.api !== 'Heartbeat') throw new Error('expected a Heartbeat request');
    expect(d.body.generationId).toBe(2);
  });
});
