// DeleteGroups: only groups without members, through the shared handler.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const deleteGroups: KafkaAdapter<'DeleteGroups'> = {
  async handle(body, rc) {
    const res = (await rc.handlers.DeleteGroups({ groupIds: body.groupsNames }, rc.conn))!;
    return { throttleTimeMs: 0, results: res.results.map((r) => ({ groupId: r.groupId, errorCode: kafkaCode(r.errorCode), errorMessage: r.errorMessage })) };
  },
};
