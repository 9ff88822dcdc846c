/**
 * In-memory index of one partition's batches, in offset order, as parallel typed arrays (about
 * 48 bytes per batch, no object per batch). Removal from the front (retention) only moves `head`;
 * the arrays are compacted when they grow.
 */
export class BatchIndex {
  private b = new Float64Array(16);
  private l = new Float64Array(16);
  private t = new Float64Array(16);
  private s = new Uint32Array(16);
  private c = new Uint32Array(16);
  /** Where each batch is stored: its batch-store sequence, or IN_LOG_DB (-1). */
  private q = new Float64Array(16);
  private head = 0;
  private tail = 0;
  totalBytes = 0;
  totalRecords = 0;

  get length(): number {
    return this.tail - this.head;
  }

  baseOf(i: number): number {
    return this.b[this.head + i]!;
  }
  lastOf(i: number): number {
    return this.l[this.head + i]!;
  }
  maxTimestampOf(i: number): number {
    return this.t[this.head + i]!;
  }
  /** The first batch based below `below` whose max timestamp is >= ts (Kafka's ListOffsets by time), -1 if none. */
  firstWithTimestampAtOrAfter(ts: number, below: number): number {
    for (let i = 0; i < this.length && this.baseOf(i) < below; i++) if (this.maxTimestampOf(i) >= ts) return i;
    return -1;
  }
  sizeOf(i: number): number {
    return this.s[this.head + i]!;
  }
  countOf(i: number): number {
    return this.c[this.head + i]!;
  }
  seqOf(i: number): number {
    return this.q[this.head + i]!;
  }

  push(base: number, last: number, maxTs: number, size: number, count: number, seq: number): void {
    if (this.tail === this.b.length) this.makeRoom();
    const j = this.tail++;
    this.b[j] = base;
    this.l[j] = last;
    this.t[j] = maxTs;
    this.s[j] = size;
    this.c[j] = count;
    this.q[j] = seq;
    this.totalBytes += size;
    this.totalRecords += count;
  }

  /** Drops the first k batches. */
  shift(k: number): void {
    for (let j = this.head; j < this.head + k; j++) {
      this.totalBytes -= this.s[j]!;
      this.totalRecords -= this.c[j]!;
    }
    this.head += k;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Position of the first batch whose lastOffset >= offset (the batch holding it, or the next one after a gap), or -1. */
  find(offset: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.l[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.tail ? -1 : lo - this.head;
  }

  /** Position of the batch with this base offset, or -1. */
  positionOf(base: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.b[mid]! < base) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.tail && this.b[lo] === base ? lo - this.head : -1;
  }

  /** Replaces a batch's entry in place (compaction rewrote it under the same base offset). */
  update(i: number, maxTs: number, size: number, count: number, seq: number): void {
    const j = this.head + i;
    this.totalBytes += size - this.s[j]!;
    this.totalRecords += count - this.c[j]!;
    this.t[j] = maxTs;
    this.s[j] = size;
    this.c[j] = count;
    this.q[j] = seq;
  }

  /** Removes the batches at these positions (ascending) in one pass. */
  removePositions(positions: number[]): void {
    if (positions.length === 0) return;
    let w = this.head + positions[0]!;
    let p = 0;
    for (let r = w; r < this.tail; r++) {
      if (p < positions.length && r === this.head + positions[p]!) {
        this.totalBytes -= this.s[r]!;
        this.totalRecords -= this.c[r]!;
        p++;
        continue;
      }
      this.b[w] = this.b[r]!;
      this.l[w] = this.l[r]!;
      this.t[w] = this.t[r]!;
      this.s[w] = this.s[r]!;
      this.c[w] = this.c[r]!;
      this.q[w] = this.q[r]!;
      w++;
    }
    this.tail = w;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  private makeRoom(): void {
    const n = this.tail - this.head;
    const cap = this.b.length;
    // Reuse the space freed at the front when it is at least half the arrays, else double.
    const newCap = this.head >= cap / 2 ? cap : cap * 2;
    const move = <T extends Float64Array | Uint32Array>(a: T, fresh: T): T => {
      fresh.set(a.subarray(this.head, this.tail));
      return fresh;
    };
    if (newCap === cap) {
      this.b.copyWithin(0, this.head, this.tail);
      this.l.copyWithin(0, this.head, this.tail);
      this.t.copyWithin(0, this.head, this.tail);
      this.s.copyWithin(0, this.head, this.tail);
      this.c.copyWithin(0, this.head, this.tail);
      this.q.copyWithin(0, this.head, this.tail);
    } else {
      this.b = move(this.b, new Float64Array(newCap));
      this.l = move(this.l, new Float64Array(newCap));
      this.t = move(this.t, new Float64Array(newCap));
      this.s = move(this.s, new Uint32Array(newCap));
      this.c = move(this.c, new Uint32Array(newCap));
      this.q = move(this.q, new Float64Array(newCap));
    }
    this.head = 0;
    this.tail = n;
  }
}
