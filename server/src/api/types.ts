import type { Logger } from 'pino';
import type { ApiName, RequestOf, ResponseOf } from '@brook/protocol';
import type { BrokerOptions } from '../config.js';
import type { TopicManager } from '../log/topicManager.js';
import type { OffsetStore } from '../offsets/offsetStore.js';
import type { GroupCoordinator } from '../groups/coordinator.js';
import type { BrokerMetrics } from '../metrics.js';

/** Everything a request handler may use; built once per broker. */
export interface BrokerContext {
  options: BrokerOptions;
  topics: TopicManager;
  offsets: OffsetStore;
  groups: GroupCoordinator;
  logger: Logger;
  metrics: BrokerMetrics;
  /** Aborted when the broker starts shutting down, so long polls return at once. */
  shutdown: AbortSignal;
}

export interface ConnectionInfo {
  readonly connectionId: string;
  clientId: string;
  readonly clientHost: string;
  handshaken: boolean;
  readonly signal: AbortSignal;
  push(frame: Uint8Array): void;
}

/** A handler answers its request; null means "send no response" (Produce with acks 0). */
export type Handler<N extends ApiName> = (body: RequestOf<N>, conn: ConnectionInfo) => Promise<ResponseOf<N> | null>;
export type ApiHandlers = { [N in ApiName]: Handler<N> };
