// ListGroups: KIP-848 groups (type and protocol type "consumer") and classic groups (type
// "classic", the protocol type their members joined with; "" for groups that only have offsets,
// Kafka's simple groups). v4+ filter by state (case-blind, in the shared handler), v5+ by type.
import { groupType } from '../../../services/groups.js';
import type { KafkaAdapter } from '../types.js';
import { kafkaGroupState } from './groupStates.js';

export const listGroups: KafkaAdapter<'ListGroups'> = {
  async handle(body, rc) {
    const types = new Set(body.typesFilter.map((t) => t.toLowerCase()));
    const res = (await rc.handlers.ListGroups({ statesFilter: body.statesFilter.length > 0 ? body.statesFilter : null }, rc.conn))!;
    const groups = res.groups.flatMap((g) => {
      const kind = groupType(rc.ctx, g.groupId);
      if (kind === null || (types.size > 0 && !types.has(kind.type))) return [];
      return [{ groupId: g.groupId, protocolType: kind.protocolType, groupState: kafkaGroupState(g.state), groupType: kind.type }];
    });
    return { throttleTimeMs: 0, errorCode: 0, groups };
  },
};
