// The short CI version of `npm run soak:members`: consumer-group members in their own processes,
// killed with SIGKILL and frozen with SIGSTOP/SIGCONT (zombies that must be fenced) under produce
// load, in both delivery modes. at-least-once loses nothing, at-most-once processes nothing twice,
// every zombie is fenced, and no committed offset ever goes backwards.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('member crashes and zombies: at-least-once loses nothing, at-most-once duplicates nothing', async () => {
  const script = fileURLToPath(new URL('../../scripts/member-soak.mjs', import.meta.url));
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [script, '3'], { encoding: 'utf8', timeout: 110_000, killSignal: 'SIGTERM' }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    ),
  );
  const line = (mode: string) => {
    const m = new RegExp(
      `member-soak ${mode}: rounds (\\d+) \\(kills (\\d+), zombies (\\d+), fenced (\\d+)\\), produced (\\d+), processed (\\d+), lost (\\d+), duplicated (\\d+), commit regressions (\\d+), member errors (\\d+)`,
    ).exec(r.stdout);
    expect(m, `${mode} summary missing:\n${r.stdout}\n${r.stderr}`).not.toBeNull();
    const [rounds, kills, zombies, fenced, produced, processed, lost, duplicated, regressions, errors] = m!.slice(1).map(Number);
    return { rounds, kills, zombies, fenced, produced, processed, lost, duplicated, regressions, errors };
  };
  const alo = line('at-least-once');
  const amo = line('at-most-once');
  for (const s of [alo, amo]) {
    expect(s.rounds).toBe(3);
    expect(s.kills).toBe(2);
    expect(s.zombies).toBe(1);
    expect(s.fenced).toBe(s.zombies);
    expect(s.produced).toBeGreaterThan(0);
    expect(s.regressions).toBe(0);
    expect(s.errors).toBe(0);
  }
  expect(alo.lost).toBe(0);
  expect(alo.processed - alo.duplicated).toBeGreaterThanOrEqual(alo.produced);
  expect(amo.duplicated).toBe(0);
  expect(amo.processed).toBeGreaterThanOrEqual(amo.produced - amo.lost);
  expect(r.code).toBe(0);
}, 120_000);
