/** Broker options: CLI flags and env vars map onto these (see cli.ts); defaults are Kafka's where Kafka has one. */
export interface BrokerOptions {
  host: string;
  port: number;
  dataDir: string;
  logLevel: string;
  /** Pretty logs (pino-pretty) instead of JSON lines; the CLI turns it on for a TTY. */
  prettyLogs: boolean;
  /** Largest WebSocket frame, and largest Kafka request, accepted; bigger ones close the connection (WebSocket code 1009). */
  maxFrameBytes: number;
  /** Default max.message.bytes for new topics (Kafka: the largest record batch). */
  maxMessageBytes: number;
  maxInFlightRequests: number;
  /** Answer bytes all clients together may leave unread before Fetch answers shrink (services/answerMemory.ts). */
  maxQueuedAnswerBytes: number;
  /** Request bytes all connections together may have read and not answered before each keeps to what it has in flight (services/answerMemory.ts; Kafka's queued.max.request.bytes). */
  maxQueuedRequestBytes: number;
  maxConnections: number;
  maxPartitionsPerTopic: number;
  /** Longest a Fetch may long-poll. */
  maxFetchWaitMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupHeartbeatIntervalMs: number;
  /** KIP-848 members that name no session timeout (all over Kafka's protocol; Kafka: group.consumer.session.timeout.ms). */
  groupSessionTimeoutMs: number;
  groupMaxSize: number;
  /** Classic groups: how long a new group waits for more members before its first rebalance (Kafka: group.initial.rebalance.delay.ms). */
  groupInitialRebalanceDelayMs: number;
  /** Offsets of an empty group expire this long after their commit (Kafka: offsets.retention.minutes = 7 days). */
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  /** Longest transaction timeout a producer may ask for (Kafka: transaction.max.timeout.ms = 15 min). */
  transactionMaxTimeoutMs: number;
  /** How often retention and compaction run. */
  logMaintenanceIntervalMs: number;
  /**
   * Longest acks=1 data waits for the fsync that makes it visible to consumers (Kafka's name:
   * log.flush.interval.ms). acks=all data is fsynced before its answer anyway.
   */
  logFlushIntervalMs: number;
  /** JSON file of principals and ACLs (see auth/authorizer.ts); unset: no authentication. */
  authFile: string | null;
  /**
   * TLS for the one port: the certificate (chain) and private key, PEM text or bytes. Set, the
   * broker serves https:// and wss:// instead of http:// and ws://. The CLI reads them from files.
   */
  tls: { cert: string | Buffer; key: string | Buffer } | null;
  /**
   * The Kafka listener's port (Kafka's own wire protocol over TCP, TLS with `tls`): null turns it
   * off (the programmatic default), 0 picks a free port. The CLI defaults to 9092.
   */
  kafkaPort: number | null;
  /** Interface the Kafka listener binds; null: `host`. */
  kafkaHost: string | null;
  /** The host Metadata and FindCoordinator name (set it in containers); null: the listen host. */
  kafkaAdvertisedHost: string | null;
  /**
   * Kafka's auto.create.topics.enable: a Metadata request with allowAutoTopicCreation creates the
   * unknown topics it names (with `autoCreateTopicPartitions` partitions). Off by default in Brook.
   */
  autoCreateTopics: boolean;
  /** Kafka's num.partitions: partitions of an auto-created topic. */
  autoCreateTopicPartitions: number;
  /**
   * Web origins (`https://app.example.com`, or `*`) whose pages may use the WebSocket endpoint and
   * the HTTP API, besides the broker's own pages; others are refused (see transport/originPolicy.ts).
   */
  allowedOrigins: string[];
}

export const defaultOptions: BrokerOptions = {
  host: '127.0.0.1',
  port: 7092,
  dataDir: './data',
  logLevel: 'info',
  prettyLogs: false,
  maxFrameBytes: 16 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024,
  maxInFlightRequests: 64,
  maxQueuedAnswerBytes: 32 * 1024 * 1024,
  maxQueuedRequestBytes: 2 * 1024 * 1024,
  maxConnections: 10_000,
  maxPartitionsPerTopic: 10_000,
  maxFetchWaitMs: 30_000,
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupHeartbeatIntervalMs: 3_000,
  groupSessionTimeoutMs: 45_000,
  groupMaxSize: 1_000,
  groupInitialRebalanceDelayMs: 3_000,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  transactionMaxTimeoutMs: 900_000,
  logMaintenanceIntervalMs: 30_000,
  logFlushIntervalMs: 10,
  authFile: null,
  tls: null,
  kafkaPort: null,
  kafkaHost: null,
  kafkaAdvertisedHost: null,
  autoCreateTopics: false,
  autoCreateTopicPartitions: 1,
  allowedOrigins: [],
};

export const BROKER_VERSION = '0.1.0';
