// The brook-server launcher (bin/brook-server.js, sh and JavaScript in one file) sets glibc's
// allocator and V8's initial old-generation limit for the broker and execs node in the same
// process: the broker keeps the pid it was started with (signals, SIGKILL in tests, Docker's PID 1),
// and values the caller set win.
import { spawn } from 'node:child_process';
import { readFile, readlink, realpath } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers.js';

const launcher = fileURLToPath(new URL('../bin/brook-server.js', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(removeDir));
});

async function launch(env: Record<string, string>) {
  const dataDir = await tempDir('brook-launcher-');
  dirs.push(dataDir);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_') && k !== 'BROOK_NODE_FLAGS'));
  const proc = spawn('sh', [launcher, '--port', '0', '--kafka-port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...clean, ...env },
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const listening = await new Promise<{ pid: number }>((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line.includes('Brook listening')) resolve(JSON.parse(line) as { pid: number });
    });
    void exited.then((code) => reject(new Error(`launcher exited with ${code}: ${stderr}`)));
  });
  const environ = (await readFile(`/proc/${proc.pid}/environ`, 'utf8')).split('\0');
  const argv = (await readFile(`/proc/${proc.pid}/cmdline`, 'utf8')).split('\0');
  return { proc, exited, listening, environ, argv };
}

describe.skipIf(process.platform !== 'linux')('brook-server launcher', () => {
  it('runs the broker in its own process with glibc tuned, and exits 0 on SIGTERM', async () => {
    const { proc, exited, listening, environ, argv } = await launch({ npm_node_execpath: process.execPath });
    expect(listening.pid).toBe(proc.pid); // exec: no shell left between the caller and the broker
    expect(await readlink(`/proc/${proc.pid}/exe`)).toBe(await realpath(process.execPath)); // npm's node
    expect(environ).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=1048576', 'MALLOC_TRIM_THRESHOLD_=1048576']));
    // V8's initial old-generation limit, before the script (node refuses it in NODE_OPTIONS)
    expect(argv.slice(1, 3)).toEqual(['--initial-old-space-size=32', launcher]);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('keeps the values the caller set', async () => {
    // set but empty is kept too (sh's ${VAR-default}); an empty arena limit is glibc's default,
    // where an empty mmap threshold (0) would mmap every allocation and take seconds to start
    const { proc, exited, environ, argv } = await launch({ MALLOC_ARENA_MAX: '', MALLOC_MMAP_THRESHOLD_: '4194304', BROOK_NODE_FLAGS: '--max-semi-space-size=8 --stack-trace-limit=20' });
    expect(argv.slice(1, 4)).toEqual(['--max-semi-space-size=8', '--stack-trace-limit=20', launcher]);
    expect(environ).toContain('MALLOC_ARENA_MAX=');
    expect(environ).toContain('MALLOC_MMAP_THRESHOLD_=4194304');
    expect(environ).toContain('MALLOC_TRIM_THRESHOLD_=1048576');
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('passes no node flags when BROOK_NODE_FLAGS is empty', async () => {
    const { proc, exited, argv } = await launch({ BROOK_NODE_FLAGS: '' });
    expect(argv[1]).toBe(launcher);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
