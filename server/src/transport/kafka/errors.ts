// Error codes on the Kafka door: Brook's own codes (1000 and up) become the Kafka code a Kafka
// client acts on the same way; Kafka codes Brook's table does not name yet are listed here.
import { ErrorCode } from '@brook/protocol';
import type { Logger } from 'pino';
import { toErrorCode } from '../../api/errors.js';

/** Kafka codes used only by the Kafka door (Kafka's Errors.java). */
export const KafkaError = {
  NOT_LEADER_OR_FOLLOWER: 6,
  NOT_COORDINATOR: 16,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  KAFKA_STORAGE_ERROR: 56,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  UNKNOWN_TOPIC_ID: 100,
  RESOURCE_NOT_FOUND: 91,
} as const;

const BROOK_TO_KAFKA: Record<number, number> = {
  // The member no longer owns the partition: Kafka clients treat it as a failed commit.
  [ErrorCode.NOT_PARTITION_OWNER]: ErrorCode.ILLEGAL_GENERATION,
  [ErrorCode.HANDSHAKE_REQUIRED]: ErrorCode.INVALID_REQUEST,
  [ErrorCode.TOO_MANY_REQUESTS]: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
  // Retriable in Kafka clients: they refresh metadata and try again.
  [ErrorCode.BROKER_SHUTTING_DOWN]: KafkaError.NOT_LEADER_OR_FOLLOWER,
  [ErrorCode.STORAGE_ERROR]: KafkaError.KAFKA_STORAGE_ERROR,
  // Kafka fences a producer whose transaction timed out.
  [ErrorCode.TRANSACTION_TIMED_OUT]: ErrorCode.PRODUCER_FENCED,
};

export function kafkaCode(code: number): number {
  return BROOK_TO_KAFKA[code] ?? code;
}

/** A thrown error as a Kafka error code and message (unexpected errors are logged). */
export function toKafkaError(e: unknown, logger: Logger): { errorCode: number; errorMessage: string } {
  const { errorCode, errorMessage } = toErrorCode(e, logger);
  return { errorCode: kafkaCode(errorCode), errorMessage };
}
