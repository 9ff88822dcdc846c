// ListGroups: live groups (KIP-848 and classic) plus groups that only have committed offsets (state "empty").
// The filter matches states case-blind: classic groups use Kafka's names (Stable, PreparingRebalance, ...).
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';
import { listAllGroups } from '../services/groups.js';

export function listGroups(ctx: BrokerContext): Handler<'ListGroups'> {
  return async (req, conn) => {
    const filter = req.statesFilter?.map((s) => s.toLowerCase());
    const visible = (id: string) => allowed(ctx, conn, 'group', id, 'use') || allowed(ctx, conn, 'cluster', '', 'admin');
    return { groups: listAllGroups(ctx).filter((g) => (!filter || filter.includes(g.state.toLowerCase())) && visible(g.groupId)) };
  };
}
