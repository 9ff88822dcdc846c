/**
 * Byte-bounded cache of each partition's most recent batches, so consumers tailing a log read
 * from memory. Each partition caches a contiguous suffix of its log (only the front is evicted);
 * a shared budget caps all partitions together by evicting the globally oldest entries.
 */
export interface CachedBatch {
  readonly owner: PartitionCache;
  readonly base: number;
  readonly last: number;
  /** Emptied once evicted: the budget's order may still list the entry for a while. */
  data: Uint8Array;
  live: boolean;
}

const EMPTY = new Uint8Array(0);

export class CacheBudget {
  used = 0;
  private order: CachedBatch[] = [];
  private orderHead = 0;
  private liveCount = 0;

  constructor(
    readonly totalBytes = 64 * 1024 * 1024,
    readonly perPartitionBytes = 1024 * 1024,
  ) {}

  add(e: CachedBatch): void {
    this.order.push(e);
    this.used += e.data.byteLength;
    this.liveCount++;
    while (this.used > this.totalBytes && this.orderHead < this.order.length) {
      const old = this.order[this.orderHead]!;
      // The slot is dead from here on: it must not keep the entry alive until the next compaction.
      this.order[this.orderHead++] = undefined as unknown as CachedBatch;
      if (old.live) old.owner.evictFront();
    }
    // Entries evicted by their partition stay in `order` until here: drop them once they dominate.
    const stored = this.order.length - this.orderHead;
    if (stored > 1024 && stored > 2 * this.liveCount) {
      this.order = this.order.slice(this.orderHead).filter((x) => x.live);
      this.orderHead = 0;
    }
  }

  removed(e: CachedBatch): void {
    this.used -= e.data.byteLength;
    this.liveCount--;
  }

  /** Bytes the cache keeps reachable, evicted entries still listed in `order` included (for tests: must equal `used`). */
  retainedBytes(): number {
    let n = 0;
    for (let i = this.orderHead; i < this.order.length; i++) n += this.order[i]!.data.byteLength;
    return n;
  }
}

export class PartitionCache {
  private items: CachedBatch[] = [];
  private head = 0;
  bytes = 0;

  constructor(private readonly budget: CacheBudget) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds the next batch of the log (must follow the last cached one). */
  push(base: number, last: number, data: Uint8Array): void {
    if (data.byteLength > this.budget.perPartitionBytes) {
      // Not cacheable, and the cache must stay a suffix of the log.
      this.clear();
      return;
    }
    // Keep a compact copy so a cached batch does not pin a whole request frame.
    const own = data.byteLength === data.buffer.byteLength ? data : data.slice();
    const e: CachedBatch = { owner: this, base, last, data: own, live: true };
    this.items.push(e);
    this.bytes += own.byteLength;
    while (this.bytes > this.budget.perPartitionBytes) this.evictFront();
    this.budget.add(e);
  }

  evictFront(): void {
    if (this.head >= this.items.length) return;
    const e = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as CachedBatch;
    e.live = false;
    this.bytes -= e.data.byteLength;
    this.budget.removed(e);
    // Up to 1,024 evicted entries stay listed in the budget's order (dropped in bulk there): they
    // must not hold their batches, or a flood of large batches keeps ~1,024 of them (hundreds of MB).
    e.data = EMPTY;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops cached batches that end before `offset` (retention moved the log start). */
  evictBefore(offset: number): void {
    while (this.head < this.items.length && this.items[this.head]!.last < offset) this.evictFront();
  }

  clear(): void {
    while (this.head < this.items.length) this.evictFront();
  }

  /**
   * Whole batches from the one holding `offset` (or the next one), Kafka's size rule: the first
   * batch always, then more while the total stays within maxBytes. Null if the cache does not
   * reach back to `offset`.
   */
  read(offset: number, maxBytes: number, limit = Infinity): Uint8Array[] | null {
    const n = this.items.length;
    if (this.head >= n || this.items[this.head]!.base > offset) return null;
    let lo = this.head;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.last < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === n || this.items[lo]!.base >= limit) return null;
    const out: Uint8Array[] = [this.items[lo]!.data];
    let total = this.items[lo]!.data.byteLength;
    for (let i = lo + 1; i < n; i++) {
      if (this.items[i]!.base >= limit) break;
      const d = this.items[i]!.data;
      if (total + d.byteLength > maxBytes) break;
      out.push(d);
      total += d.byteLength;
    }
    return out;
  }
}
