import type { Logger } from 'pino';
import type { AnswerMemory, RequestMemory } from '../services/answerMemory.js';
import type { BatchChecks } from '../services/batchChecks.js';
import type { ApiName, RequestOf, ResponseOf } from '@brook/protocol';
import type { BrokerOptions } from '../config.js';
import type { TopicManager } from '../log/topicManager.js';
import type { OffsetStore } from '../offsets/offsetStore.js';
import type { GroupCoordinator } from '../groups/index.js';
import type { ClassicGroupCoordinator } from '../groups/classic/index.js';
import type { TransactionCoordinator } from '../txn/coordinator.js';
import type { BrokerMetrics } from '../metrics.js';
import type { Authorizer, Principal } from '../auth/authorizer.js';
import type { ClusterIdentity } from '../services/cluster.js';
import type { DispatchGate } from './turns.js';

/** Everything a request handler may use; built once per broker. */
export interface BrokerContext {
  options: BrokerOptions;
  topics: TopicManager;
  offsets: OffsetStore;
  groups: GroupCoordinator;
  /** Classic groups (JoinGroup/SyncGroup/Heartbeat/LeaveGroup); one group-id namespace with `groups`. */
  classicGroups: ClassicGroupCoordinator;
  txns: TransactionCoordinator;
  logger: Logger;
  metrics: BrokerMetrics;
  /** Aborted when the broker starts shutting down, so long polls return at once. */
  shutdown: AbortSignal;
  /** Null when the broker runs without authentication. */
  auth: Authorizer | null;
  /** Cluster id, node and Kafka endpoint, topic ids. */
  cluster: ClusterIdentity;
  /** Answer bytes clients have not taken yet, broker-wide: bounds what Fetch answers may add. */
  answers: AnswerMemory;
  /** Request bytes read and not yet answered, broker-wide: bounds what producers together hold. */
  requests: RequestMemory;
  /** Produce's batch checks, compressed ones on a worker thread, appends in arrival order. */
  batchChecks: BatchChecks;
}

export interface ConnectionInfo {
  readonly connectionId: string;
  clientId: string;
  readonly clientHost: string;
  handshaken: boolean;
  /** Who authenticated on this connection (null without authentication). */
  principal: Principal | null;
  readonly signal: AbortSignal;
  /** Holds the connection's later requests while one spreads its start over turns (api/turns.ts). */
  readonly dispatch: DispatchGate;
  /** Sends an unrequested frame (the WebSocket door); a no-op where the protocol has no push. */
  push(frame: Uint8Array): void;
  /** Whether `push` reaches the client. */
  readonly pushes: boolean;
  close(code: number, reason: string): void;
}

/** A handler answers its request; null means "send no response" (Produce with acks 0). */
export type Handler<N extends ApiName> = (body: RequestOf<N>, conn: ConnectionInfo) => Promise<ResponseOf<N> | null>;
export type ApiHandlers = { [N in ApiName]: Handler<N> };

/**
 * A handler of an API Brook's WebSocket protocol does not carry (yet), for the Kafka listener:
 * the same shape, with request and response types declared beside it in its file.
 */
export type ServerHandler<Req, Res> = (body: Req, conn: ConnectionInfo) => Promise<Res>;
