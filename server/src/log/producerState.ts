/**
 * Per-partition producer state (Kafka's ProducerStateManager, reduced to one node): for each
 * producer id, its epoch and its last 5 batches' sequence ranges (so a retried batch is answered
 * with its original offsets instead of being written twice), and the first offset of its open
 * transaction; plus the partition's aborted transactions (for read_committed fetches). A data
 * batch of a newer epoch ends (as aborted) a transaction an older epoch left open.
 *
 * Pure bookkeeping, no I/O. The log calls `check` + `reserve` when a write is prepared, `publish`
 * once it is written and `discardPending` if it failed; recovery replays the batch index through
 * `replay`, so the state needs no keys of its own.
 */
import { BrookError, ErrorCode } from '@brook/protocol';

/** Kafka keeps the last 5 batches per producer (ProducerStateEntry.NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5;
const SEQ_MODULO = 2 ** 31;

export interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  base: number;
  last: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMeta[];
  /** First offset of the producer's open transaction on this partition, or -1. */
  txnFirst: number;
  lastWriteMs: number;
}

export interface BatchProducerInfo {
  producerId: number;
  epoch: number;
  firstSeq: number;
  count: number;
  transactional: boolean;
  /** -1: data batch; else CONTROL_ABORT (0) or CONTROL_COMMIT (1). */
  controlType: number;
}

export class ProducerStateTable {
  private readonly committed = new Map<number, ProducerEntry>();
  /** Copies of entries changed by writes prepared but not yet written. */
  private readonly pending = new Map<number, ProducerEntry>();
  private pendingAborted: AbortedTxn[] = [];
  /** Open transactions: producer id -> first offset. Small (one per live transactional producer). */
  private readonly open = new Map<number, number>();
  /** Aborted transactions in marker order (so sorted by lastOffset). */
  private aborted: AbortedTxn[] = [];

  get size(): number {
    return this.committed.size;
  }

