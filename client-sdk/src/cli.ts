#!/usr/bin/env node
/**
 * `brook`: the command-line tool, shaped like Kafka's kafka-topics.sh / kafka-consumer-groups.sh
 * and kcat. Admin commands talk to the broker's HTTP admin API; produce/consume use the SDK.
 * With --bootstrap-server the SDK speaks Kafka's protocol instead (Brook's Kafka port or a Kafka
 * cluster): produce, consume and the topic and group commands Kafka's APIs can answer.
 * Node only (never loaded by browsers).
 */
import { Command, Option } from 'commander';
import { fstatSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { BrookError } from '@brook/protocol';
import type { Admin } from './admin.js';
import { Brook } from './brook.js';
import type { MissingTopicsPayload } from './consumer/types.js';
import { logLevel } from './logger.js';
import { kafkaTopicConfig, migrate } from './migrate/index.js';
import { CliError, credentials, parseConfig, parseDuration, repeatable, targetSecurity, wholeNumber, type MigrateFlags, type SaslFlags, type SaslMechanismFlag } from './cli/args.js';

interface Globals {
  url: string;
  bootstrapServer?: string;
  saslMechanism: SaslMechanismFlag;
  user?: string;
  ca?: string;
  json?: boolean;
}

function sasl(): SaslFlags | undefined {
  return credentials('--user', globals().user, globals().saslMechanism);
}

const program = new Command()
  .name('brook')
  .description('Inspect and operate a Brook broker')
  .option('--url <url>', 'broker address, http://host:port, or https://host:port for a TLS broker (ws:// and wss:// work too; env BROOK_URL)', process.env.BROOK_URL ?? 'http://127.0.0.1:7092')
  .option('--bootstrap-server <host:port,...>', "speak Kafka's protocol to these brokers (Brook's Kafka port or a Kafka cluster) instead of --url (env BROOK_BOOTSTRAP_SERVER)", process.env.BROOK_BOOTSTRAP_SERVER)
  .option('--user <name:secret>', 'credentials when the broker requires authentication (env BROOK_USER)', process.env.BROOK_USER)
  .addOption(new Option('--sasl-mechanism <mechanism>', 'SASL mechanism with --bootstrap-server').choices(['plain', 'scram-sha-256', 'scram-sha-512']).default('plain'))
  .option('--ca <file>', "PEM file of the CA that signed a TLS broker's certificate; with --bootstrap-server it turns TLS on (env BROOK_CA)", process.env.BROOK_CA)
  .option('--json', 'print JSON instead of tables (for scripts)')
  .showHelpAfterError();

function globals(): Globals {
  return program.opts<Globals>();
}

function httpBase(): string {
  const given = globals().url;
  // A bare host:port (Kafka's bootstrap-server habit) means http://host:port.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
  let u: URL;
  try {
    u = new URL(withScheme.replace(/^ws(s?):/i, 'http$1:'));
  } catch {
    throw new CliError(`--url ${given} is not a URL: give http://host:port (or https://host:port for a TLS broker)`);
  }
  return `${u.protocol}//${u.host}`;
}

function wsUrl(): string {
  const u = new URL(httpBase());
  return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws`;
}

/** The --bootstrap-server list, or null when the CLI talks to --url. */
function bootstrap(): string[] | null {
  const b = globals().bootstrapServer;
  return b ? b.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : null;
}

/** An SDK client: Kafka's protocol with --bootstrap-server, else the broker's WebSocket. */
function client(): Brook {
  const brokers = bootstrap();
  const where = brokers ? { brokers } : { url: wsUrl() };
  return new Brook({ ...where, clientId: 'brook-cli', logLevel: logLevel.ERROR, sasl: sasl(), ssl: ssl() });
}

/** Runs an admin-client action (the --bootstrap-server path of the topic and group commands). */
async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = client().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

function needsHttp(what: string): never {
  throw new CliError(`${what} needs the broker's HTTP admin API: give --url instead of --bootstrap-server`);
}

let caPem: Buffer | undefined | null = null;
/** The --ca file's contents (read once), for https:// and wss://. */
function ca(): Buffer | undefined {
  if (caPem !== null) return caPem;
  const file = globals().ca;
  try {
    return (caPem = file ? readFileSync(file) : undefined);
  } catch (e) {
    throw new CliError(`cannot read --ca ${file}: ${(e as Error).message}`);
  }
}

/** The SDK's `ssl` option: the --ca file for a TLS broker. */
function ssl(): { ca: Buffer } | undefined {
  const c = ca();
  return c ? { ca: c } : undefined;
}

/** One HTTP(S) request with node:http(s), which (unlike fetch) takes a CA per request. */
function send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; statusText: string; text: string }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, ca: ca() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: { status: number; statusText: string; text: string };
  try {
    res = await send(
      method,
      `${httpBase()}${path}`,
      {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(globals().user ? { authorization: `Bearer ${globals().user}` } : {}),
      },
      body === undefined ? undefined : JSON.stringify(body),
    );
  } catch (e) {
    if (e instanceof CliError) throw e;
    const err = e as Error & { code?: string };
    const hint = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS/.test(err.code ?? '') ? " (give the CA that signed the broker's certificate with --ca FILE)" : '';
    throw new CliError(`cannot reach the broker at ${httpBase()}: ${err.message}${hint}`);
  }
  if (res.status === 204) return undefined as T;
  const data = res.text ? (JSON.parse(res.text) as unknown) : undefined;
  if (res.status < 200 || res.status >= 300) {
    const err = data as { error?: string; message?: string } | undefined;
    throw new CliError(`${err?.error ?? res.status}: ${err?.message ?? res.statusText}`);
  }
  return data as T;
}

