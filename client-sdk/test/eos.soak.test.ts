// The short CI version of `npm run soak:eos`: real processes killed with SIGKILL (and one frozen
// with SIGSTOP, fenced, and resumed as a zombie) while they consume, transform and produce in
// transactions; then the idempotent sink example killed mid-stream. See scripts/eos-soak.mjs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('exactly once across processor kills and a fenced zombie; the killed sink ends equal to an uncrashed one', () => {
  const script = fileURLToPath(new URL('../../scripts/eos-soak.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '4', '1200', '7'], { encoding: 'utf8', timeout: 100_000 });
  const summary = r.stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n');
  expect(summary).toMatch(/eos: kills 4, inputs 1200, read_committed outputs 1200, missing 0, duplicated 0, foreign 0, aborted records \(read_uncommitted only\) \d+, zombies fenced 1/);
  expect(summary).toMatch(/sink: payments 1200, kills [1-9]\d*, final state equals the uncrashed run's: true/);
  expect(r.status).toBe(0);
}, 110_000);
