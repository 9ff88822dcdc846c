// Offsets a transaction holds (TxnOffsetCommit done, EndTxn not yet), as Kafka treats pending
// transactional offset commits: OffsetFetch with requireStable answers UNSTABLE_OFFSET_COMMIT for
// their partitions, and offset expiry does not delete those partitions' committed offsets.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import type { StartOptions } from '@brook/server';
import { RawClient, testBroker } from '../helpers.js';

const open: Array<{ stop(): Promise<void> } | RawClient> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) {
    if (x instanceof RawClient) x.close();
    else await x.stop();
  }
});

async function setup(opts: StartOptions = {}): Promise<RawClient> {
  const b = await testBroker(opts);
  open.push(b);
  const c = await RawClient.connect(b.url);
  open.push(c);
  await c.request('CreateTopics', { topics: [{ name: 'in', numPartitions: 2, configs: [] }], validateOnly: false });
  return c;
}

async function fetchOffsets(c: RawClient, requireStable: boolean): Promise<Record<string, { offset: number; errorCode: number }>> {
  const r = await c.request('OffsetFetch', { groupId: 'g', topics: [{ topic: 'in', partitions: [0, 1] }], requireStable });
  expect(r.errorCode).toBe(0);
  return Object.fromEntries(r.topics[0]!.partitions.map((p) => [`in-${p.partition}`, { offset: p.offset, errorCode: p.errorCode }]));
}

async function txnCommitOffset(c: RawClient, p: { producerId: number; producerEpoch: number }, partition: number, offset: number): Promise<void> {
  const r = await c.request('TxnOffsetCommit', {
    transactionalId: 'tx-o',
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    groupId: 'g',
    memberId: null,
    memberEpoch: -1,
    topics: [{ topic: 'in', partitions: [{ partition, offset, metadata: null }] }],
  });
  expect(r.topics[0]!.partitions[0]!.errorCode).toBe(0);
}

async function commitOffsets(c: RawClient, offset: number): Promise<void> {
  const r = await c.request('OffsetCommit', {
    groupId: 'g',
    memberId: null,
    memberEpoch: -1,
    topics: [{ topic: 'in', partitions: [0, 1].map((partition) => ({ partition, offset, metadata: null })) }],
  });
  expect(r.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
}

describe('offsets held by an open transaction', () => {
  it('OffsetFetch with requireStable answers UNSTABLE_OFFSET_COMMIT for their partitions until EndTxn', async () => {
    const c = await setup();
    await commitOffsets(c, 3);
    const p = await c.request('InitProducerId', { transactionalId: 'tx-o', transactionTimeoutMs: 60_000 });
    await txnCommitOffset(c, p, 0, 7);

    const unstable = { offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
    expect(await fetchOffsets(c, true)).toEqual({ 'in-0': unstable, 'in-1': { offset: 3, errorCode: 0 } });
    expect(await fetchOffsets(c, false)).toEqual({ 'in-0': { offset: 3, errorCode: 0 }, 'in-1': { offset: 3, errorCode: 0 } });

    await c.request('EndTxn', { transactionalId: 'tx-o', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: false });
    expect(await fetchOffsets(c, true)).toEqual({ 'in-0': { offset: 3, errorCode: 0 }, 'in-1': { offset: 3, errorCode: 0 } });

    await txnCommitOffset(c, p, 1, 9);
    expect((await fetchOffsets(c, true))['in-1']).toEqual(unstable);
    await c.request('EndTxn', { transactionalId: 'tx-o', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true });
    expect(await fetchOffsets(c, true)).toEqual({ 'in-0': { offset: 3, errorCode: 0 }, 'in-1': { offset: 9, errorCode: 0 } });
  });

  it("offset expiry keeps a partition's committed offset while a transaction holds one for it", async () => {
    const c = await setup({ offsetsRetentionMs: 1000, offsetsRetentionCheckIntervalMs: 50 });
    const p = await c.request('InitProducerId', { transactionalId: 'tx-o', transactionTimeoutMs: 60_000 });
    await txnCommitOffset(c, p, 0, 7);
    await commitOffsets(c, 3);

    // The same sweep expires in-1: once it is gone, in-0 must still be there.
    const end = Date.now() + 10_000;
    while ((await fetchOffsets(c, false))['in-1']!.offset !== -1) {
      if (Date.now() > end) throw new Error('in-1 did not expire');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await fetchOffsets(c, false))['in-0']).toEqual({ offset: 3, errorCode: 0 });
    await c.request('EndTxn', { transactionalId: 'tx-o', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true });
    expect((await fetchOffsets(c, true))['in-0']).toEqual({ offset: 7, errorCode: 0 });
  });
});
