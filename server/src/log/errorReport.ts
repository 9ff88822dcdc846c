/**
 * Rate-limited reporting of storage failures: a failing disk fails every request, and one log line
 * per request would drown the broker's log. The listener hears at most once per interval, with the
 * number of failures since it last heard.
 */
export type StorageErrorListener = (err: unknown, failures: number) => void;

export class ErrorReport {
  listener: StorageErrorListener | null = null;
  private failures = 0;
  private lastReport = 0;

  constructor(private readonly intervalMs = 1000) {}

  record(err: unknown, now = Date.now()): void {
    this.failures++;
    if (!this.listener || now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    const n = this.failures;
    this.failures = 0;
    try {
      this.listener(err, n);
    } catch {
      // a failing logger must not break storage
    }
  }
}
