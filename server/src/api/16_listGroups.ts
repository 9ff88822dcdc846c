// ListGroups: live groups plus groups that only have committed offsets (state "empty").
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';

export function listAllGroups(ctx: BrokerContext): Array<{ groupId: string; state: string; members: number }> {
  const groups = new Map(ctx.groups.list().map((g) => [g.groupId, g]));
  for (const id of ctx.offsets.groupIds()) if (!groups.has(id)) groups.set(id, { groupId: id, state: 'empty', members: 0 });
  return [...groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
}

export function listGroups(ctx: BrokerContext): Handler<'ListGroups'> {
  return async (req, conn) => {
    const filter = req.statesFilter?.map((s) => s.toLowerCase());
    const visible = (id: string) => allowed(ctx, conn, 'group', id, 'use') || allowed(ctx, conn, 'cluster', '', 'admin');
    return { groups: listAllGroups(ctx).filter((g) => (!filter || filter.includes(g.state)) && visible(g.groupId)) };
  };
}
