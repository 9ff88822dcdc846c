// Upgrade: a data dir written before per-member group records holds one whole-group snapshot per
// group (record type 3 in __consumer_offsets). A broker started on it comes back with the same
// groups, members, epochs and assignments, rewrites each group as records (metadata, one per
// member, one per target) with a tombstone for the snapshot, and comes back the same again.
import { afterAll, expect, it } from 'vitest';
import { CONSUMER_OFFSETS_TOPIC, Writer, bytes, encodeBatch, int16, string, struct, utf8Encode, type Codec } from '@brook/protocol';
import { removeDir, tempDir, testBroker } from '../helpers.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map(removeDir)));

// The snapshot record exactly as the broker wrote it before per-member records (offsets/records.ts then).
const GroupSnapshotKey = struct('GroupSnapshotKey', { type: int16, group: string });
const GroupSnapshotValue = struct('GroupSnapshotValue', { version: int16, snapshot: bytes });
function encode<T>(codec: Codec<T>, v: T): Uint8Array {
  const w = new Writer(64);
  codec.write(w, v);
  return w.buf.slice(0, w.pos);
}

// Written by the previous code (three members mid-rebalance: c waits for partitions a and b must
// still revoke), and what ConsumerGroupDescribe said about it then.
const SNAPSHOT = {"version":2,"groupId":"legacy","groupEpoch":3,"assignmentEpoch":3,"assignor":"uniform","subscribedTopics":[{"topic":"audit","partitions":2},{"topic":"orders","partitions":4}],"members":[{"memberId":"member-a","instanceId":null,"rackId":null,"clientId":"client-member-a","clientHost":"10.0.0.8","rebalanceTimeoutMs":30000,"sessionTimeoutMs":20000,"heartbeatIntervalMs":null,"subscribedTopicNames":["orders","audit"],"subscribedTopicRegex":null,"serverAssignor":null,"memberEpoch":2,"previousMemberEpoch":1,"state":"stable","assigned":[{"topic":"audit","partitions":[0,1]},{"topic":"orders","partitions":[0]}],"pendingRevocation":[],"target":[{"topic":"audit","partitions":[0,1]}],"leftStatic":false},{"memberId":"member-b","instanceId":"pod-b","rackId":null,"clientId":"client-member-b","clientHost":"10.0.0.8","rebalanceTimeoutMs":30000,"sessionTimeoutMs":20000,"heartbeatIntervalMs":null,"subscribedTopicNames":["orders","audit"],"subscribedTopicRegex":null,"serverAssignor":null,"memberEpoch":2,"previousMemberEpoch":0,"state":"stable","assigned":[{"topic":"orders","partitions":[1,2,3]}],"pendingRevocation":[],"target":[{"topic":"orders","partitions":[1,2]}],"leftStatic":false},{"memberId":"member-c","instanceId":null,"rackId":null,"clientId":"client-member-c","clientHost":"10.0.0.8","rebalanceTimeoutMs":30000,"sessionTimeoutMs":20000,"heartbeatIntervalMs":null,"subscribedTopicNames":["orders"],"subscribedTopicRegex":null,"serverAssignor":null,"memberEpoch":3,"previousMemberEpoch":0,"state":"unreleased_partitions","assigned":[],"pendingRevocation":[],"target":[{"topic":"orders","partitions":[0,3]}],"leftStatic":false}]};
const DESCRIBED = {"errorCode":0,"errorMessage":null,"groupId":"legacy","state":"reconciling","groupEpoch":3,"assignmentEpoch":3,"assignor":"uniform","members":[{"memberId":"member-a","instanceId":null,"clientId":"client-member-a","clientHost":"10.0.0.8","memberEpoch":2,"state":"stable","subscribedTopicNames":["orders","audit"],"subscribedTopicRegex":null,"assignment":[{"topic":"audit","partitions":[0,1]},{"topic":"orders","partitions":[0]}],"targetAssignment":[{"topic":"audit","partitions":[0,1]}]},{"memberId":"member-b","instanceId":"pod-b","clientId":"client-member-b","clientHost":"10.0.0.8","memberEpoch":2,"state":"stable","subscribedTopicNames":["orders","audit"],"subscribedTopicRegex":null,"assignment":[{"topic":"orders","partitions":[1,2,3]}],"targetAssignment":[{"topic":"orders","partitions":[1,2]}]},{"memberId":"member-c","instanceId":null,"clientId":"client-member-c","clientHost":"10.0.0.8","memberEpoch":3,"state":"unreleased_partitions","subscribedTopicNames":["orders"],"subscribedTopicRegex":null,"assignment":[],"targetAssignment":[{"topic":"orders","partitions":[0,3]}]}]};

it('a data dir with whole-group snapshots comes back with the same groups, rewritten as per-member records', async () => {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  // The data dir as the previous code left it: the topics, and the group's snapshot record.
  let broker = await testBroker({ dataDir });
  await broker.context.topics.create('orders', 4);
  await broker.context.topics.create('audit', 2);
  const key = encode(GroupSnapshotKey, { type: 3, group: 'legacy' });
  const value = encode(GroupSnapshotValue, { version: 0, snapshot: utf8Encode(JSON.stringify(SNAPSHOT)) });
  await broker.context.topics.partition(CONSUMER_OFFSETS_TOPIC, 0)!.append([encodeBatch({ records: [{ key, value }] })], { sync: true });
  await broker.close();

  broker = await testBroker({ dataDir });
  expect(broker.context.groups.describe('legacy')).toEqual(DESCRIBED);
  await broker.context.groups.idle();
  const kinds = broker.context.offsets
    .storedGroups()
    .find((g) => g.groupId === 'legacy')!
    .records.map((r) => `${r.kind}:${r.memberId ?? ''}`)
    .sort();
  expect(kinds).toEqual(['member:member-a', 'member:member-b', 'member:member-c', 'metadata:', 'target:member-a', 'target:member-b', 'target:member-c']);
  await broker.close();

  // From the records alone now.
  broker = await testBroker({ dataDir });
  expect(broker.context.groups.describe('legacy')).toEqual(DESCRIBED);
  expect(broker.context.offsets.storedGroups().find((g) => g.groupId === 'legacy')!.records.some((r) => r.kind === 'snapshot')).toBe(false);
  await broker.close();
}, 60_000);
