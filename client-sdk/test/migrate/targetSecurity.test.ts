// `brook migrate` to a Kafka cluster that wants SASL over TLS (as hosted Kafka does): the --to-user,
// --to-sasl-mechanism and --to-ca flags, against a Brook broker whose Kafka port requires SCRAM and
// serves TLS with a self-signed certificate; an untrusted certificate, plaintext or a wrong secret fail.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel } from '../../src/index.js';
import { runBrookCli, selfSignedCert } from '../processTools.js';

const TOPIC = 'sec-orders';
const RECORDS = 20;

const cli = runBrookCli;

describe('brook migrate to a cluster with SASL and TLS', () => {
  let dir: string;
  let certFile: string;
  let cert: Buffer;
  let source: Broker;
  let target: Broker;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'brook-migrate-sec-'));
    const { cert: crt, key: keyFile } = selfSignedCert(dir, 'target');
    certFile = crt;
    cert = await readFile(certFile);
    source = await startBroker({ port: 0, dataDir: join(dir, 'source'), logLevel: 'silent' });
    target = await startBroker({
      port: 0,
      kafkaPort: 0,
      dataDir: join(dir, 'target'),
      logLevel: 'silent',
      tls: { cert, key: await readFile(keyFile) },
      auth: { principals: [{ name: 'migrator', secret: 'mig-secret', acls: [{ resource: 'cluster', operations: ['admin'] }, { resource: 'topic', name: '*', operations: ['all'] }, { resource: 'group', name: '*', operations: ['all'] }] }] },
    });
    const src = new Brook({ url: source.url, clientId: 'mig-sec-src', logLevel: logLevel.NOTHING });
    const admin = src.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = src.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
  }, 30_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const base = () => ['--url', source.url, 'migrate', '--to', target.kafkaAddress!, '--topic', TOPIC];

  it('refuses plainly without the CA, and with a wrong secret', async () => {
    // --to-tls trusts the system's CAs, which did not sign this certificate
    const untrusted = await cli([...base(), '--to-user', 'migrator:mig-secret', '--to-sasl-mechanism', 'scram-sha-256', '--to-tls']);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/certificate/i);
    // plaintext to a TLS port: the broker drops the connection
    expect((await cli([...base(), '--to-user', 'migrator:mig-secret', '--to-sasl-mechanism', 'scram-sha-256'])).code).not.toBe(0);
    const wrong = await cli([...base(), '--to-user', 'migrator:nope', '--to-sasl-mechanism', 'scram-sha-256', '--to-ca', certFile]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/SASL_AUTHENTICATION_FAILED|authentication/i);
    expect((await cli([...base(), '--to-user', 'no-colon', '--to-ca', certFile])).stderr).toMatch(/--to-user expects name:secret/);
  }, 60_000);

  it('copies the records with --to-user, --to-sasl-mechanism and --to-ca', async () => {
    const r = await cli([...base(), '--to-user', 'migrator:mig-secret', '--to-sasl-mechanism', 'scram-sha-256', '--to-ca', certFile]);
    expect(r.code, r.stderr).toBe(0);
    const reader = new Brook({ brokers: [target.kafkaAddress!], ssl: { ca: [cert] }, sasl: { mechanism: 'scram-sha-256', username: 'migrator', password: 'mig-secret' }, logLevel: logLevel.NOTHING });
    const admin = reader.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(RECORDS);
  }, 60_000);
});
