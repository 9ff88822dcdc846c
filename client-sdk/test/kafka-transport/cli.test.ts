// `brook --bootstrap-server host:port`: the CLI speaks Kafka's protocol (here to Brook's Kafka
// port) for produce, consume and the topic and group commands Kafka's APIs answer.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTarget, type Target } from './targets.js';

const bin = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let target: Target;

beforeAll(async () => {
  target = await startTarget('kafka');
});
afterAll(async () => target?.stop());

function brook(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A --url nobody listens on: everything must go through the Kafka port.
  const p = spawn(process.execPath, [bin, '--url', 'http://127.0.0.1:9', '--bootstrap-server', target.broker.kafkaAddress!, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  p.stdin.end(stdin);
  return new Promise((resolve) =>
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

it('creates a topic, produces and consumes in a group, lists and deletes', async () => {
  expect((await brook(['topics', 'create', 'kcli', '--partitions', '2'])).code).toBe(0);
  expect((await brook(['topics', 'list'])).stdout).toMatch(/kcli\s+2/);
  const lines = Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`).join('\n');
  const produced = await brook(['produce', 'kcli', '--key-separator', ':', '--json'], `${lines}\n`);
  expect(produced).toMatchObject({ code: 0 });
  expect(JSON.parse(produced.stdout)).toEqual({ topic: 'kcli', sent: 10 });

  const consumed = await brook(['consume', 'kcli', '--group', 'kcli-g', '--from-beginning', '--format', 'json', '--max-messages', '10']);
  expect(consumed.code).toBe(0);
  const values = consumed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { value: string }).value);
  expect(values.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());

  const described = await brook(['topics', 'describe', 'kcli', '--json']);
  const ends = (JSON.parse(described.stdout) as { partitions: Array<{ endOffset: string }> }).partitions.map((p) => Number(p.endOffset));
  expect(ends.reduce((a, b) => a + b, 0)).toBe(10);
  expect((await brook(['groups', 'list'])).stdout).toContain('kcli-g');
  expect((await brook(['groups', 'describe', 'kcli-g'])).stderr).toContain('needs the broker\'s HTTP admin API');
  expect((await brook(['groups', 'delete', 'kcli-g'])).code).toBe(0);
  expect((await brook(['topics', 'delete', 'kcli'])).code).toBe(0);
});
