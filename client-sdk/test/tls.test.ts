// TLS on the one port, as a user runs it: certificates made with the openssl CLI at test time, the
// built broker in a child process with --tls-cert/--tls-key, the SDK (Brook and Kafka shapes) over
// wss:// with the CA, the admin API over https://, the `brook` CLI with --ca, and refusals for
// clients that do not trust the certificate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startBroker } from '@brook/server';
import { Brook, BrookError, Kafka, logLevel, type LogEntry } from '../src/index.js';
import { selfSignedCert } from './processTools.js';

const serverCli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
const brookCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

let dir: string;
let certFile: string;
let keyFile: string;
let otherCertFile: string;
let ca: Buffer;
let broker: ChildProcess;
let exited: Promise<void>;
let port: number;

const selfSigned = (name: string) => selfSignedCert(dir, name);

function spawnTlsBroker(dataDir: string, extra: string[]): Promise<number> {
  broker = spawn(process.execPath, [serverCli, '--port', '0', '--kafka-port', '0', '--data-dir', dataDir, '--log-level', 'info', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((r) => broker.on('exit', () => r()));
  let stderr = '';
  broker.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in 20 s: ${stderr}`)), 20_000);
    createInterface({ input: broker.stdout! }).on('line', (line) => {
      try {
        const j = JSON.parse(line) as { port?: number; tls?: boolean; msg?: string };
        if (j.msg?.startsWith('Brook listening') && j.port) {
          clearTimeout(timer);
          if (j.tls !== true) reject(new Error('broker is not serving TLS'));
          resolve(j.port);
        }
      } catch {
        /* not JSON */
      }
    });
    void exited.then(() => reject(new Error(`broker exited: ${stderr}`)));
  });
}

function httpsGet(path: string, opts: { ca?: Buffer } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`https://127.0.0.1:${port}${path}`, { ca: opts.ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function runCli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [brookCli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(stdin);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brook-tls-test-'));
  const own = selfSigned('broker');
  certFile = own.cert;
  keyFile = own.key;
  otherCertFile = selfSigned('someone-else').cert;
  ca = readFileSync(certFile);
  port = await spawnTlsBroker(join(dir, 'data'), ['--tls-cert', certFile, '--tls-key', keyFile]);
});

afterAll(async () => {
  broker?.kill('SIGTERM');
  await exited;
  await rm(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves the admin API over https, and nothing over plain http', async () => {
    const health = await httpsGet('/health', { ca });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const topics = await httpsGet('/api/topics', { ca });
    expect(topics.status).toBe(200);
    expect(JSON.parse(topics.body)).toContainEqual(expect.objectContaining({ name: '__consumer_offsets', partitions: 1, internal: true }));
    // Without the CA the certificate is not trusted.
    await expect(httpsGet('/health')).rejects.toThrow(/self-signed certificate/);
    // Plain HTTP on the TLS port gets no answer.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('produces and consumes through the SDK over wss:// with the CA', async () => {
    const brook = new Brook({ url: `wss://127.0.0.1:${port}/ws`, clientId: 'tls-test', ssl: { ca }, logLevel: logLevel.NOTHING });
    const admin = brook.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'secure', numPartitions: 3 }] });
    const producer = brook.producer();
    await producer.connect();
    const values = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await producer.send({ topic: 'secure', messages: values.map((value) => ({ key: value, value })) });
    const consumer = brook.consumer({ groupId: 'tls-g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['secure'], fromBeginning: true });
    const seen: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === values.length) done();
      },
    });
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${seen.length} messages`)), 20_000))]);
    expect(seen.sort()).toEqual([...values].sort());
    await consumer.disconnect();
    await producer.disconnect();
    // The group's committed offsets are visible over https too.
    const group = JSON.parse((await httpsGet('/api/groups/tls-g', { ca })).body) as { offsets: Array<{ committedOffset: string | null }> };
    expect(group.offsets.reduce((s, o) => s + Number(o.committedOffset ?? 0), 0)).toBe(values.length);
    await admin.disconnect();
  });

  it('a ws:// broker entry with ssl set goes over wss:// (KafkaJS shape; host:port entries speak Kafka, see kafka-transport/)', async () => {
    const kafka = new Kafka({ clientId: 'tls-kafka', brokers: [`ws://127.0.0.1:${port}/ws`], ssl: { ca }, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain('secure');
    await admin.disconnect();
    // ssl: { rejectUnauthorized: false } skips verification (never in production).
    const insecure = new Kafka({ brokers: [`ws://127.0.0.1:${port}/ws`], ssl: { rejectUnauthorized: false }, logLevel: logLevel.NOTHING });
    const a2 = insecure.admin();
    await a2.connect();
    expect(await a2.listTopics()).toContain('secure');
    await a2.disconnect();
  });

  it('refuses clients that do not trust the certificate, and says why', async () => {
    const logs: string[] = [];
    const logCreator = () => (e: LogEntry) => void logs.push(e.log.message);
    const refused = async (config: ConstructorParameters<typeof Brook>[0]) => {
      const admin = new Brook({ ...config, logLevel: logLevel.ERROR, logCreator, retry: { retries: 1 } }).admin();
      const err = await admin.connect().then(
        () => null,
        (e: unknown) => e,
      );
      await admin.disconnect().catch(() => {});
      return err;
    };
    // No CA: the system's CAs do not know this self-signed certificate.
    const noCa = await refused({ url: `wss://127.0.0.1:${port}/ws` });
    expect(noCa).toBeInstanceOf(BrookError);
    expect((noCa as BrookError).type).toBe('NETWORK_EXCEPTION');
    // Someone else's CA.
    expect(await refused({ url: `wss://127.0.0.1:${port}/ws`, ssl: { ca: readFileSync(otherCertFile) } })).toBeInstanceOf(BrookError);
    // Plain ws:// to the TLS port.
    expect(await refused({ url: `ws://127.0.0.1:${port}/ws` })).toBeInstanceOf(BrookError);
    expect(logs.some((m) => /TLS connection to wss:\/\/127\.0\.0\.1:\d+\/ws failed: self-signed certificate/.test(m))).toBe(true);
  });

  it('the brook CLI takes wss:// or https:// URLs and --ca', async () => {
    const url = `wss://127.0.0.1:${port}`;
    const list = await runCli(['--url', url, '--ca', certFile, '--json', 'topics', 'list']);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ name: 'secure', partitions: 3, internal: false }));
    expect((await runCli(['--url', `https://127.0.0.1:${port}`, '--ca', certFile, 'topics', 'create', 'cli-secure', '--partitions', '1'])).code).toBe(0);
    const produced = await runCli(['--url', url, '--ca', certFile, '--json', 'produce', 'cli-secure'], 'one\ntwo\n');
    expect(JSON.parse(produced.stdout)).toEqual({ topic: 'cli-secure', sent: 2 });
    const consumed = await runCli(['--url', url, '--ca', certFile, 'consume', 'cli-secure', '--from-beginning', '--max-messages', '2']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['one', 'two']);
    const untrusted = await runCli(['--url', url, 'topics', 'list']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('self-signed certificate');
    expect(untrusted.stderr).toContain('--ca FILE');
  });

  it('startBroker({ tls }) returns wss:// and https:// URLs, and refuses a key that does not match', async () => {
    const dataDir = join(dir, 'embedded');
    const b = await startBroker({ port: 0, dataDir, logLevel: 'silent', tls: { cert: readFileSync(certFile), key: readFileSync(keyFile, 'utf8') } });
    try {
      expect(b.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
      expect(b.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await new Promise<number>((resolve, reject) => request(`${b.httpUrl}/health`, { ca }, (r) => resolve(r.statusCode ?? 0)).on('error', reject).end());
      expect(res).toBe(200);
    } finally {
      await b.close();
    }
    const wrongKey = selfSigned('mismatch').key;
    await expect(startBroker({ port: 0, dataDir, logLevel: 'silent', tls: { cert: readFileSync(certFile), key: readFileSync(wrongKey) } })).rejects.toThrow(/key values mismatch/);
    // It failed before opening anything: the data directory is not left locked.
    await (await startBroker({ port: 0, dataDir, logLevel: 'silent' })).close();
  });

  it('brook-server wants both --tls-cert and --tls-key', async () => {
    const p = spawn(process.execPath, [serverCli, '--port', '0', '--data-dir', join(dir, 'half'), '--tls-cert', certFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => p.on('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('needs both --tls-cert and --tls-key');
  });
});