/** Prints rows as an aligned table (Kafka tools' style) or as JSON with --json. */
function table(rows: Array<Record<string, unknown>>, columns: string[], json: unknown = rows): void {
  if (globals().json) {
    console.log(JSON.stringify(json, null, 2));
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined || v === '' ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(columns.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const r of rows) console.log(columns.map((c, i) => cell(r[c]).padEnd(widths[i]!)).join('  ').trimEnd());
}

// ---- topics
const topics = program.command('topics').description('list, create, describe and delete topics');
topics.command('list').action(async () => {
  if (bootstrap()) {
    const meta = await withAdmin((a) => a.fetchTopicMetadata());
    const rows = meta.topics.map((t) => ({ name: t.name, partitions: t.partitions.length, internal: false })).sort((a, b) => a.name.localeCompare(b.name));
    table(rows.map((t) => ({ TOPIC: t.name, PARTITIONS: t.partitions, INTERNAL: t.internal })), ['TOPIC', 'PARTITIONS', 'INTERNAL'], rows);
    return;
  }
  const list = await api<Array<{ name: string; partitions: number; internal: boolean }>>('GET', '/api/topics');
  table(list.map((t) => ({ TOPIC: t.name, PARTITIONS: t.partitions, INTERNAL: t.internal })), ['TOPIC', 'PARTITIONS', 'INTERNAL'], list);
});
topics
  .command('create <name>')
  .requiredOption('--partitions <n>', 'number of partitions', wholeNumber(1))
  .option('--config <k=v>', 'topic config, repeatable', repeatable, [] as string[])
  .option('--replication-factor <n>', 'replicas per partition (Kafka clusters, with --bootstrap-server)', wholeNumber(1))
  .action(async (name: string, o: { partitions: number; config: string[]; replicationFactor?: number }) => {
    if (bootstrap()) {
      const configEntries = Object.entries(parseConfig(o.config)).map(([k, value]) => ({ name: k, value }));
      const created = await withAdmin((a) => a.createTopics({ topics: [{ topic: name, numPartitions: o.partitions, replicationFactor: o.replicationFactor, configEntries }] }));
      if (!created) throw new CliError(`TOPIC_ALREADY_EXISTS: topic ${name} already exists`);
      if (globals().json) console.log(JSON.stringify({ name, partitions: o.partitions }));
      else console.log(`Created topic ${name} with ${o.partitions} partitions.`);
      return;
    }
    const r = await api<unknown>('POST', '/api/topics', { name, partitions: o.partitions, config: parseConfig(o.config) });
    if (globals().json) console.log(JSON.stringify(r));
    else console.log(`Created topic ${name} with ${o.partitions} partitions.`);
  });
topics.command('describe <name>').action(async (name: string) => {
  if (bootstrap()) {
    const offsets = await withAdmin((a) => a.fetchTopicOffsets(name));
    const t = { name, partitions: offsets.map((o) => ({ partition: o.partition, startOffset: o.low, endOffset: o.high })) };
    if (!globals().json) console.log(`Topic: ${name}  Partitions: ${t.partitions.length}`);
    table(t.partitions.map((p) => ({ PARTITION: p.partition, 'START-OFFSET': p.startOffset, 'END-OFFSET': p.endOffset })), ['PARTITION', 'START-OFFSET', 'END-OFFSET'], t);
    return;
  }
  const t = await api<{ name: string; partitions: Array<{ partition: number; startOffset: string; endOffset: string }>; config: Record<string, unknown> }>(
    'GET',
    `/api/topics/${encodeURIComponent(name)}`,
  );
  if (!globals().json) console.log(`Topic: ${t.name}  Partitions: ${t.partitions.length}  Config: ${Object.entries(t.config).map(([k, v]) => `${k}=${v}`).join(',')}`);
  table(t.partitions.map((p) => ({ PARTITION: p.partition, 'START-OFFSET': p.startOffset, 'END-OFFSET': p.endOffset })), ['PARTITION', 'START-OFFSET', 'END-OFFSET'], t);
});
topics.command('delete <name>').action(async (name: string) => {
  if (bootstrap()) await withAdmin((a) => a.deleteTopics({ topics: [name] }));
  else await api('DELETE', `/api/topics/${encodeURIComponent(name)}`);
  if (!globals().json) console.log(`Deleted topic ${name}.`);
});

// ---- groups
interface GroupView {
  groupId: string;
  state: string;
  epoch: number;
  assignor: string;
  memberCount: number;
  totalLag: string;
  members: Array<{ memberId: string; instanceId: string | null; clientId: string; host: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  offsets: Array<{ topic: string; partition: number; committedOffset: string | null; endOffset: string; lag: string | null; memberId: string | null; clientId: string | null; host: string | null }>;
}

const groups = program.command('groups').description('inspect consumer groups and manage their offsets');
groups.command('list').action(async () => {
  if (bootstrap()) {
    const { groups: list } = await withAdmin((a) => a.listGroups());
    table(list.map((g) => ({ GROUP: g.groupId, STATE: g.state.toUpperCase(), MEMBERS: g.members })), ['GROUP', 'STATE', 'MEMBERS'], list);
    return;
  }
  const list = await api<Array<{ groupId: string; state: string; members: number; totalLag: string }>>('GET', '/api/groups');
  table(list.map((g) => ({ GROUP: g.groupId, STATE: g.state.toUpperCase(), MEMBERS: g.members, LAG: g.totalLag })), ['GROUP', 'STATE', 'MEMBERS', 'LAG'], list);
});
groups
  .command('describe <group>')
  .option('--members', 'one row per member')
  .option('--state', 'the group state only')
  .action(async (group: string, o: { members?: boolean; state?: boolean }) => {
    if (bootstrap()) needsHttp('groups describe');
    const g = await api<GroupView>('GET', `/api/groups/${encodeURIComponent(group)}`);
    if (o.state) {
      table([{ GROUP: g.groupId, 'ASSIGNMENT-STRATEGY': g.assignor, STATE: g.state.toUpperCase(), EPOCH: g.epoch, '#MEMBERS': g.memberCount }], ['GROUP', 'ASSIGNMENT-STRATEGY', 'STATE', 'EPOCH', '#MEMBERS'], g);
      return;
    }
    if (o.members) {
      table(
        g.members.map((m) => ({
          GROUP: g.groupId,
          'CONSUMER-ID': m.memberId,
          'GROUP-INSTANCE-ID': m.instanceId,
          HOST: m.host,
          'CLIENT-ID': m.clientId,
          '#PARTITIONS': m.assignment.reduce((s, a) => s + a.partitions.length, 0),
          ASSIGNMENT: m.assignment.map((a) => `${a.topic}(${a.partitions.join(',')})`).join(', '),
        })),
        ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT'],
        g,
      );
      return;
    }
    table(
      g.offsets.map((r) => ({
        GROUP: g.groupId,
        TOPIC: r.topic,
        PARTITION: r.partition,
        'CURRENT-OFFSET': r.committedOffset,
        'LOG-END-OFFSET': r.endOffset,
        LAG: r.lag,
        'CONSUMER-ID': r.memberId,
        HOST: r.host,
        'CLIENT-ID': r.clientId,
      })),
      ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      g,
    );
  });

groups
  .command('reset-offsets <group>')
  .requiredOption('--topic <topic[:partitions]>', 'topic, optionally with partitions: orders:0,1,2')
  .addOption(new Option('--to-earliest').conflicts(['toLatest', 'toOffset', 'shiftBy', 'toDatetime', 'byDuration']))
  .addOption(new Option('--to-latest'))
  .addOption(new Option('--to-offset <n>'))
  .addOption(new Option('--shift-by <n>'))
  .addOption(new Option('--to-datetime <iso>'))
  .addOption(new Option('--by-duration <duration>'))
  .option('--execute', 'apply the change (default is a dry run that shows before/after)')
  .action(async (group: string, o: Record<string, string | boolean | undefined>) => {
    if (bootstrap()) needsHttp('groups reset-offsets');
    const [topic, parts] = String(o.topic).split(':');
    const partitions = parts ? parts.split(',').map((p) => Number.parseInt(p, 10)) : undefined;
    if (partitions?.some((p) => !Number.isInteger(p) || p < 0)) throw new CliError(`bad partition list "${parts}"`);
    let to: unknown;
    if (o.toEarliest) to = 'earliest';
    else if (o.toLatest) to = 'latest';
    else if (o.toOffset !== undefined) to = { offset: String(o.toOffset) };
    else if (o.shiftBy !== undefined) to = { shiftBy: String(o.shiftBy) };
    else if (o.toDatetime !== undefined) {
      const ts = Date.parse(String(o.toDatetime));
      if (Number.isNaN(ts)) throw new CliError(`--to-datetime expects an ISO date-time, got "${o.toDatetime}"`);
      to = { timestamp: ts };
    } else if (o.byDuration !== undefined) to = { timestamp: Date.now() - parseDuration(String(o.byDuration)) };
    else throw new CliError('choose one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime, --by-duration');
    const r = await api<{ offsets: Array<{ partition: number; previousOffset: string | null; newOffset: string }> }>(
      'POST',
      `/api/groups/${encodeURIComponent(group)}/offsets/reset`,
      { topic, to, partitions, dryRun: !o.execute },
    );
    table(
      r.offsets.map((x) => ({ GROUP: group, TOPIC: topic, PARTITION: x.partition, 'CURRENT-OFFSET': x.previousOffset, 'NEW-OFFSET': x.newOffset })),
      ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
      r,
    );
    if (globals().json) return;
    if (o.execute) console.log(`\nApplied: group ${group} now starts ${topic} at NEW-OFFSET on ${r.offsets.length} partition(s).`);
    else console.log('\nDry run: nothing changed. Add --execute to apply.');
  });
groups.command('delete <group>').action(async (group: string) => {
  if (bootstrap()) await withAdmin((a) => a.deleteGroups([group]));
  else await api('DELETE', `/api/groups/${encodeURIComponent(group)}`);
  if (!globals().json) console.log(`Deleted group ${group}.`);
});
groups
  .command('delete-offsets <group>')
  .requiredOption('--topic <topic>')
  .action(async (group: string, o: { topic: string }) => {
    if (bootstrap()) await withAdmin((a) => a.deleteTopicOffsets({ groupId: group, topic: o.topic }));
    else await api('DELETE', `/api/groups/${encodeURIComponent(group)}/offsets?topic=${encodeURIComponent(o.topic)}`);
    if (!globals().json) console.log(`Deleted offsets of group ${group} for topic ${o.topic}.`);
  });

// ---- produce / consume (kcat-like)
program
  .command('produce <topic>')
  .description('send stdin lines as messages')
  .option('--key-separator <sep>', 'split each line into key and value at the first separator')
  .option('--acks <acks>', "0, 1 or all", 'all')
  .action(async (topic: string, o: { keySeparator?: string; acks: string }) => {
    const acks = o.acks === 'all' ? -1 : Number(o.acks);
    const brook = client();
    const producer = brook.producer();
    await producer.connect();
    const rl = createInterface({ input: process.stdin });
    let pending: Array<{ key: string | null; value: string }> = [];
    let sent = 0;
    const started = Date.now();
    // A bar when stdin is a file of known size, a running count otherwise; only on a terminal.
    let total = 0;
    let readBytes = 0;
    try {
      const st = fstatSync(0);
      if (st.isFile()) total = st.size;
    } catch {
      /* not a file */
    }
    const progress = process.stderr.isTTY
      ? () => {
          const rate = Math.round(sent / Math.max(0.001, (Date.now() - started) / 1000));
          if (total > 0) {
            const done = Math.min(1, readBytes / total);
            const w = 30;
            process.stderr.write(`\r[${'#'.repeat(Math.round(done * w)).padEnd(w)}] ${Math.round(done * 100)}%  ${sent} messages, ${rate} msg/s`);
          } else process.stderr.write(`\rsent ${sent} messages (${rate} msg/s)`);
        }
      : () => {};
    const flush = async () => {
      if (pending.length === 0) return;
      const messages = pending;
      pending = [];
      await producer.send({ topic, acks, messages });
      sent += messages.length;
      progress();
    };
    for await (const line of rl) {
      readBytes += Buffer.byteLength(line) + 1;
      if (o.keySeparator !== undefined && line.includes(o.keySeparator)) {
        const i = line.indexOf(o.keySeparator);
        pending.push({ key: line.slice(0, i), value: line.slice(i + o.keySeparator.length) });
      } else pending.push({ key: null, value: line });
      if (pending.length >= 500) await flush();
    }
    await flush();
    if (process.stderr.isTTY) process.stderr.write('\n');
    await producer.disconnect();
    if (globals().json) console.log(JSON.stringify({ topic, sent }));
  });

program
  .command('consume <topic>')
  .description('print messages as they arrive (Ctrl-C to stop)')
  .option('--group <group>', 'consumer group (default: a throwaway group)')
  .option('--from-beginning', 'start at the earliest offset when the group has no committed offset')
  .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--max-messages <n>', 'exit after this many messages', wholeNumber(1))
  .action(async (topic: string, o: { group?: string; fromBeginning?: boolean; format: string; maxMessages?: number }) => {
    const brook = client();
    const consumer = brook.consumer({ groupId: o.group ?? `brook-cli-${Math.random().toString(36).slice(2, 10)}` });
    // Without this a misspelt topic would just wait in silence.
    consumer.on(consumer.events.MISSING_TOPICS, (e) => {
      const { topics } = e.payload as unknown as MissingTopicsPayload;
      console.error(`brook: topic ${topics.join(', ')} not found; waiting for it to be created (Ctrl-C to stop)`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: o.fromBeginning === true });
    let count = 0;
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await consumer.disconnect();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (stopping) return;
        const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));
        if (o.format === 'json') {
          console.log(JSON.stringify({ topic, partition, offset: message.offset, timestamp: message.timestamp, key: text(message.key), value: text(message.value) }));
        } else console.log(message.key ? `${text(message.key)}\t${text(message.value)}` : String(text(message.value)));
        count++;
        if (o.maxMessages !== undefined && count >= o.maxMessages) void stop();
      },
    });
  });

