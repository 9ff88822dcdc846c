// The Kafka listener over TLS (Kafka's SSL listener) with the broker's certificate: KafkaJS with
// `ssl` produces and reads metadata; a plaintext client gets nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { testBroker, tempDir, removeDir } from '../helpers.js';
import { RawKafka } from './rawKafka.js';

let dir: string;
let cert: Buffer;
let broker: Awaited<ReturnType<typeof testBroker>>;

beforeAll(async () => {
  dir = await tempDir();
  const certFile = join(dir, 'broker.crt');
  const keyFile = join(dir, 'broker.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore' },
  );
  cert = readFileSync(certFile);
  broker = await testBroker({ kafkaPort: 0, tls: { cert, key: readFileSync(keyFile) } });
});
afterAll(async () => {
  await broker.stop();
  await removeDir(dir);
});

it('serves Kafka clients over TLS with the broker certificate', async () => {
  const kafka = new Kafka({ clientId: 'tls', brokers: [broker.kafkaAddress!], ssl: { ca: [cert] }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'tls-topic', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: 'tls-topic', messages: [{ value: 'secret' }] });
  expect(sent!.errorCode).toBe(0);
  await producer.disconnect();
  expect(broker.context.topics.partition('tls-topic', 0)!.highWatermark).toBe(1);

  // Plaintext on the TLS port is not Kafka to it: no answer, the connection is dropped.
  const plain = await RawKafka.connect(broker.kafkaAddress!);
  await expect(plain.request('ApiVersions', 3, {})).rejects.toThrow(/closed/);
});
