// A classic group in a real broker: the JoinGroup/SyncGroup handlers, commits fenced by
// generation over OffsetCommit, the admin API showing the decoded "consumer" assignment, ListGroups,
// and the group restored from __consumer_offsets after a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import { joinGroup } from '../../../src/api/11_joinGroup.js';
import { syncGroup } from '../../../src/api/14_syncGroup.js';
import { heartbeat } from '../../../src/api/12_heartbeat.js';
import type { ConnectionInfo } from '../../../src/api/types.js';
import { RawClient, removeDir, tempDir, testBroker } from '../../helpers.js';
import { joinRequest } from './pure.js';

/** ConsumerProtocolAssignment v0: [topic, partitions], no user data. */
function consumerAssignment(topic: string, partitions: number[]): Uint8Array {
  const name = new TextEncoder().encode(topic);
  const b = Buffer.alloc(2 + 4 + 2 + name.length + 4 + 4 * partitions.length + 4);
  let o = b.writeInt16BE(0, 0);
  o = b.writeInt32BE(1, o);
  o = b.writeInt16BE(name.length, o);
  o += Buffer.from(name).copy(b, o);
  o = b.writeInt32BE(partitions.length, o);
  for (const p of partitions) o = b.writeInt32BE(p, o);
  b.writeInt32BE(-1, o);
  return new Uint8Array(b);
}

const conn = { connectionId: 'k1', clientId: 'kafka-client', clientHost: '/127.0.0.1', handshaken: true, principal: null } as unknown as ConnectionInfo;

describe('classic group in a broker', () => {
  let dataDir: string;
  afterAll(async () => removeDir(dataDir));

  it('joins, syncs, commits by generation, shows in the admin API, and survives a restart', async () => {
    dataDir = await tempDir();
    let broker = await testBroker({ dataDir, groupInitialRebalanceDelayMs: 0 });
    const http = (path: string) => fetch(`${broker.httpUrl}${path}`).then((r) => r.json() as Promise<Record<string, unknown>>);
    await fetch(`${broker.httpUrl}/api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 't', partitions: 2 }) });

    const join = joinGroup(broker.context);
    const req = joinRequest({ sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000 });
    const first = await join(req, conn);
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^kafka-client-/);
    const joined = await join({ ...req, memberId: first.memberId }, conn);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId });
    const synced = await syncGroup(broker.context)(
      { groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: consumerAssignment('t', [1, 0]) }] },
      conn,
    );
    expect(synced.errorCode).toBe(0);

    const c = await RawClient.connect(broker.url);
    const commit = (memberId: string | null, memberEpoch: number) =>
      c.request('OffsetCommit', { groupId: 'g', memberId, memberEpoch, topics: [{ topic: 't', partitions: [{ partition: 0, offset: 0, metadata: null }] }] }).then((r) => r.topics[0]!.partitions[0]!.errorCode);
    expect(await commit(first.memberId, 1)).toBe(0);
    expect(await commit(first.memberId, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await commit(null, -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // not while the group has members
    c.close();

    expect(await http('/api/groups')).toEqual(expect.arrayContaining([expect.objectContaining({ groupId: 'g', state: 'Stable', members: 1 })]));
    const described = await http('/api/groups/g');
    expect(described).toMatchObject({ state: 'Stable', epoch: 1, assignor: 'range', protocolType: 'consumer' });
    expect((described.members as Array<Record<string, unknown>>)[0]).toMatchObject({ memberId: first.memberId, clientId: 'kafka-client', host: '/127.0.0.1', assignment: [{ topic: 't', partitions: [0, 1] }] });
    expect((await broker.context.groups.heartbeat({ groupId: 'g', memberId: 'k848', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 45_000, subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] }, { connectionId: 'x', clientId: 'x', clientHost: 'h' })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);

    await broker.close();
    broker = await testBroker({ dataDir, groupInitialRebalanceDelayMs: 0 });
    const restored = broker.context.classicGroups.describe('g')!;
    expect(restored).toMatchObject({ state: 'Stable', groupEpoch: 1 });
    expect(restored.members[0]!.assignment).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(await heartbeat(broker.context)({ groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: null }, conn)).toEqual({ errorCode: 0 });
    await broker.close();
  });
});
