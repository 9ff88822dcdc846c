import { range } from './range.js';
import { roundrobin } from './roundrobin.js';
import type { Assignor } from './types.js';
import { uniform } from './uniform.js';

export type { Assignor, AssignorInput, AssignorMember, AssignorOutput } from './types.js';
export { range, roundrobin, uniform };

export const DEFAULT_ASSIGNOR = 'uniform';

const registry = new Map<string, Assignor>([
  ['uniform', uniform],
  ['range', range],
  ['roundrobin', roundrobin],
]);

export function getAssignor(name: string): Assignor | undefined {
  return registry.get(name);
}

export function assignorNames(): string[] {
  return [...registry.keys()];
}
