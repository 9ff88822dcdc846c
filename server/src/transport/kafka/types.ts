// What a per-API adapter of the Kafka listener is given and what it returns.
import type { kafka } from '@brook/protocol';
import type { BrokerContext, ConnectionInfo } from '../../api/types.js';
import type { BrokerHandlers } from '../../api/index.js';
import type { SaslSession } from '../../auth/sasl.js';

export type KafkaApiName = kafka.KafkaApiName;
export type KafkaRequestOf<N extends KafkaApiName> = kafka.KafkaRequestOf<N>;
export type KafkaResponseOf<N extends KafkaApiName> = kafka.KafkaResponseOf<N>;

/** A Kafka connection as handlers and adapters see it. */
/** `close` lets the answers already queued (this request's too) go out first. */
export interface KafkaConnectionInfo extends ConnectionInfo {
  /** The SASL exchange of this connection (null before SaslHandshake). */
  sasl: SaslSession | null;
  /** True once SASL succeeded, or from the start when the broker runs without authentication. */
  authenticated: boolean;
}

export interface KafkaRequestContext {
  /** The API version the client asked for; the response is written in it. */
  readonly version: number;
  readonly conn: KafkaConnectionInfo;
  readonly ctx: BrokerContext;
  /** The shared handlers (the same ones the WebSocket door calls). */
  readonly handlers: BrokerHandlers;
}

/**
 * One Kafka API: decode into the shared handler's request shape, call it, map its answer to
 * Kafka's response for the requested version. `handle` must call the handler before its first
 * await, so requests of one connection reach the handlers in the order they were sent.
 * `error` is Kafka's answer when the whole request fails (Kafka's getErrorResponse); without it,
 * such a failure closes the connection.
 */
export interface KafkaAdapter<N extends KafkaApiName> {
  handle(body: KafkaRequestOf<N>, rc: KafkaRequestContext): Promise<KafkaResponseOf<N> | null>;
  error?(body: KafkaRequestOf<N>, errorCode: number, errorMessage: string, rc: KafkaRequestContext): KafkaResponseOf<N>;
}

export type KafkaAdapters = { [N in KafkaApiName]?: KafkaAdapter<N> };
