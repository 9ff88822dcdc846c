// The short CI version of `npm run soak`: a few SIGKILL rounds under produce and commit load.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('loses, duplicates and regresses nothing across SIGKILL rounds', () => {
  const script = fileURLToPath(new URL('../../scripts/soak.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '4', '3'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout).toMatch(/soak: rounds 4, messages acked [1-9]\d*, lost 0, duplicated 0, offset gaps 0, commit regressions 0/);
  expect(r.status).toBe(0);
}, 70_000);
