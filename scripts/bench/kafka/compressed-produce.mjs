// Java's ProducerPerformance with compression.type against a fresh Brook (its Kafka port): 6
// partitions, acks all, linger 5 ms, 64 KiB batches; prints records/s, the producer's p99, the
// broker's CPU seconds and where its compressed batches were checked
// (brook_compressed_decodes_total{where}: on the event loop or on the worker thread).
//   node scripts/bench/kafka/compressed-produce.mjs [codec=lz4] [record bytes=100] [records=3000000]
// BROOK_SERVER_CLI=<clone>/server/dist/cli.js runs another build (before/after pairs).
import { startChildBroker } from '../../lib/broker.mjs';
import { installJars } from '../../kafka/lib/clients.mjs';
import { createTopic, java } from './tools.mjs';

const [codec = 'lz4', size = '100', records = '3000000'] = process.argv.slice(2);
await installJars();
const broker = await startChildBroker('brook-compressed-produce-');
try {
  const bootstrap = `127.0.0.1:${broker.kafkaPort}`;
  const topic = `compressed-${codec}`;
  await createTopic(bootstrap, topic, 6);
  const cpu0 = broker.cpuSeconds();
  const out = await java('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', topic, '--num-records', records, '--record-size', size, '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=all', 'linger.ms=5', 'batch.size=65536', `compression.type=${codec}`,
  ]);
  const cpu = broker.cpuSeconds() - cpu0;
  const last = out.trim().split('\n').filter((l) => l.includes('records sent')).at(-1) ?? '';
  const rate = /([\d.]+) records\/sec/.exec(last)?.[1];
  const p99 = /(\d+) ms 99th/.exec(last)?.[1];
  const metrics = await (await fetch(`${broker.httpUrl}/metrics`)).text();
  const where = metrics.split('\n').filter((l) => l.startsWith('brook_compressed_decodes_total')).join(', ') || 'brook_compressed_decodes_total: none';
  console.log(`${codec}, ${size} B, acks all: ${Math.round(Number(rate)).toLocaleString('en')} records/s, p99 ${p99} ms, broker CPU ${cpu.toFixed(2)} s; ${where}`);
} finally {
  await broker.stop();
}
