/**
 * What clients can make the broker hold in memory, bounded on both doors: the requests a
 * connection has sent and not had answered, and the answers written and not yet taken.
 */

/**
 * Request bytes one connection may have read and not yet answered before the broker stops reading
 * it (both doors; a larger single request still goes through). Kafka reads one request per
 * connection at a time; 4 MiB lets a producer keep a few full batches in flight (at 1 MiB a single
 * producer of 1 KiB records with acks all lost 5-9%, FINDINGS.md). What many connections hold
 * together is bounded by RequestMemory.
 */
export const MAX_IN_FLIGHT_REQUEST_BYTES = 4 * 1024 * 1024;

/**
 * Request bytes read and not yet answered over all connections of both doors (Kafka's
 * `queued.max.request.bytes`). Past the cap, each connection keeps at most the requests it has in
 * flight and reads again only once they are answered (or the total is back under half the cap),
 * so a crowd of producers holds about one request each instead of MAX_IN_FLIGHT_REQUEST_BYTES
 * each. A connection with less than `smallBytes` in flight always reads: no one waits on
 * another's answers, and a consumer's heartbeats and commits are read while its long-poll Fetch
 * waits on the same connection (Kafka clients open a second connection for that; Brook's SDK
 * does not).
 * Under a flood of 2 MB frames from five producers, 2 MiB took the peak RSS from 348-370 MB to
 * 288-312 MB (8 MiB: 322-343 MB), and produce throughput did not move (FINDINGS.md, 2026-12-01,
 * third session).
 */
export class RequestMemory {
  private held = 0;

  constructor(
    readonly capBytes: number,
    private readonly smallBytes = 64 * 1024,
  ) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Whether a connection holding `own` request bytes must stop reading on the broker's account. */
  full(own: number): boolean {
    return own > this.smallBytes && this.held > this.capBytes;
  }

  /** Whether a connection paused holding `own` bytes may read again on the broker's account. */
  roomFor(own: number): boolean {
    return own <= this.smallBytes || this.held <= this.capBytes / 2;
  }

  add(n: number): void {
    this.held += n;
  }
}

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
 * One connection's share of a broker-wide count (AnswerMemory, RequestMemory): what it holds, all
 * released when the connection closes at the latest (a destroyed socket may not call back every
 * pending write; what calls back after that releases nothing twice, and nothing is added after).
 */
export class ConnectionShare<M extends { add(n: number): void }> {
  private held = 0;
  private closed = false;

  constructor(readonly memory: M) {}

  get bytes(): number {
    return this.held;
  }

  /** `n` bytes more (negative: released). */
  add(n: number): void {
    if (this.closed) return;
    this.held += n;
    this.memory.add(n);
  }

  /** Adds `n` bytes; returns the callback that releases them (a socket write's). */
  hold(n: number): () => void {
    this.add(n);
    return () => this.add(-n);
  }

  releaseAll(): void {
    if (this.closed) return;
    this.closed = true;
    this.memory.add(-this.held);
    this.held = 0;
  }
}
