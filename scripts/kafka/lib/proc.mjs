// Child processes for the Kafka-clients harness: each runs in its own process group so a timeout
// or the end of the run stops it and everything it started (a JVM, a Python thread pool, kcat).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const running = new Set();

/** Stops every process this module started and that is still running (on exit or Ctrl-C). */
export function killAll() {
  for (const child of running) killGroup(child, 'SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Starts `cmd args` in the background. `output` collects stdout and stderr (as text);
 * `exited` resolves to { code, signal }; `stop(signal)` signals the whole process group.
 */
export function start(cmd, args, { env, cwd, input } = {}) {
  const child = spawn(cmd, args, {
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (out.stderr += d));
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise((resolve) => {
    child.on('error', (err) => {
      out.stderr += `\n${err.message}`;
      running.delete(child);
      resolve({ code: -1, signal: null });
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    child,
    output: out,
    exited,
    stop: (signal = 'SIGTERM') => killGroup(child, signal),
  };
}

/** Runs to completion; past `timeoutMs` the process group is killed and `timedOut` is set. */
export async function run(cmd, args, { timeoutMs = 120_000, ...opts } = {}) {
  const p = start(cmd, args, opts);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.stop('SIGKILL');
  }, timeoutMs);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  return { code, signal, timedOut, stdout: p.output.stdout, stderr: p.output.stderr };
}

/**
 * A TCP port free on 127.0.0.1 a moment ago, for configs that cannot take port 0 (Kafka binds it
 * seconds later, after its storage tool ran). Picked below the kernel's ephemeral range, so the
 * outgoing connections of everything else running meanwhile cannot take it first; port 0's
 * answer (inside that range) only where the range leaves no room below it.
 */
export async function freePort() {
  const ephemeralStart = Number(/^(\d+)/.exec(await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => ''))?.[1] ?? 0);
  if (ephemeralStart > 12_000) {
    for (let tries = 0; tries < 50; tries++) {
      const port = 10_000 + Math.floor(Math.random() * (ephemeralStart - 10_000));
      if (await canListen(port)) return port;
    }
  }
  return listenOn(0);
}

function canListen(port) {
  return listenOn(port).then(
    () => true,
    () => false,
  );
}

/** Listens on `port` (0: any) on 127.0.0.1, closes again, and gives the port it had. */
function listenOn(port) {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address();
      srv.close(() => resolve(bound));
    });
  });
}

/** Polls `check` (async, truthy = done) every `everyMs` until `timeoutMs`; returns its value or null. */
export async function waitFor(check, { timeoutMs, everyMs = 200 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Why a process `start` started is gone ("<who> exited with <code>: <last words>"), or null while it runs (or when there is none). */
export function exitReason(p, who) {
  const code = p ? (p.child.exitCode ?? p.child.signalCode) : null;
  return code === null ? null : `${who} exited with ${code}: ${tail(p.output.stderr + p.output.stdout, 3)}`;
}

/** The last `n` non-empty lines of a text, for failure reasons. */
export function tail(text, n = 6) {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n)
    .join('\n');
}
