// Classic consumer groups (JoinGroup/SyncGroup/Heartbeat/LeaveGroup): a second pure state machine
// beside the KIP-848 one, after Kafka's ClassicGroup and GroupMetadataManager's classic paths.
//
//   types.ts             version-independent request/response shapes (Kafka's JSON spec names)
//   model.ts             group and member records, config, events, effects, the transition context
//   transitions.ts       classicTransition(group, event, env): SyncGroup, Heartbeat, LeaveGroup, timers
//   join.ts              JoinGroup: KIP-394 member ids, group size, static members (KIP-345)
//   rebalance.ts         protocol selection, prepare/complete rebalance, initial delay, assignment propagation
//   queries.ts           offset-commit fencing by generation, describe, subscriptions
//   consumerProtocol.ts  reads "consumer" subscription/assignment bytes for the admin view
//   persistence.ts       snapshot and restore
//   coordinator.ts       the I/O shell: serial queue per group, timers, parked (delayed) answers
export { ClassicGroupCoordinator, type ClassicGroupCoordinatorDeps, type ConsumerGroupLookup } from './coordinator.js';
export { classicTransition } from './transitions.js';
export {
  DEFAULT_CLASSIC_CONFIG,
  EMPTY_ASSIGNMENT,
  newClassicGroup,
  type ClassicEffect,
  type ClassicEnv,
  type ClassicEvent,
  type ClassicGroup,
  type ClassicGroupConfig,
  type ClassicGroupState,
  type ClassicMember,
  type ClassicTransitionResult,
} from './model.js';
export { describeClassicGroup, describeClassicGroupForWire, validateClassicOffsetCommit, type ClassicGroupWireDescription } from './queries.js';
export { classicSnapshot, isClassicSnapshot, restoreClassic, type PersistedClassicGroup } from './persistence.js';
export { assignmentPartitions, subscriptionTopics, CONSUMER_PROTOCOL_TYPE } from './consumerProtocol.js';
export * from './types.js';
