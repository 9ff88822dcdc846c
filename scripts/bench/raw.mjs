// The raw limit: a bare `ws` server appending each frame to LevelDB as one key in one batch
// (scripts/raw-server.mjs), sync false and true; the client sends frames of 100 messages, 64
// frames in flight. No Brook code: the ceiling Brook's produce path is compared with.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { fmt, mmm } from './lib.mjs';

export const id = 'raw';
export const title = 'Raw limit: bare ws + LevelDB';
export const description =
  'A bare `ws` server that writes each incoming frame as one LevelDB key with one chained batch and answers one byte; ' +
  'the client sends frames of 100 messages, 64 in flight. Brook figures are shown as a fraction of these in the produce table ' +
  '(acks all against sync true, acks 1 against sync false, same message size).';

const server = fileURLToPath(new URL('../raw-server.mjs', import.meta.url));

export function cells({ quick }) {
  const out = [];
  for (const size of [100, 1024]) {
    for (const sync of [false, true]) {
      out.push({
        key: `raw/${size}B/sync-${sync}`,
        label: `${size === 1024 ? '1 KiB' : '100 B'}, sync ${sync}`,
        params: { size, sync },
        run: (ctx) => rawRun(ctx, { size, sync, messages: (size === 100 ? 300_000 : 100_000) / (quick ? 5 : 1) }),
      });
    }
  }
  return out;
}

async function rawRun(ctx, { size, sync, messages }) {
  const dir = await mkdtemp(join(tmpdir(), 'brook-raw-'));
  const proc = spawn(process.execPath, [server, dir, sync ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => proc.on('exit', r));
  try {
    const port = await new Promise((resolve, reject) => {
      createInterface({ input: proc.stdout }).once('line', (l) => resolve(JSON.parse(l).port));
      void exited.then(() => reject(new Error('raw server exited before listening')));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const frame = new Uint8Array(100 * size).fill(120);
    const frames = Math.ceil(messages / 100);
    let acked = 0;
    let sent = 0;
    const t0 = performance.now();
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw server: ${acked}/${frames} frames acknowledged after 60 s`)), 60_000);
      ws.once('close', () => reject(new Error('raw server closed the connection')));
      ws.on('message', () => {
        acked++;
        if (acked % 50 === 0) ctx.progress(acked, frames);
        if (sent < frames) {
          ws.send(frame);
          sent++;
        }
        if (acked === frames) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (; sent < Math.min(64, frames); sent++) ws.send(frame);
    });
    const secs = (performance.now() - t0) / 1000;
    ws.removeAllListeners('close');
    ws.close();
    return { msgs: (frames * 100) / secs, mbs: (frames * 100 * size) / secs / 1e6 };
  } finally {
    proc.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

export function summary(f) {
  return `${Math.round(f.msgs / 1000)}k msg/s`;
}

export function report(rows) {
  const L = ['| size | sync | msg/s (min-max) | MB/s |', '| --- | --- | --- | --- |'];
  for (const r of rows) L.push(`| ${r.params.size === 1024 ? '1 KiB' : '100 B'} | ${r.params.sync} | ${mmm(r.figures.msgs)} | ${mmm(r.figures.mbs, (x) => fmt(x, 1))} |`);
  return L.join('\n');
}
