// The SDK installs outside this repository: `npm run pack:tarballs` writes tarballs that a fresh
// project (in the system's temp folder) installs with npm, and the README's example, taken from the
// README itself, runs there against `brook-server` from the installed server tarball. The `brook`
// CLI of the installed client works too. Needs the npm registry (for ws, commander, fastify, …).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const children: ChildProcess[] = [];
let project: string;
let brokerUrl: string;

/** Runs a child until a line of its stdout matches, and hands back the match. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}; stderr: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'brook-install-'));
  const packages = join(project, 'tarballs');
  await run(npm, ['run', 'pack:tarballs', '--', packages], { cwd: repo });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'brook-install-check', private: true, type: 'module' }));
  await run(npm, ['install', '--no-audit', '--no-fund', join(packages, 'brook-client-0.1.0.tgz'), join(packages, 'brook-server-0.1.0.tgz')], { cwd: project });
  const broker = spawn(join(project, 'node_modules', '.bin', 'brook-server'), ['--port', '0', '--kafka-port', '0', '--data-dir', join(project, 'data')], { cwd: project });
  children.push(broker);
  const [, port] = await waitForLine(broker, /"msg":"Brook listening on 127\.0\.0\.1:(\d+)[",]/, 30_000);
  brokerUrl = `ws://127.0.0.1:${port}/ws`;
}, 240_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  if (project) await rm(project, { recursive: true, force: true });
});

it("runs the README's example from an installed @brook/client", async () => {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Produce and consume'));
  const example = /```js\n([\s\S]*?)```/.exec(section)![1]!;
  expect(example).toContain("import { Brook } from '@brook/client'");
  await writeFile(join(project, 'example.js'), example.replaceAll('ws://127.0.0.1:7092/ws', brokerUrl));
  const child = spawn(process.execPath, ['example.js'], { cwd: project });
  children.push(child);
  // The example's eachMessage prints: topic, partition, offset, key, value.
  const [line] = await waitForLine(child, /^orders \d+ 0 customer-1 order #1$/, 60_000);
  expect(line).toMatch(/order #1/);
}, 90_000);

it('the installed `brook` CLI talks to the broker', async () => {
  const cli = join(project, 'node_modules', '.bin', 'brook');
  const url = brokerUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, '');
  await run(cli, ['--url', url, 'topics', 'create', 'from-cli', '--partitions', '2'], { cwd: project });
  const { stdout } = await run(cli, ['--url', url, '--json', 'topics', 'list'], { cwd: project });
  expect(JSON.parse(stdout)).toContainEqual(expect.objectContaining({ name: 'from-cli', partitions: 2, internal: false }));
}, 60_000);
