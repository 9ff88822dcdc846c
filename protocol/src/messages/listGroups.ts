// ListGroups (API key 16).
import { array, int32, nullableArray, string, struct, type Infer } from '../schema.js';

export const ListGroupsRequest = struct('ListGroupsRequest', {
  statesFilter: [nullableArray(string), 'Only groups in these states; null for all.'],
});

const ListedGroup = struct('ListedGroup', { groupId: string, state: string, members: int32 });

export const ListGroupsResponse = struct('ListGroupsResponse', { groups: array(ListedGroup) });

export type ListGroupsRequest = Infer<typeof ListGroupsRequest>;
export type ListGroupsResponse = Infer<typeof ListGroupsResponse>;