program
  .command('migrate')
  .description('copy topics, committed records and group offsets from this Brook broker (--url) to a Kafka cluster (resumable: run it again to finish or check)')
  .requiredOption('--to <host:port,...>', "the Kafka cluster's bootstrap servers")
  .option('--topic <topic>', 'only this topic, repeatable (default: every non-internal topic)', repeatable, [] as string[])
  .option('--group <group>', 'only this group, repeatable (default: every group with committed offsets)', repeatable, [] as string[])
  .option('--dry-run', 'print the plan and stop')
  .option('--verify', 'then compare record counts and sha256 checksums per partition')
  .option('--to-user <name:secret>', "the Kafka cluster's SASL credentials (env BROOK_TO_USER)", process.env.BROOK_TO_USER)
  .addOption(new Option('--to-sasl-mechanism <mechanism>', "the Kafka cluster's SASL mechanism").choices(['plain', 'scram-sha-256', 'scram-sha-512']).default('plain'))
  .option('--to-ca <file>', "TLS to the Kafka cluster, trusting this PEM CA (env BROOK_TO_CA)", process.env.BROOK_TO_CA)
  .option('--to-tls', "TLS to the Kafka cluster, trusting the system's CAs")
  .action(async (o: MigrateFlags) => {
    if (bootstrap()) throw new CliError('migrate reads from a Brook broker: give its --url (the target is --to)');
    const common = { clientId: 'brook-migrate', logLevel: logLevel.ERROR };
    const result = await migrate({
      source: { ...common, url: wsUrl(), sasl: sasl(), ssl: ssl() },
      target: { ...common, brokers: o.to.split(',').map((s) => s.trim()).filter(Boolean), ...targetSecurity(o) },
      topics: o.topic,
      groups: o.group,
      dryRun: o.dryRun === true,
      verify: o.verify === true,
      topicConfig: async (topic) => kafkaTopicConfig((await api<{ config: Record<string, unknown> }>('GET', `/api/topics/${encodeURIComponent(topic)}`)).config),
      log: (line) => console.log(line),
      tty: process.stderr.isTTY ? process.stderr : null,
    });
    if (result.mismatches && result.mismatches.length > 0) process.exitCode = 1;
  });

program.parseAsync().catch((e: unknown) => {
  // SDK errors carry Kafka's error name (as the admin API's answers do): print it first.
  const type = e instanceof BrookError ? e.type : undefined;
  const message = e instanceof Error ? e.message : String(e);
  console.error(`brook: ${type && !message.startsWith(type) ? `${type}: ` : ''}${message}`);
  process.exit(1);
});
