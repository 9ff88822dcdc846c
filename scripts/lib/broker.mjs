// Shared by the scripts: a fresh broker in a child process (built dist), on a free port, in a
// temp data dir. `stop()` sends SIGTERM, waits for exit and removes the data dir.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The broker's CLI; BROOK_SERVER_CLI: another build (a worktree of an older commit, for before/after pairs). */
export const serverCli = process.env.BROOK_SERVER_CLI ?? fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
const launcher = fileURLToPath(new URL('../../server/bin/brook-server.js', import.meta.url));

/**
 * The environment the `brook-server` launcher gives the broker (glibc's allocator settings), read
 * from the launcher itself so scripts start the broker as users do. Spread it before the caller's
 * environment: values already set win, as there.
 */
export function launcherEnv() {
  const env = {};
  for (const m of readFileSync(launcher, 'utf8').matchAll(/(\w+)="\$\{\1-([^}]*)\}"/g)) env[m[1]] = m[2];
  return env;
}

/**
 * The node flags the launcher passes before the script: BROOK_NODE_FLAGS if the caller set it
 * (empty: none), else the launcher's default.
 */
export function launcherNodeFlags() {
  const dflt = /\$\{BROOK_NODE_FLAGS-([^}]*)\}/.exec(readFileSync(launcher, 'utf8'))?.[1] ?? '';
  return (process.env.BROOK_NODE_FLAGS ?? dflt).split(/\s+/).filter(Boolean); // sh's field splitting
}

/**
 * `dataDir` reuses a directory (restarts); otherwise a fresh temp dir is made.
 * `nodeArgs` go to the broker's node (e.g. `--cpu-prof`), `logLevel` defaults to info (the port is
 * read from the "Brook listening" line, which is logged at info), `env` adds variables.
 */
export async function startChildBroker(prefix = 'brook-script-', extraArgs = [], opts = {}) {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), prefix)));
  // node with the launcher's environment and flags rather than the launcher itself: `nodeArgs`
  // such as `--cpu-prof` cannot reach node through the launcher (NODE_OPTIONS refuses them).
  const args = [...launcherNodeFlags(), ...(opts.nodeArgs ?? []), serverCli, '--port', '0', '--kafka-port', '0', '--data-dir', dataDir, '--log-level', opts.logLevel ?? 'info', ...extraArgs];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...launcherEnv(), ...process.env, ...opts.env } });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  let startupMs = null;
  let kafkaPort = null;
  const port = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (l) => {
      try {
        const j = JSON.parse(l);
        if (j.port && String(j.msg).startsWith('Brook listening')) {
          startupMs = typeof j.startupMs === 'number' ? j.startupMs : null;
          kafkaPort = j.kafka?.port ?? null;
          resolve(j.port);
        }
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
    /** The broker's own start-up time as it logged it (storage open to listening), or null. */
    startupMs,
    /** The Kafka protocol listener's port (null if it is off). */
    kafkaPort,
    url: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    /** CPU seconds (user + system) the broker has used so far, from /proc (Linux). */
    cpuSeconds() {
      return procCpuSeconds(proc.pid);
    },
    /** { user, system } CPU seconds so far. */
    cpuTimes() {
      return procCpuTimes(proc.pid);
    },
    /** Resident set size in bytes, from /proc (Linux). */
    rssBytes() {
      return procRssBytes(proc.pid);
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) is 100 on Linux for every mainstream architecture

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function procCpuSeconds(pid) {
  const t = procCpuTimes(pid);
  return t.user + t.system;
}

/** { user, system } CPU seconds of a process (all its threads). */
export function procCpuTimes(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/** VmHWM (the peak VmRSS) of a process, in bytes. */
export function procPeakRssBytes(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** VmRSS of a process, in bytes. */
export function procRssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
