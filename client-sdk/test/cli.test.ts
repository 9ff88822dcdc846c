// The `brook` command-line tool against a real broker, run as a user runs it (the built bin).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testBroker, type TestBroker } from './helpers.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let tb: TestBroker;
let httpUrl: string;

interface Run {
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves once stderr contains `text`. */
  stderrContains(text: string): Promise<void>;
}

/** Starts the CLI (killed after 20 s). */
function start(args: string[], stdin?: string): Run {
  const p = spawn(process.execPath, [bin, '--url', httpUrl, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const stderrWaiters: Array<() => void> = [];
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => {
    stderr += d;
    for (const w of stderrWaiters.splice(0)) w();
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    p.on('exit', (code) => {
      clearTimeout(timer);
      for (const w of stderrWaiters.splice(0)) w();
      resolve({ code, stdout, stderr });
    }),
  );
  p.stdin.end(stdin ?? '');
  const stderrContains = async (text: string): Promise<void> => {
    while (!stderr.includes(text)) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`exited without printing ${JSON.stringify(text)}; stderr: ${stderr}`);
      await new Promise<void>((r) => stderrWaiters.push(r));
    }
  };
  return { exited, stderrContains };
}

function brook(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return start(args, stdin).exited;
}

beforeAll(async () => {
  tb = await testBroker();
  httpUrl = tb.broker.httpUrl;
});
afterAll(async () => tb?.stop());

describe('brook CLI', () => {
  it('manages topics, with tables and --json', async () => {
    expect((await brook(['topics', 'create', 'cli-t', '--partitions', '3', '--config', 'retention.ms=60000'])).code).toBe(0);
    const dup = await brook(['topics', 'create', 'cli-t', '--partitions', '3']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('TOPIC_ALREADY_EXISTS');
    const list = await brook(['--json', 'topics', 'list']);
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ name: 'cli-t', partitions: 3, internal: false }));
    const table = await brook(['topics', 'describe', 'cli-t']);
    expect(table.stdout).toMatch(/PARTITION\s+START-OFFSET\s+END-OFFSET/);
    expect((await brook(['topics', 'create', 'gone', '--partitions', '1'])).code).toBe(0);
    expect((await brook(['topics', 'delete', 'gone'])).code).toBe(0);
    expect((await brook(['topics', 'describe', 'gone'])).code).not.toBe(0);
  });

  it('names the rule a bad flag breaks, and the error code of a failed produce', async () => {
    const bad = await brook(['topics', 'create', 'x', '--partitions', 'abc']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`option '--partitions <n>' argument 'abc' is invalid. expected a whole number >= 1, got "abc"`);
    const produce = await brook(['produce', 'no-such-topic'], 'a\n');
    expect(produce.code).not.toBe(0);
    expect(produce.stderr).toContain('brook: UNKNOWN_TOPIC_OR_PARTITION: ');
  });

  it('consume of a topic that does not exist says so on stderr, and prints its messages once it is created', async () => {
    const c = start(['consume', 'cli-later', '--from-beginning', '--max-messages', '1']);
    await c.stderrContains('brook: topic cli-later not found; waiting for it to be created');
    expect((await brook(['topics', 'create', 'cli-later', '--partitions', '1'])).code).toBe(0);
    expect((await brook(['produce', 'cli-later'], 'hello\n')).code).toBe(0);
    const done = await c.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('hello\n');
  });

  it('produces stdin lines, consumes them in a group, and shows and resets the group', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `k${i % 3}:value-${i}`).join('\n');
    const p = await brook(['produce', 'cli-t', '--key-separator', ':'], `${lines}\n`);
    expect(p.code).toBe(0);
    const c = await brook(['consume', 'cli-t', '--group', 'cli-g', '--from-beginning', '--format', 'json', '--max-messages', '20']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    const got = c.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; value: string });
    expect(got.map((m) => m.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `value-${i}`).sort());
    expect(got.every((m) => m.key === `k${Number(m.value.split('-')[1]) % 3}`)).toBe(true);

    const d = await brook(['groups', 'describe', 'cli-g']);
    expect(d.stdout).toMatch(/TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/);
    const j = JSON.parse((await brook(['--json', 'groups', 'describe', 'cli-g'])).stdout) as { offsets: Array<{ lag: string }> };
    expect(j.offsets.every((o) => o.lag === '0')).toBe(true);

    const dry = await brook(['groups', 'reset-offsets', 'cli-g', '--topic', 'cli-t:0', '--to-earliest']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run');
    const after = JSON.parse((await brook(['--json', 'groups', 'describe', 'cli-g'])).stdout) as { offsets: Array<{ partition: number; committedOffset: string }> };
    expect(after.offsets.find((o) => o.partition === 0)!.committedOffset).not.toBe('0');
    const exec = await brook(['groups', 'reset-offsets', 'cli-g', '--topic', 'cli-t:0', '--to-earliest', '--execute']);
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain('Applied: group cli-g now starts cli-t at NEW-OFFSET on 1 partition(s).');
    expect(exec.stdout).not.toContain('Dry run');
    const reset = JSON.parse((await brook(['--json', 'groups', 'describe', 'cli-g'])).stdout) as { offsets: Array<{ partition: number; committedOffset: string }> };
    expect(reset.offsets.find((o) => o.partition === 0)!.committedOffset).toBe('0');
    const shift = await brook(['--json', 'groups', 'reset-offsets', 'cli-g', '--topic', 'cli-t', '--by-duration', 'PT1H', '--execute']);
    expect(shift.code).toBe(0);
    expect((await brook(['groups', 'reset-offsets', 'cli-g', '--topic', 'cli-t', '--by-duration', 'one hour'])).code).not.toBe(0);

    expect((await brook(['groups', 'list'])).stdout).toMatch(/cli-g\s+EMPTY/);
    expect((await brook(['groups', 'delete', 'cli-g'])).code).toBe(0);
    expect((await brook(['groups', 'describe', 'cli-g'])).code).not.toBe(0);
  });

  it('explains an unreachable broker and a bad argument with a non-zero exit', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, '--url', 'http://127.0.0.1:1', 'topics', 'list']);
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot reach the broker');
    expect((await brook(['groups', 'reset-offsets', 'g', '--topic', 't'])).stderr).toContain('choose one of');
  });

  it('takes --url as host:port too, and names a --url that is not a URL', async () => {
    // The last --url wins over the helper's http:// one.
    const hostPort = await brook(['--url', new URL(httpUrl).host, '--json', 'topics', 'list']);
    expect(hostPort.code).toBe(0);
    expect(JSON.parse(hostPort.stdout)).toContainEqual(expect.objectContaining({ name: '__consumer_offsets', partitions: 1, internal: true }));
    const bad = await brook(['--url', 'http://[oops', 'topics', 'list']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--url http://[oops is not a URL');
  });
});
