#!/usr/bin/env node
// brook-server: flags, env vars, signals. SIGTERM/SIGINT answer what is in flight, close LevelDB, exit 0.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { startBroker } from './broker.js';
import { defaultOptions } from './config.js';
import { StartupError } from './dataDir.js';
import { parseAllowedOrigins } from './transport/originPolicy.js';

const program = new Command()
  .name('brook-server')
  .description('Brook: a single-node, Kafka-style message broker')
  .option('--host <host>', 'interface to listen on (env BROOK_HOST)', process.env.BROOK_HOST ?? defaultOptions.host)
  .option('--port <port>', 'port for /ws, /api, /health, /metrics (0 picks a free one; env BROOK_PORT)', process.env.BROOK_PORT ?? String(defaultOptions.port))
  .option('--data-dir <dir>', 'where the LevelDB data lives (env BROOK_DATA_DIR)', process.env.BROOK_DATA_DIR ?? defaultOptions.dataDir)
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace, silent (env BROOK_LOG_LEVEL)', process.env.BROOK_LOG_LEVEL ?? defaultOptions.logLevel)
  .option('--auth-file <file>', 'JSON file of principals and ACLs; turns authentication on (env BROOK_AUTH_FILE)', process.env.BROOK_AUTH_FILE)
  .option('--group-min-session-timeout <ms>', 'smallest session timeout a member may ask for (env BROOK_GROUP_MIN_SESSION_TIMEOUT_MS)', process.env.BROOK_GROUP_MIN_SESSION_TIMEOUT_MS)
  .option('--group-max-size <n>', 'most members one consumer group may have (env BROOK_GROUP_MAX_SIZE)', process.env.BROOK_GROUP_MAX_SIZE)
  .option('--group-initial-rebalance-delay <ms>', 'classic groups: how long a new group waits for more members before its first rebalance (Kafka: group.initial.rebalance.delay.ms; default 3000; env BROOK_GROUP_INITIAL_REBALANCE_DELAY_MS)', process.env.BROOK_GROUP_INITIAL_REBALANCE_DELAY_MS)
  .option('--group-heartbeat-interval <ms>', "how often members heartbeat, capped at a third of each member's session timeout (env BROOK_GROUP_HEARTBEAT_INTERVAL_MS)", process.env.BROOK_GROUP_HEARTBEAT_INTERVAL_MS)
  .option('--group-session-timeout <ms>', "session timeout of members that name none, as every member over Kafka's protocol (env BROOK_GROUP_SESSION_TIMEOUT_MS)", process.env.BROOK_GROUP_SESSION_TIMEOUT_MS)
  .option('--tls-cert <file>', 'PEM certificate (chain): serve https:// and wss:// on the port (env BROOK_TLS_CERT; needs --tls-key)', process.env.BROOK_TLS_CERT)
  .option('--tls-key <file>', 'PEM private key of --tls-cert (env BROOK_TLS_KEY)', process.env.BROOK_TLS_KEY)
  .option('--kafka-port <port>', "Kafka's own wire protocol on this TCP port (TLS with --tls-cert); 0 picks a free one, off turns it off (env BROOK_KAFKA_PORT)", process.env.BROOK_KAFKA_PORT ?? '9092')
  .option('--kafka-host <host>', 'interface of the Kafka listener (default: --host; env BROOK_KAFKA_HOST)', process.env.BROOK_KAFKA_HOST)
  .option('--kafka-advertised-host <host>', 'host Kafka clients are told to connect to (default: the listen host; env BROOK_KAFKA_ADVERTISED_HOST)', process.env.BROOK_KAFKA_ADVERTISED_HOST)
  .option(
    '--allowed-origins <origins>',
    'comma-separated web origins (https://app.example.com) whose pages may use /ws and the HTTP API, or * for any; default: only the broker\'s own pages (env BROOK_ALLOWED_ORIGINS)',
    process.env.BROOK_ALLOWED_ORIGINS,
  )
  .option('--auto-create-topics', "Kafka's auto.create.topics.enable: Metadata may create unknown topics (env BROOK_AUTO_CREATE_TOPICS=true)", process.env.BROOK_AUTO_CREATE_TOPICS === 'true')
  .parse();

