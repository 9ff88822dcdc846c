/**
 * Who waits for new data on a partition (a Fetch's long poll): told on a microtask once per write
 * queue flush, however many entries that flush carried for the partition.
 */
export class AppendListeners {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  /** Adds a listener; the returned function removes it. */
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The high watermark moved: tell every listener, once, after the current job. */
  notify(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const l of [...this.listeners]) {
        try {
          l();
        } catch {
          // a listener's failure is its own business
        }
      }
    });
  }

  clear(): void {
    this.listeners.clear();
  }
}
