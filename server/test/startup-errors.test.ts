// A broker that cannot start says why (the data directory is locked by another broker, cannot be
// written, the port is taken) and leaves no data directory behind that it created itself.
import { execFile } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '@brook/server';
import { removeDir, serverCli, spawnBroker, tempDir, type ChildBroker } from './helpers.js';

const dirs: string[] = [];
const brokers: ChildBroker[] = [];
afterAll(async () => {
  for (const b of brokers) b.proc.kill('SIGTERM');
  await Promise.all(brokers.map((b) => b.exited));
  await Promise.all(dirs.map(removeDir));
});

async function newDir(): Promise<string> {
  const dir = await tempDir('brook-startup-');
  dirs.push(dir);
  return dir;
}

async function runningBroker(): Promise<ChildBroker & { dataDir: string }> {
  const dataDir = await newDir();
  const b = await spawnBroker(dataDir);
  brokers.push(b);
  return { ...b, dataDir };
}

/** Runs brook-server to its exit; `asUser` runs it as another user (root ignores file modes). */
async function startCli(args: string[], asUser?: number): Promise<{ code: number | null; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [serverCli, '--log-level', 'warn', '--kafka-port', '0', ...args], { timeout: 20_000, uid: asUser, gid: asUser });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { code?: number | null; stderr?: string };
    return { code: err.code ?? null, stderr: err.stderr ?? '' };
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false);

describe('brook-server start-up errors', () => {
  it('a bad flag value is named with the values it may take, before anything is created', async () => {
    const dataDir = join(await newDir(), 'never');
    const loud = await startCli(['--data-dir', dataDir, '--log-level', 'loud']);
    expect(loud.code).toBe(2);
    expect(loud.stderr).toContain('--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    const ms = await startCli(['--data-dir', dataDir, '--group-min-session-timeout', '5s']);
    expect(ms.stderr).toContain('--group-min-session-timeout must be a whole number of milliseconds, got "5s"');
    const delay = await startCli(['--data-dir', dataDir, '--group-initial-rebalance-delay', '-1']);
    expect(delay.stderr).toContain('--group-initial-rebalance-delay must be a whole number of milliseconds, got "-1"');
    expect(await exists(dataDir)).toBe(false);
  });

  it('every flag names its env var in --help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [serverCli, '--help']);
    const flags = [...stdout.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]).filter((f) => f !== '--help');
    expect(flags.length).toBeGreaterThan(5);
    // Options are separated by lines that start with two spaces and a dash.
    const blocks = stdout.split(/\n(?=\s{2}-)/).filter((b) => /^\s+--/.test(b) && !b.includes('--help'));
    for (const b of blocks) expect(b.replace(/\s+/g, ' '), b).toMatch(/env BROOK_[A-Z_]+/);
  });

  it('a data directory in use by another broker is named as such, with LevelDB’s reason', async () => {
    const first = await runningBroker();
    const r = await startCli(['--port', '0', '--data-dir', first.dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data directory ${first.dataDir} is in use by another broker`);
    expect(r.stderr).toMatch(/LOCK/);
    expect(r.stderr).not.toContain('Database failed to open');
  });

  it('a data directory this user cannot write says "cannot write" and why', async () => {
    const root = await newDir();
    const readOnly = join(root, 'read-only');
    await mkdir(readOnly);
    // root writes anywhere: run the broker as nobody then, where the platform allows it.
    const asRoot = process.getuid?.() === 0;
    await chmod(root, 0o755);
    await chmod(readOnly, 0o555);
    const user = asRoot ? 65534 : undefined;
    for (const dataDir of [readOnly, join(readOnly, 'new')]) {
      const r = await startCli(['--port', '0', '--data-dir', dataDir], user);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot write data directory ${dataDir}`);
      expect(r.stderr).toMatch(/EACCES|permission denied/i);
    }
  });

  it('a port in use is named, and the data directory the failed start created is removed', async () => {
    const other = await runningBroker();
    const parent = await newDir();
    const dataDir = join(parent, 'fresh', 'data');
    const r = await startCli(['--port', String(other.port), '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${other.port} on 127.0.0.1 is in use`);
    expect(await exists(join(parent, 'fresh'))).toBe(false);
  });

  it('in process, a failed start keeps a data directory that was there before and can be started again', async () => {
    const other = await runningBroker();
    const dataDir = await newDir();
    const err = await startBroker({ port: other.port, dataDir, logLevel: 'silent' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('is in use');
    expect((err?.cause as { code?: string } | undefined)?.code).toBe('EADDRINUSE');
    expect(await exists(join(dataDir, 'log'))).toBe(true);
    // The failed start closed LevelDB: the same directory opens again at once.
    const b = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
    await b.close();
  });
});