const o = program.opts<{
  host: string;
  port: string;
  dataDir: string;
  logLevel: string;
  authFile?: string;
  groupMinSessionTimeout?: string;
  groupHeartbeatInterval?: string;
  groupSessionTimeout?: string;
  groupMaxSize?: string;
  groupInitialRebalanceDelay?: string;
  tlsCert?: string;
  tlsKey?: string;
  kafkaPort: string;
  kafkaHost?: string;
  kafkaAdvertisedHost?: string;
  autoCreateTopics: boolean;
  allowedOrigins?: string;
}>();
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
if (!LOG_LEVELS.includes(o.logLevel)) {
  console.error(`brook-server: --log-level must be one of ${LOG_LEVELS.join(', ')}, got "${o.logLevel}"`);
  process.exit(2);
}
// Numeric flags are whole numbers; a group of at most 0 members could never form.
for (const [flag, v, unit, min] of [
  ['--group-min-session-timeout', o.groupMinSessionTimeout, 'milliseconds', 0],
  ['--group-heartbeat-interval', o.groupHeartbeatInterval, 'milliseconds', 0],
  ['--group-session-timeout', o.groupSessionTimeout, 'milliseconds', 1],
  ['--group-max-size', o.groupMaxSize, 'members', 1],
  ['--group-initial-rebalance-delay', o.groupInitialRebalanceDelay, 'milliseconds', 0],
] as const) {
  if (v !== undefined && !(/^\d+$/.test(v) && Number(v) >= min)) {
    console.error(`brook-server: ${flag} must be a whole number of ${unit}${min > 0 ? ` (at least ${min})` : ''}, got "${v}"`);
    process.exit(2);
  }
}
const port = Number(o.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`brook-server: --port must be an integer 0-65535, got "${o.port}"`);
  process.exit(2);
}
const kafkaOff = o.kafkaPort === 'off' || o.kafkaPort === 'none';
const kafkaPort = kafkaOff ? null : Number(o.kafkaPort);
if (kafkaPort !== null && (!Number.isInteger(kafkaPort) || kafkaPort < 0 || kafkaPort > 65535)) {
  console.error(`brook-server: --kafka-port must be an integer 0-65535 or "off", got "${o.kafkaPort}"`);
  process.exit(2);
}
if (!o.tlsCert !== !o.tlsKey) {
  console.error('brook-server: TLS needs both --tls-cert and --tls-key (env BROOK_TLS_CERT and BROOK_TLS_KEY)');
  process.exit(2);
}
function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    console.error(`brook-server: cannot read ${flag} ${file}: ${(e as Error).message}`);
    process.exit(2);
  }
}
const allowedOrigins = parseAllowedOrigins(o.allowedOrigins);
for (const origin of allowedOrigins) {
  if (origin !== '*' && !/^https?:\/\/[^/\s]+$/i.test(origin)) {
    console.error(`brook-server: --allowed-origins takes origins like https://app.example.com (scheme, host, optional port; no path) or *, got "${origin}"`);
    process.exit(2);
  }
}
const tls = o.tlsCert && o.tlsKey ? { cert: readPem('--tls-cert', o.tlsCert), key: readPem('--tls-key', o.tlsKey) } : null;

// Handlers first: a signal that arrives while the broker starts (or just after its "listening"
// line) shuts it down cleanly once it is up, instead of killing the process mid-write.
// A second signal before the broker is up exits at once (a long recovery can still be cut short).
let broker: Awaited<ReturnType<typeof startBroker>> | null = null;
let signalled: string | null = null;
let closing = false;
const shutdown = () => {
  if (broker === null || signalled === null || closing) return;
  closing = true;
  const b = broker;
  b.logger.info({ signal: signalled }, 'signal received');
  b.close().then(
    () => process.exit(0),
    (err: unknown) => {
      b.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
const onSignal = (signal: string) => {
  if (signalled !== null && broker === null) process.exit(1);
  signalled ??= signal;
  shutdown();
};
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));

try {
  broker = await startBroker({
    host: o.host,
    port,
    dataDir: o.dataDir,
    logLevel: o.logLevel,
    prettyLogs: process.stdout.isTTY === true,
    authFile: o.authFile ?? null,
    groupMinSessionTimeoutMs: o.groupMinSessionTimeout ? Number(o.groupMinSessionTimeout) : undefined,
    groupHeartbeatIntervalMs: o.groupHeartbeatInterval ? Number(o.groupHeartbeatInterval) : undefined,
    groupSessionTimeoutMs: o.groupSessionTimeout ? Number(o.groupSessionTimeout) : undefined,
    groupMaxSize: o.groupMaxSize ? Number(o.groupMaxSize) : undefined,
    groupInitialRebalanceDelayMs: o.groupInitialRebalanceDelay !== undefined ? Number(o.groupInitialRebalanceDelay) : undefined,
    tls,
    kafkaPort,
    kafkaHost: o.kafkaHost ?? null,
    kafkaAdvertisedHost: o.kafkaAdvertisedHost ?? null,
    autoCreateTopics: o.autoCreateTopics,
    allowedOrigins,
  });
  shutdown(); // if a signal came during start-up
} catch (err) {
  // StartupError's message already names its cause; anything else may hide the reason in `cause`.
  const cause = err instanceof Error && !(err instanceof StartupError) && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  console.error(`brook-server: failed to start: ${(err as Error).message}${cause}`);
  process.exit(1);
}
