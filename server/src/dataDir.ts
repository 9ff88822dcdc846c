/**
 * Opening the data directory at start-up, with errors that name the real problem: LevelDB's own
 * message ("Database failed to open") hides it in `cause` (a lock held by another broker, a
 * directory this user cannot write).
 */
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Storage } from './log/storage.js';

/** A start-up failure with a message meant for the operator; `cause` is the underlying error. */
export class StartupError extends Error {
  constructor(message: string, cause: unknown) {
    super(`${message}${cause instanceof Error ? ` (${cause.message})` : ''}`, { cause });
    this.name = 'StartupError';
  }
}

export interface OpenedDataDir {
  storage: Storage;
  /** Closes the storage and removes the directory if this start created it: a failed start leaves nothing behind. */
  abandon(): Promise<void>;
}

const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

export async function openDataDir(dataDir: string, opts: { flushIntervalMs?: number } = {}): Promise<OpenedDataDir> {
  const path = resolve(dataDir);
  let created: string | undefined;
  try {
    // mkdir tells the first directory it had to create, so a failed start can remove exactly that.
    created = await mkdir(path, { recursive: true });
  } catch (err) {
    throw describe(path, err);
  }
  const removeCreated = async () => {
    if (created) await rm(created, { recursive: true, force: true });
  };
  let storage: Storage;
  try {
    storage = await Storage.open(path, opts);
  } catch (err) {
    await removeCreated();
    throw describe(path, err);
  }
  return {
    storage,
    abandon: async () => {
      await storage.close().catch(() => {});
      await removeCreated();
    },
  };
}

function describe(path: string, err: unknown): Error {
  // LevelDB wraps the reason: LEVEL_LOCKED (another process holds the LOCK file) or a file-system error.
  const reason = (err as { cause?: unknown }).cause ?? err;
  const code = (reason as { code?: unknown }).code;
  if (code === 'LEVEL_LOCKED') return new StartupError(`data directory ${path} is in use by another broker`, reason);
  if (typeof code === 'string' && UNWRITABLE.has(code)) return new StartupError(`cannot write data directory ${path}`, reason);
  return new StartupError(`cannot open data directory ${path}`, reason);
}
