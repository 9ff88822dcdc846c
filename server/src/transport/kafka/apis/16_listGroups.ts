// ListGroups: every group is a consumer-protocol group (type "consumer", protocol type
// "consumer"); v4+ filter by state, v5+ by type.
import type { KafkaAdapter } from '../types.js';
import { kafkaGroupState } from './groupStates.js';

export const listGroups: KafkaAdapter<'ListGroups'> = {
  async handle(body, rc) {
    const wantsConsumer = body.typesFilter.length === 0 || body.typesFilter.some((t) => t.toLowerCase() === 'consumer');
    const res = (await rc.handlers.ListGroups({ statesFilter: body.statesFilter.length > 0 ? body.statesFilter : null }, rc.conn))!;
    const groups = wantsConsumer ? res.groups.map((g) => ({ groupId: g.groupId, protocolType: 'consumer', groupState: kafkaGroupState(g.state), groupType: 'consumer' })) : [];
    return { throttleTimeMs: 0, errorCode: 0, groups };
  },
};
