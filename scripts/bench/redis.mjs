// Redis Streams as the latency bench's peer (issue 18: "with the relaxed flush, p99 <= Redis's p99
// measured in the same run"): redis-server from the system's packages (apt-get install
// redis-server), started here with AOF and `appendfsync everysec` (a write is visible at once and
// fsynced within a second: the trade Brook's flush.ms=1000 makes) on a free port and a temp dir.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../kafka/lib/proc.mjs';

/** redis-server's version line, or null when it is not installed. */
export function redisVersion() {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? /v=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim() : null;
}

export async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'brook-bench-redis-'));
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => proc.once('exit', r));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not get ready within 10 s')), 10_000);
    createInterface({ input: proc.stdout }).on('line', (l) => {
      if (l.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    port,
    pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
