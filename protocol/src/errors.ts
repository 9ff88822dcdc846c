/**
 * Error codes: Kafka's numbers, names and meanings where Kafka has one (see Kafka's Errors.java);
 * Brook-only codes start at 1000. `retriable` tells a client whether trying again may succeed.
 */
export interface ErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

const table = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The server experienced an unexpected error.'],
  [0, 'NONE', false, ''],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'The requested offset is not within the range of offsets kept for this partition.'],
  [2, 'CORRUPT_MESSAGE', true, 'The message failed its CRC check, exceeds its valid size, or is otherwise corrupt.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This server does not host this topic-partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The requested fetch size is invalid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'There is no leader for this topic-partition as we are in the middle of a leadership election.'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This server is not the leader or a follower for this topic-partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The request timed out.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'The message is larger than the maximum the server accepts.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The metadata field of the offset request was too large.'],
  [13, 'NETWORK_EXCEPTION', true, 'The server disconnected before a response was received.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The coordinator is loading and cannot process requests yet.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This is not the correct coordinator.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The topic name is invalid or the topic is internal.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The request includes a batch larger than the configured limit.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Messages are rejected since there are fewer in-sync replicas than required.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'Messages are written to the log, but to fewer in-sync replicas than required.'],
  [22, 'ILLEGAL_GENERATION', false, 'The generation id is not the current one.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, "The member's protocol type or protocols are not compatible with the group's."],
  [24, 'INVALID_GROUP_ID', false, 'The group id is invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator is not aware of this member.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'The session timeout is not within the range the broker allows.'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing, so a rejoin is needed.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Topic authorization failed.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Group authorization failed.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Cluster authorization failed.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The broker does not support the requested SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'Request is not valid given the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The version of the API is not supported.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'Topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'Number of partitions is invalid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'Replication factor is below 1 or larger than the number of available brokers.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'Replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', false, 'The configuration is invalid.'],
  [41, 'NOT_CONTROLLER', true, 'This is not the correct controller for this cluster.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or invalid.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'The message format version does not support the request.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The broker received an out of order sequence number.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The broker received a duplicate sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, "The producer's epoch is not the current one."],
  [48, 'INVALID_TXN_STATE', false, 'The producer attempted a transactional operation in an invalid state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id does not match the transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'The transaction timeout is larger than the broker allows.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Transactional id authorization failed.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'The broker could not read its log from disk.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'Authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker does not know this producer id.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group id does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session ID was not found.'],
  [74, 'FENCED_LEADER_EPOCH', true, 'The leader epoch in the request is older than the broker has.'],
  [75, 'UNKNOWN_LEADER_EPOCH', true, 'The leader epoch in the request is newer than the epoch on the broker.'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, 'The record batch uses a compression type the broker does not support.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'The group member needs a member id: rejoin with the one given (KIP-394).'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group has reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'The group instance id is used by another member.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'The group is subscribed to the topic, so its offsets cannot be deleted.'],
  [87, 'INVALID_RECORD', false, 'A record failed validation on the broker.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'There are unstable offsets that need to be cleared.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The throttling quota has been exceeded.'],
  [90, 'PRODUCER_FENCED', false, 'A producer with the same transactional id and a newer epoch exists.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'A request illegally referred to a resource that does not exist.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This server does not host this topic ID.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch is fenced by the group coordinator; the member must rejoin.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'The instance id is still used by another member of the group.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The assignor is not supported by the group.'],
  [113, 'STALE_MEMBER_EPOCH', true, 'The member epoch is stale; retry after the next heartbeat.'],
  [128, 'INVALID_REGULAR_EXPRESSION', false, 'The regular expression is not valid (RE2 syntax).'],
  [1000, 'NOT_PARTITION_OWNER', false, 'The member does not own this partition in its group now.'],
  [1001, 'HANDSHAKE_REQUIRED', false, 'The first request on a connection must be the handshake.'],
  [1002, 'TOO_MANY_REQUESTS', true, 'Too many requests in flight on this connection.'],
  [1003, 'BROKER_SHUTTING_DOWN', true, 'The broker is shutting down; reconnect and retry.'],
  [1004, 'STORAGE_ERROR', true, 'The broker could not read or write its storage.'],
  [1005, 'TRANSACTION_TIMED_OUT', false, 'The broker aborted the transaction because it stayed open longer than its timeout; the producer was fenced.'],
] as const;

type Row = (typeof table)[number];
export type ErrorName = Row[1];

export const ErrorCode = Object.fromEntries(table.map(([code, name]) => [name, code])) as {
  readonly [K in ErrorName]: Extract<Row, readonly [number, K, boolean, string]>[0];
};

const byCode = new Map<number, ErrorInfo>(
  table.map(([code, name, retriable, message]) => [code, { code, name, retriable, message }]),
);

export function errorInfo(code: number): ErrorInfo {
  return byCode.get(code) ?? { code, name: `UNKNOWN_ERROR_${code}`, retriable: false, message: 'Unknown error code.' };
}

export function allErrors(): ErrorInfo[] {
  return [...byCode.values()];
}

/** An error a client or server raises for a protocol error code. */
export class BrookError extends Error {
  override readonly name = 'BrookError';
  readonly code: number;
  readonly type: string;
  readonly retriable: boolean;
  /** `options.cause`: the underlying error (a socket error, a refused upgrade), kept for the caller. */
  constructor(code: number, message?: string | null, options?: { cause?: unknown }) {
    const info = errorInfo(code);
    super(message || info.message || info.name, options);
    this.code = code;
    this.type = info.name;
    this.retriable = info.retriable;
  }
}
