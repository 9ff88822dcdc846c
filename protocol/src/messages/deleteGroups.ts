// DeleteGroups (API key 42): only groups without members (NON_EMPTY_GROUP otherwise).
import { array, int16, nullableString, string, struct, type Infer } from '../schema.js';

export const DeleteGroupsRequest = struct('DeleteGroupsRequest', { groupIds: array(string) });

const DeleteGroupResult = struct('DeleteGroupResult', { groupId: string, errorCode: int16, errorMessage: nullableString });

export const DeleteGroupsResponse = struct('DeleteGroupsResponse', { results: array(DeleteGroupResult) });

export type DeleteGroupsRequest = Infer<typeof DeleteGroupsRequest>;
export type DeleteGroupsResponse = Infer<typeof DeleteGroupsResponse>;
