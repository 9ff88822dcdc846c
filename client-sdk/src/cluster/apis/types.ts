/**
 * How one of the cluster's APIs (Brook's request shapes) maps onto Kafka's: which Kafka API and
 * versions, where the request goes, and the two conversions. The inverse of the server's
 * adapters in server/src/transport/kafka/apis/.
 */
import type { kafka } from '@brook/protocol';
import type { ClusterApiName, ClusterRequestOf, ClusterResponseOf } from '../../transport/types.js';

export type KafkaApiName = kafka.KafkaApiName;
export type KafkaRequestOf<N extends KafkaApiName> = kafka.KafkaRequestOf<N>;
export type KafkaResponseOf<N extends KafkaApiName> = kafka.KafkaResponseOf<N>;

/**
 * A Kafka request value with the fields that keep their defaults left out: the codec writes a
 * missing field as its default, as Kafka's generated code does.
 */
export type Loose<T> = T extends Uint8Array ? T : T extends Array<infer U> ? Array<Loose<U>> : T extends object ? { [K in keyof T]?: Loose<T[K]> } : T;

/** Topic names and ids, as the cluster's metadata knows them (newer APIs name topics by id). */
export interface TopicIds {
  idOf(name: string): string | undefined;
  nameOf(id: string): string | undefined;
}

/** Where a request goes. */
export type Route =
  | { kind: 'any' }
  /** Every broker, answers merged (groups live on their coordinators). */
  | { kind: 'all' }
  /** Split per partition leader, answers merged. */
  | { kind: 'leaders' }
  /** The coordinator of a group (0) or a transactional id (1). */
  | { kind: 'coordinator'; keyType: 0 | 1; key: string };

export interface ApiMapping<N extends ClusterApiName, K extends KafkaApiName> {
  readonly kafka: K;
  /** The newest version this client writes (older than the codec's where a newer one changes meaning). */
  readonly maxVersion?: number;
  route(body: ClusterRequestOf<N>): Route;
  toKafka(body: ClusterRequestOf<N>, version: number, ids: TopicIds): Loose<KafkaRequestOf<K>>;
  fromKafka(res: KafkaResponseOf<K>, version: number, body: ClusterRequestOf<N>, ids: TopicIds): ClusterResponseOf<N>;
  /** Topic ids in the answer that must be known before `fromKafka` (ConsumerGroupHeartbeat). */
  topicIdsIn?(res: KafkaResponseOf<K>): string[];
}

/** Kafka's "no value" for nullable records and aborted-transaction lists, as Brook's shapes want them. */
export const EMPTY = new Uint8Array(0);
