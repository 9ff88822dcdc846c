/**
 * What clients can make the broker hold in memory, bounded on both doors: the requests a
 * connection has sent and not had answered, and the answers written and not yet taken.
 */

/**
 * Request bytes one connection may have read and not yet answered before the broker stops reading
 * it (both doors; a larger single request still goes through, alone). Kafka reads one request per
 * connection at a time; 1 MiB still lets a producer keep a request being written and the next one
 * read. Under a flood of 2 MB produce frames the peak RSS was 770-793 MB at 16 MiB and 529-563 MB at
 * 4 MiB (both before glibc was tuned), then 344-386 MB at 4 MiB and 262-300 MB at 1 MiB
 * (FINDINGS.md, 2026-12-01, third session).
 */
export const MAX_IN_FLIGHT_REQUEST_BYTES = 1024 * 1024;

/**
 * Bytes of answers written to client sockets and not yet handed to the kernel, over the whole
 * broker. Kafka serves fetches with sendfile from the page cache; Brook holds its answers as
 * Buffers until the client reads them. Each connection already fetches only while it has less
 * than 1 MiB unread; this bounds the sum over connections: once clients that stopped reading hold
 * `capBytes`, new Fetch answers shrink (Kafka lets a fetch return less than maxBytes, and always at
 * least one whole batch), so a crowd of stalled consumers cannot hold maxBytes each.
 */
export class AnswerMemory {
  private queued = 0;
  /** Budgets of fetches being read: answers not written yet, but on their way. */
  private reserved = 0;

  constructor(
    readonly capBytes: number,
    /** The least a fetch may still ask for under pressure (one batch is served even when larger). */
    private readonly minFetchBytes = 64 * 1024,
  ) {}

  get queuedBytes(): number {
    return this.queued;
  }

  /** `n` bytes were written to a socket (negative: they left it). */
  add(n: number): void {
    this.queued += n;
  }

  /**
   * The maxBytes a Fetch may use now, reserved until `release`: fetches read at the same time see
   * each other's budgets, so together they stay within the cap (at most one answer of
   * `minFetchBytes` each beyond it). Without the reservation, stalled fetchers that all asked at
   * once each got the whole cap: a heap snapshot mid-flood (`npm run rss`) found 58 MiB of answers
   * queued against a 32 MiB cap.
   */
  reserveFetch(maxBytes: number): { limit: number; release(): void } {
    const limit = Math.min(maxBytes, Math.max(this.minFetchBytes, this.capBytes - this.queued - this.reserved));
    this.reserved += limit;
    let released = false;
    return {
      limit,
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= limit;
      },
    };
  }
}

/**
 * One connection's share: what it holds, released when each write completes or, at the latest,
 * when the connection closes (a destroyed socket may not call back every pending write; a write
 * that calls back after that releases nothing twice).
 */
export class ConnectionAnswers {
  private held = 0;
  private closed = false;

  constructor(private readonly memory: AnswerMemory) {}

  /** A write callback releasing `n` bytes. */
  hold(n: number): () => void {
    this.held += n;
    this.memory.add(n);
    return () => {
      if (this.closed) return;
      this.held -= n;
      this.memory.add(-n);
    };
  }

  releaseAll(): void {
    if (this.closed) return;
    this.closed = true;
    this.memory.add(-this.held);
    this.held = 0;
  }
}
