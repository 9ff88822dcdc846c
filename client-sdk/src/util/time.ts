/** Timing helpers shared by the clients. */

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Exponential backoff from 100 ms, capped at `cap` (at least 100 ms), with ±20% jitter. */
export function jitteredBackoff(attempt: number, cap: number): number {
  const base = Math.min(100 * 2 ** Math.min(attempt, 10), Math.max(100, cap));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
