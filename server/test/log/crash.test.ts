import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatches } from '@brook/protocol';
import { openEnv, tempDir, text, type Env } from './helpers.js';

const child = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/log/index.js', import.meta.url)));

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

describe('kill -9', () => {
  it('keeps every acknowledged sync append', async () => {
    // The child runs the built code: npm test builds first; a missing build is a failure, not a skip.
    expect(built, 'server/dist is missing: run `npx tsc -b` first').toBe(true);
    const dir = await tempDir();
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = [-1, -1];
    const values = new Map<string, number>();
    let buf = '';
    let killed = false;
    const exited = new Promise((r) => proc.once('exit', r));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child made no progress')), 20_000);
      proc.on('exit', (code) => {
        if (!killed) reject(new Error(`child exited early with ${code}`));
      });
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const line of lines) {
          const [tag, p, off, id] = line.split(' ');
          if (tag !== 'ack') continue;
          acked[Number(p)] = Math.max(acked[Number(p)]!, Number(off));
          values.set(`${p}:${off}`, Number(id));
        }
        // Once only: more output can arrive between the kill and the exit, and a second pass
        // would remove the exit listener awaited below.
        if (values.size >= 300 && !killed) {
          killed = true;
          clearTimeout(timer);
          proc.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;

    env = await openEnv({}, dir);
    for (const p of [0, 1]) {
      const log = env.tm.partition('crash', p)!;
      expect(log.highWatermark).toBeGreaterThan(acked[p]!);
      const recs = decodeBatches((await log.read(0, 64 << 20)).records).flatMap((b) => b.records);
      expect(recs.length).toBe(log.highWatermark);
      recs.forEach((r, i) => expect(r.offset).toBe(i));
      for (const r of recs) {
        const id = values.get(`${p}:${r.offset}`);
        if (id !== undefined) expect(text(r.value)).toBe(`v${id}`);
      }
    }
  });
});
