/**
 * Requests that name many partitions, started over several turns of the event loop. A handler's
 * per-partition work before its first await runs in one piece otherwise: a Produce naming 300,000
 * partitions of unknown topics held the loop 21 s here, a Fetch of 500,000 partitions 6 s, an
 * OffsetCommit of 10,000 partitions 125 ms, each for every client of the broker.
 */
import type { ConnectionInfo } from './types.js';

/** Partitions a request starts per turn of the event loop. */
export const PARTITIONS_PER_TURN = 256;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A connection's requests start in the order they arrived, as Kafka's do. A request that spreads
 * its start over turns (startInTurns) holds its connection's later requests until its last
 * partition has started, so a produce or a commit after it cannot reach a partition first.
 */
export class DispatchGate {
  private held: Promise<void> | null = null;

  /** No request of the connection is still starting. */
  get open(): boolean {
    return this.held === null;
  }

  /** Resolves once no request of the connection is still starting. */
  async wait(): Promise<void> {
    while (this.held) await this.held;
  }

  /** Holds the connection's later requests; call the function returned to let them start. */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.held = held;
    return () => {
      if (this.held === held) this.held = null;
      release();
    };
  }
}

/**
 * Calls `start` for every partition of every topic, in request order, PARTITIONS_PER_TURN to a turn
 * of the event loop, holding the connection's later requests while it spreads (for handlers that
 * write). The results per topic, in order, once all settled; the first rejection rejects.
 */
export async function startInTurns<T extends { partitions: readonly unknown[] }, R>(
  conn: Pick<ConnectionInfo, 'dispatch'>,
  topics: readonly T[],
  start: (topic: T, partition: T['partitions'][number]) => Promise<R>,
): Promise<R[][]> {
  const started: Array<Array<Promise<R>>> = [];
  let count = 0;
  let release: (() => void) | null = null;
  try {
    for (const t of topics) {
      const own: Array<Promise<R>> = [];
      started.push(own);
      for (const p of t.partitions) {
        if (count > 0 && count % PARTITIONS_PER_TURN === 0) {
          release ??= conn.dispatch.hold();
          await nextTurn();
        }
        const r = start(t, p);
        // Handled here: one that fails while later ones wait for their turn is no unhandled rejection.
        r.catch(() => undefined);
        own.push(r);
        count++;
      }
    }
  } finally {
    release?.();
  }
  return Promise.all(started.map((own) => Promise.all(own)));
}

/**
 * For read-only loops over a request's partitions: resolves on the next turn of the event loop
 * after every PARTITIONS_PER_TURN calls (at once otherwise). Reads need not hold the connection.
 */
export function turnTaker(): () => Promise<void> | null {
  let count = 0;
  return () => (++count % PARTITIONS_PER_TURN === 0 ? nextTurn() : null);
}