  /**
   * Checks a batch against the producer's state (including writes prepared before it). Returns the
   * original batch when this one is a retry of one of the last 5; null when it should be appended.
   */
  check(b: BatchProducerInfo): BatchMeta | null {
    if (b.producerId < 0) {
      if (b.transactional || b.controlType >= 0) throw new BrookError(ErrorCode.INVALID_RECORD, 'a transactional batch needs a producer id');
      return null;
    }
    const e = this.entry(b.producerId);
    if (e && b.epoch < e.epoch) {
      throw new BrookError(
        b.transactional ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH,
        `producer ${b.producerId} epoch ${b.epoch} is older than the current epoch ${e.epoch}`,
      );
    }
    if (b.controlType >= 0) return null;
    if (b.firstSeq < 0) throw new BrookError(ErrorCode.INVALID_RECORD, `producer ${b.producerId} sent a batch without a sequence number`);
    if (!e) return null; // a producer this partition has not seen (or has forgotten): take its sequence as the start
    if (b.epoch > e.epoch) {
      if (b.firstSeq !== 0) {
        throw new BrookError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${b.producerId} started epoch ${b.epoch} at sequence ${b.firstSeq}, not 0`);
      }
      return null;
    }
    const lastSeq = (b.firstSeq + b.count - 1) % SEQ_MODULO;
    for (const m of e.batches) if (m.firstSeq === b.firstSeq && m.lastSeq === lastSeq) return m;
    const prev = e.batches[e.batches.length - 1];
    if (!prev) return null;
    const expected = (prev.lastSeq + 1) % SEQ_MODULO;
    if (b.firstSeq === expected) return null;
    const oldest = e.batches[0]!;
    if (seqBefore(b.firstSeq, expected) && !seqBefore(b.firstSeq, oldest.firstSeq)) {
      throw new BrookError(ErrorCode.DUPLICATE_SEQUENCE_NUMBER, `producer ${b.producerId} resent sequence ${b.firstSeq} with a different record count`);
    }
    if (seqBefore(b.firstSeq, oldest.firstSeq)) {
      throw new BrookError(ErrorCode.DUPLICATE_SEQUENCE_NUMBER, `producer ${b.producerId} resent sequence ${b.firstSeq}, older than the last ${BATCHES_TO_RETAIN} batches`);
    }
    throw new BrookError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${b.producerId} expected sequence ${expected}, got ${b.firstSeq}`);
  }

  /** Records a batch (already checked) written at [base, last]. */
  reserve(b: BatchProducerInfo, base: number, last: number, now: number): void {
    if (b.producerId < 0) return;
    const cur = this.entry(b.producerId);
    const e: ProducerEntry = cur
      ? { epoch: cur.epoch, batches: cur.batches.slice(), txnFirst: cur.txnFirst, lastWriteMs: now }
      : { epoch: b.epoch, batches: [], txnFirst: -1, lastWriteMs: now };
    if (b.epoch > e.epoch) {
      // A newer epoch over a transaction still open here: the coordinator hands out a new epoch only
      // after aborting the old one's transaction, so this one is a fenced producer's. It counts as
      // aborted, so the new epoch's COMMIT cannot commit it and it no longer holds back the LSO.
      // (The coordinator writes a real ABORT marker first; this is the backstop if one is missing.)
      if (b.controlType < 0 && e.txnFirst >= 0) {
        this.pendingAborted.push({ producerId: b.producerId, firstOffset: e.txnFirst, lastOffset: base - 1 });
        e.txnFirst = -1;
      }
      e.epoch = b.epoch;
      e.batches = [];
    }
    if (b.controlType >= 0) {
      if (b.controlType === 0 && e.txnFirst >= 0) this.pendingAborted.push({ producerId: b.producerId, firstOffset: e.txnFirst, lastOffset: last });
      e.txnFirst = -1;
    } else {
      if (b.transactional && e.txnFirst < 0) e.txnFirst = base;
      e.batches.push({ firstSeq: b.firstSeq, lastSeq: (b.firstSeq + b.count - 1) % SEQ_MODULO, base, last });
      if (e.batches.length > BATCHES_TO_RETAIN) e.batches.shift();
    }
    this.pending.set(b.producerId, e);
  }

  /** A point to roll back to if a later batch of the same write is refused. */
  mark(): { pending: Map<number, ProducerEntry>; aborted: number } {
    return { pending: new Map(this.pending), aborted: this.pendingAborted.length };
  }

  restore(m: { pending: Map<number, ProducerEntry>; aborted: number }): void {
    this.pending.clear();
    for (const [k, v] of m.pending) this.pending.set(k, v);
    this.pendingAborted.length = m.aborted;
  }

  /** The prepared writes are durable: make them the state. */
  publish(): void {
    for (const [pid, e] of this.pending) {
      this.committed.set(pid, e);
      if (e.txnFirst >= 0) this.open.set(pid, e.txnFirst);
      else this.open.delete(pid);
    }
    this.pending.clear();
    for (const a of this.pendingAborted) this.aborted.push(a);
    this.pendingAborted = [];
  }

  /** The prepared writes failed. */
  discardPending(): void {
    this.pending.clear();
    this.pendingAborted = [];
  }

  /** Recovery: the batch index, in offset order. */
  replay(b: BatchProducerInfo, base: number, last: number, writtenMs: number): void {
    this.reserve(b, base, last, writtenMs);
    this.publish();
  }

  /** The first offset of the earliest open transaction, or `highWatermark` if none is open. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark;
    for (const first of this.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Producers with a transaction open on this partition: producer id -> epoch. */
  openTransactions(): Map<number, number> {
    const out = new Map<number, number>();
    for (const pid of this.open.keys()) out.set(pid, this.committed.get(pid)!.epoch);
    return out;
  }

  /** Aborted transactions that overlap [from, to): what a read_committed fetch of that range must skip. */
  abortedIn(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    let lo = 0;
    let hi = this.aborted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.aborted[mid]!.lastOffset < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.aborted.length; i++) {
      const a = this.aborted[i]!;
      if (a.firstOffset < to) out.push(a);
    }
    return out;
  }

  /** Retention moved the log start: forget aborted transactions that lie wholly below it. */
  trim(logStartOffset: number): void {
    let k = 0;
    while (k < this.aborted.length && this.aborted[k]!.lastOffset < logStartOffset) k++;
    if (k > 0) this.aborted = this.aborted.slice(k);
  }

  /** Forgets producers idle for longer than `idleMs` with no open transaction (Kafka: producer.id.expiration.ms). */
  expire(now: number, idleMs: number): number {
    let n = 0;
    for (const [pid, e] of this.committed) {
      if (e.txnFirst < 0 && now - e.lastWriteMs > idleMs && !this.pending.has(pid)) {
        this.committed.delete(pid);
        n++;
      }
    }
    return n;
  }

  private entry(pid: number): ProducerEntry | undefined {
    return this.pending.get(pid) ?? this.committed.get(pid);
  }
}

/** a comes before b in sequence order (sequences wrap at 2^31; a window of 2^30 is plenty). */
function seqBefore(a: number, b: number): boolean {
  const d = (b - a + SEQ_MODULO) % SEQ_MODULO;
  return d > 0 && d < SEQ_MODULO / 2;
}
