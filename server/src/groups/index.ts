// Consumer groups (KIP-848): a pure, clock-injected state machine per group and the coordinator that runs it with timers and persistence.
//
// Layout, after Kafka's group coordinator:
//   model.ts              member and group records, config, events, effects, the transition context
//   transitions.ts        transition(group, event, env) -> { group, response?, effects }
//   targetAssignment.ts   subscriptions, assignor choice, epoch bump (Kafka's TargetAssignmentBuilder)
//   currentAssignment.ts  a member's step toward its target, revoke before assign (CurrentAssignmentBuilder)
//   queries.ts            group state, offset-commit fencing, describe
//   persistence.ts        per-member records: what changed, restore, upgrade of whole-group snapshots
//   assignment.ts         assignments as immutable values; assignors/ the server-side assignors
//   coordinator.ts        the I/O shell: one serial queue per group, timers, effects carried out
export { GroupCoordinator, type CoordinatorStats, type GroupCoordinatorDeps, type PartitionOwner, type TimerHandle } from './coordinator.js';
export {
  DEFAULT_GROUP_CONFIG,
  newGroup,
  type Effect,
  type Env,
  type Group,
  type GroupConfig,
  type GroupEvent,
  type GroupState,
  type HeartbeatContext,
  type Member,
  type MemberRecord,
  type MemberState,
  type TransitionResult,
} from './model.js';
export { transition } from './transitions.js';
export { describeGroup, doubleHolders, groupState, validateOffsetCommit } from './queries.js';
export {
  groupRecords,
  holderIndex,
  restore,
  targetOwnerIndex,
  upgradeSnapshot,
  type GroupRecord,
  type GroupSnapshot,
  type PersistedGroupMetadata,
  type PersistedMember,
  type PersistedTarget,
  type StoredGroupRecord,
} from './persistence.js';
