// The Kafka transport's SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and TLS against Brook's Kafka
// port: the right credentials get in and carry the principal's ACLs; wrong ones fail at connect
// with SASL_AUTHENTICATION_FAILED; TLS needs the CA that signed the broker's certificate.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaslMechanism } from '../../src/cluster/sasl.js';
import { startTarget, type Target } from './targets.js';
import { selfSignedCert } from '../processTools.js';

describe('SASL over the Kafka transport', () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget('kafka', {
      auth: {
        principals: [
          { name: 'alice', secret: 'alice-secret', acls: [{ resource: 'cluster', operations: ['admin'] }, { resource: 'topic', name: '*', operations: ['all'] }] },
          { name: 'bob', secret: 'bob-secret', acls: [] },
        ],
      },
    });
    await target.broker.context.topics.create('sasl-topic', 1);
  });
  afterAll(async () => {
    await target?.stop();
  });

  it.each<SaslMechanism>(['plain', 'scram-sha-256', 'scram-sha-512'])('%s: the principal gets in with its ACLs; a wrong password does not', async (mechanism) => {
    const alice = target.client({ sasl: { mechanism, username: 'alice', password: 'alice-secret' }, retry: { retries: 0 } }).producer();
    await alice.connect();
    const [sent] = await alice.send({ topic: 'sasl-topic', messages: [{ value: mechanism }] });
    expect(sent!.errorCode).toBe(0);
    await alice.disconnect();

    const wrong = target.client({ sasl: { mechanism, username: 'alice', password: 'nope' }, retry: { retries: 0 } }).admin();
    await expect(wrong.connect()).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED' });

    const bob = target.client({ sasl: { mechanism, username: 'bob', password: 'bob-secret' }, retry: { retries: 0 } }).producer({ idempotent: false });
    await bob.connect();
    await expect(bob.send({ topic: 'sasl-topic', messages: [{ value: 'x' }] })).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    await bob.disconnect();
  });

  it('no credentials: the broker closes the connection before anything but ApiVersions', async () => {
    const admin = target.client({ retry: { retries: 0 }, connectionTimeout: 2000 }).admin();
    await expect(admin.connect()).rejects.toMatchObject({ type: 'NETWORK_EXCEPTION' });
  });
});

describe('TLS over the Kafka transport', () => {
  let dir: string;
  let cert: Buffer;
  let target: Target;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'brook-kafka-tls-'));
    const { cert: certFile, key: keyFile } = selfSignedCert(dir, 'localhost');
    cert = await readFile(certFile);
    target = await startTarget('kafka', { tls: { cert, key: await readFile(keyFile) } });
  });
  afterAll(async () => {
    await target?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects with the CA that signed the certificate; without it the handshake fails', async () => {
    const admin = target.client({ ssl: { ca: [cert] } }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tls-topic', numPartitions: 1 }] });
    const producer = target.client({ ssl: { ca: [cert] } }).producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: 'tls-topic', messages: [{ value: 'secret' }] });
    expect(sent!.offset).toBe('0');
    await producer.disconnect();
    await admin.disconnect();

    const untrusted = target.client({ ssl: true, retry: { retries: 0 } }).admin();
    await expect(untrusted.connect()).rejects.toThrow(/certificate/i);
  });
});
