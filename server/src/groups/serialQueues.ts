// One serial promise queue per key (a group id): every step of one group runs in order, so no
// request slips in while another awaits LevelDB. Shared by the KIP-848 and the classic coordinator.
export class SerialQueues {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` after everything queued before it for `key`; an error does not break the chain. */
  run<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Resolves once every queued step of every key is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
