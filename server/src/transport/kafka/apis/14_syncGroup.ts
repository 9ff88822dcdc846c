// SyncGroup (classic protocol): the leader's assignment reaches every member; followers wait for
// it. v5 carry the protocol type and name, which must match the group's (INCONSISTENT_GROUP_PROTOCOL).
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

const EMPTY = new Uint8Array(0);

export const syncGroup: KafkaAdapter<'SyncGroup'> = {
  async handle(body, rc) {
    const res = await rc.handlers.SyncGroup(
      {
        groupId: body.groupId,
        generationId: body.generationId,
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId,
        protocolType: body.protocolType,
        protocolName: body.protocolName,
        assignments: body.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      },
      rc.conn,
    );
    return { throttleTimeMs: 0, errorCode: kafkaCode(res.errorCode), protocolType: res.protocolType, protocolName: res.protocolName, assignment: res.assignment };
  },
  error: (_body, errorCode) => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY }),
};
