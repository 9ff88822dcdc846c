// Shared by the scripts: a fresh broker in a child process (built dist), on a free port, in a
// temp data dir. `stop()` sends SIGTERM, waits for exit and removes the data dir.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));

/** `dataDir` reuses a directory (restarts); otherwise a fresh temp dir is made. */
export async function startChildBroker(prefix = 'brook-script-', extraArgs = [], opts = {}) {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), prefix)));
  const proc = spawn(process.execPath, [cli, '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (l) => {
      try {
        const j = JSON.parse(l);
        if (j.port && String(j.msg).startsWith('Brook listening')) resolve(j.port);
      } catch {
        /* not a log line */
      }
    });
    void exited.then(({ code }) => reject(new Error(`broker exited with ${code} before listening`)));
  });
  return {
    proc,
    port,
    dataDir,
    exited,
    url: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
