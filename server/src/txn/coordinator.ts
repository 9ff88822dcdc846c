/**
 * Transaction coordinator: producer ids, transactional ids and their epochs, and the life of each
 * transaction (Kafka's TransactionCoordinator on one node).
 *
 * - InitProducerId hands out producer ids from blocks persisted in LevelDB. With a transactional
 *   id it bumps that id's epoch (fencing older instances) and aborts the transaction it left open,
 *   the way Kafka does: fence first (the epoch is bumped before anything is written, so no append,
 *   offset commit or EndTxn of the old epoch is accepted any more), wait for the appends already
 *   accepted, write the ABORT markers with the bumped epoch, then bump once more for the caller.
 * - A transactional Produce adds its partition to the transaction (KIP-890's server-side add; no
 *   AddPartitionsToTxn round trip). The batches are written to the log at once; the log tracks the
 *   transaction's first offset there, which holds back the last stable offset.
 * - TxnOffsetCommit stores consumer offsets in the transaction (checked against the group's member
 *   epoch and ownership, KIP-447's fencing). They stay in memory until the end; meanwhile an
 *   OffsetFetch with requireStable answers UNSTABLE_OFFSET_COMMIT for them and expiry keeps the
 *   partition's committed offset (Kafka's pending transactional offset commits).
 * - EndTxn writes a COMMIT or ABORT control batch to every partition of the transaction, and on
 *   commit the offsets to `__consumer_offsets`, in ONE LevelDB batch: outputs and offsets become
 *   visible together or not at all. Nothing else needs to survive a crash: a transaction open at a
 *   crash is found at start-up (transactional batches without a marker, from the batch index) and
 *   aborted, and its producer's epoch is bumped so the pre-crash instance is fenced.
 * - A transaction open longer than its timeout is aborted the same way (fenced, markers with the
 *   bumped epoch). A failed completion leaves the transaction open with its timer running, and a
 *   failed timeout abort is tried again, so no storage error leaves a transaction open for ever.
 *
 * What it stores (producer id blocks, transactional ids) is in producerIds.ts.
 */
import type { Logger } from 'pino';
import { BrookError, ErrorCode, encodeControlBatch } from '@brook/protocol';
import type { AtomicPart } from '../log/appendOp.js';
import { PartitionLog } from '../log/partitionLog.js';
import type { Storage } from '../log/storage.js';
import type { TopicManager } from '../log/topicManager.js';
import type { OffsetEntry, OffsetStore } from '../offsets/offsetStore.js';
import { ProducerIdStore } from './producerIds.js';

const MAX_EPOCH = 32767;
/** A failed timeout abort is tried again after the transaction timeout, at most this long (Kafka's abort cleanup interval). */
const ABORT_RETRY_MAX_MS = 10_000;

export interface TxnOffsets {
  memberId: string | null;
  memberEpoch: number;
  /** "topic\0partition" -> entry; a later commit for the same partition replaces the earlier. */
  entries: Map<string, OffsetEntry>;
}

type TxnStatus = 'Empty' | 'Ongoing' | 'Ending';

interface TxnEntry {
  readonly transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  status: TxnStatus;
  partitions: Set<PartitionLog>;
  offsets: Map<string, TxnOffsets>;
  timer: NodeJS.Timeout | null;
  /** Transactions started on this id: a timer of an earlier one must not abort a later one. */
  started: number;
  /**
   * The epoch was bumped past the open transaction's producer (a fencing abort started, Kafka's
   * PrepareEpochFence); a retry after a failed abort must not bump it again.
   */
  fenced: boolean;
  /** The epoch whose transaction the broker aborted on timeout (its calls get TRANSACTION_TIMED_OUT). */
  timedOutEpoch: number;
  /** Transactional appends not yet written; EndTxn waits for them. */
  inFlight: number;
  idleWaiters: Array<() => void>;
  /** Serializes init, end and timeout on this id. */
  lock: Promise<unknown>;
}

export interface TxnCoordinatorDeps {
  storage: Storage;
  topics: TopicManager;
  offsets: OffsetStore;
  /** 0 if the member may commit this partition's offset now, else the error code (OffsetCommit's check). */
  validateOffsetCommit(groupId: string, memberId: string | null, memberEpoch: number, topic: string, partition: number): number;
  logger: Logger;
  /** Kafka's transaction.max.timeout.ms (15 min). */
  maxTimeoutMs: number;
}

export interface TxnStats {
  transactionalIds: number;
  open: number;
  committed: number;
  aborted: number;
}

export class TransactionCoordinator {
  private readonly byId = new Map<string, TxnEntry>();
  private readonly byProducerId = new Map<number, TxnEntry>();
  /** Group id -> the transactions holding offsets of it not yet committed or aborted. */
  private readonly pendingOffsets = new Map<string, Set<TxnEntry>>();
  private closed = false;
  private committed = 0;
  private aborted = 0;

  private constructor(
    private readonly deps: TxnCoordinatorDeps,
    private readonly ids: ProducerIdStore,
  ) {}

  /** Loads producer ids and transactional ids, then aborts every transaction a crash left open. */
  static async open(deps: TxnCoordinatorDeps): Promise<TransactionCoordinator> {
    const { store, transactionalIds } = await ProducerIdStore.open(deps.storage);
    const c = new TransactionCoordinator(deps, store);
    for (const t of transactionalIds) {
      const e = newEntry(t.transactionalId, t.producerId, t.producerEpoch, t.timeoutMs);
      c.byId.set(t.transactionalId, e);
      c.byProducerId.set(e.producerId, e);
    }
    await c.abortLeftOpen();
    return c;
  }

  stats(): TxnStats {
    let open = 0;
    for (const e of this.byId.values()) if (e.status !== 'Empty') open++;
    return { transactionalIds: this.byId.size, open, committed: this.committed, aborted: this.aborted };
  }

  // ---- InitProducerId ----

  async initProducerId(transactionalId: string | null, timeoutMs: number): Promise<{ producerId: number; producerEpoch: number }> {
    if (transactionalId === null) return { producerId: await this.ids.allocate(), producerEpoch: 0 };
    if (transactionalId.length === 0 || transactionalId.length > 249) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'transactionalId must be 1 to 249 characters');
    }
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > this.deps.maxTimeoutMs) {
      throw new BrookError(
        ErrorCode.INVALID_TRANSACTION_TIMEOUT,
        `transactionTimeout must be between 1 and ${this.deps.maxTimeoutMs} ms (transaction.max.timeout.ms), got ${timeoutMs}`,
      );
    }
    let e = this.byId.get(transactionalId);
    if (!e) {
      const pid = await this.ids.allocate();
      e = this.byId.get(transactionalId); // another init may have won meanwhile
      if (!e) {
        e = newEntry(transactionalId, pid, -1, timeoutMs);
        this.byId.set(transactionalId, e);
        this.byProducerId.set(pid, e);
      }
    }
    const entry = e;
    return this.locked(entry, async () => {
      if (entry.status !== 'Empty') {
        this.deps.logger.info({ transactionalId, producerId: entry.producerId, epoch: entry.epoch }, 'aborting the transaction of a fenced producer');
        await this.fenceAndAbort(entry);
      }
      await this.bumpEpoch(entry, timeoutMs);
      return { producerId: entry.producerId, producerEpoch: entry.epoch };
    });
  }

  // ---- Produce ----

  /** The transactional id a producer id belongs to (null: none, or an idempotent-only producer). */
  transactionalIdOf(producerId: number): string | null {
    return this.byProducerId.get(producerId)?.transactionalId ?? null;
  }

  /**
   * Called before a transactional batch is appended: checks the producer's epoch and adds the
   * partition to its transaction. Returns the function to call once the append settled.
   */
  beginAppend(producerId: number, epoch: number, log: PartitionLog): () => void {
    const e = this.byProducerId.get(producerId);
    if (!e) throw new BrookError(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `producer ${producerId} has no transactional id; call InitProducerId first`);
    this.checkEpoch(e, producerId, epoch);
    if (e.status === 'Ending') throw new BrookError(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${e.transactionalId} is completing`);
    this.start(e);
    e.partitions.add(log);
    e.inFlight++;
    return () => {
      if (--e.inFlight === 0) {
        const w = e.idleWaiters;
        e.idleWaiters = [];
        for (const f of w) f();
      }
    };
  }

  /** Resolves once no append of the transaction is in flight. */
  private idle(e: TxnEntry): Promise<void> {
    if (e.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => e.idleWaiters.push(resolve));
  }

  /**
   * Kafka clients add partitions before producing to them (AddPartitionsToTxn); Brook's own SDK
   * lets the Produce add them. Either way the partition is in the transaction, so EndTxn writes
   * its marker. `verifyOnly` (KIP-890): only check that they are in it already.
   */
  addPartitions(transactionalId: string, producerId: number, epoch: number, logs: PartitionLog[], verifyOnly = false): void {
    const e = this.entryFor(transactionalId, producerId, epoch);
    if (verifyOnly) {
      if (logs.some((log) => !e.partitions.has(log))) throw new BrookError(ErrorCode.INVALID_TXN_STATE, `partitions are not in the transaction of ${transactionalId}`);
      return;
    }
    if (e.status === 'Ending') throw new BrookError(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${transactionalId} is completing`);
    this.start(e);
    for (const log of logs) e.partitions.add(log);
  }

  // ---- TxnOffsetCommit ----

  /** Validates the producer; the caller checks each partition (validateOffsetCommit) and passes the accepted ones. */
  addOffsets(transactionalId: string, producerId: number, epoch: number, groupId: string, memberId: string | null, memberEpoch: number, entries: OffsetEntry[]): void {
    const e = this.entryFor(transactionalId, producerId, epoch);
    if (e.status === 'Ending') throw new BrookError(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${transactionalId} is completing`);
    if (entries.length === 0) return;
    this.start(e);
    let g = e.offsets.get(groupId);
    if (!g) e.offsets.set(groupId, (g = { memberId, memberEpoch, entries: new Map() }));
    let pending = this.pendingOffsets.get(groupId);
    if (!pending) this.pendingOffsets.set(groupId, (pending = new Set()));
    pending.add(e);
    g.memberId = memberId;
    g.memberEpoch = memberEpoch;
    for (const o of entries) g.entries.set(`${o.topic}\0${o.partition}`, o);
  }

  /** A transaction holds an offset of this partition for the group that it has not committed or aborted yet. */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    const key = `${topic}\0${partition}`;
    for (const e of this.pendingOffsets.get(groupId) ?? []) if (e.offsets.get(groupId)?.entries.has(key)) return true;
    return false;
  }

  /** Checks the producer (PRODUCER_FENCED etc.) without changing anything. */
  checkProducer(transactionalId: string, producerId: number, epoch: number): void {
    this.entryFor(transactionalId, producerId, epoch);
  }

  /** AddOffsetsToTxn: the transaction will carry offsets (it starts now, its timeout running). */
  beginOffsets(transactionalId: string, producerId: number, epoch: number): void {
    const e = this.entryFor(transactionalId, producerId, epoch);
    if (e.status === 'Ending') throw new BrookError(ErrorCode.CONCURRENT_TRANSACTIONS, `transaction ${transactionalId} is completing`);
    this.start(e);
  }

  // ---- EndTxn ----

  async endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<void> {
    const e = this.entryFor(transactionalId, producerId, epoch);
    await this.locked(e, async () => {
      this.checkEpoch(e, producerId, epoch);
      if (e.status === 'Empty') return; // nothing was sent: nothing to commit or abort
      e.status = 'Ending';
      await this.idle(e);
      if (commit) {
        const refusal = this.revalidateOffsets(e);
        if (refusal) {
          await this.complete(e, false);
          throw new BrookError(refusal.code, `transaction ${transactionalId} was aborted: ${refusal.message}`);
        }
      }
      await this.complete(e, commit);
    });
  }

  close(): void {
    this.closed = true;
    for (const e of this.byId.values()) if (e.timer) clearTimeout(e.timer);
  }

  // ---- internals ----

  private entryFor(transactionalId: string, producerId: number, epoch: number): TxnEntry {
    const e = this.byId.get(transactionalId);
    if (!e) throw new BrookError(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `unknown transactional id ${transactionalId}; call InitProducerId first`);
    if (e.producerId !== producerId) {
      throw new BrookError(ErrorCode.INVALID_PRODUCER_ID_MAPPING, `transactional id ${transactionalId} belongs to producer ${e.producerId}, not ${producerId}`);
    }
    this.checkEpoch(e, producerId, epoch);
    return e;
  }

  private checkEpoch(e: TxnEntry, producerId: number, epoch: number): void {
    if (epoch < e.epoch && epoch === e.timedOutEpoch) {
      throw new BrookError(
        ErrorCode.TRANSACTION_TIMED_OUT,
        `the transaction of ${e.transactionalId} stayed open longer than its timeout of ${e.timeoutMs} ms and was aborted; this producer is fenced: create a new one`,
      );
    }
    if (epoch < e.epoch) {
      throw new BrookError(
        ErrorCode.PRODUCER_FENCED,
        `producer ${producerId} epoch ${epoch} of transactional id ${e.transactionalId} is fenced by epoch ${e.epoch} (a newer instance, or the broker aborted its transaction)`,
      );
    }
    if (epoch > e.epoch) throw new BrookError(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${producerId} sent epoch ${epoch}, the current one is ${e.epoch}`);
  }

  private start(e: TxnEntry): void {
    if (e.status !== 'Empty') return;
    e.status = 'Ongoing';
    e.started++;
    this.armTimeout(e, e.timeoutMs);
  }

  /** The timer stays armed until the transaction is completed: a failed EndTxn leaves it running. */
  private armTimeout(e: TxnEntry, ms: number): void {
    if (e.timer) clearTimeout(e.timer);
    const txn = e.started;
    e.timer = setTimeout(() => void this.timeOut(e, txn), ms);
    e.timer.unref();
  }

  private async timeOut(e: TxnEntry, txn: number): Promise<void> {
    try {
      await this.locked(e, async () => {
        if (this.closed || e.started !== txn || e.status === 'Empty') return;
        this.deps.logger.warn(
          { transactionalId: e.transactionalId, producerId: e.producerId, epoch: e.epoch, timeoutMs: e.timeoutMs },
          'transaction timed out: aborting it and fencing its producer',
        );
        if (!e.fenced) e.timedOutEpoch = e.epoch;
        await this.fenceAndAbort(e);
      });
    } catch (err) {
      if (this.closed || e.started !== txn || e.status === 'Empty') return;
      const retryMs = Math.min(e.timeoutMs, ABORT_RETRY_MAX_MS);
      this.deps.logger.error({ err, transactionalId: e.transactionalId, retryMs }, 'aborting a timed-out transaction failed; trying again');
      this.armTimeout(e, retryMs);
    }
  }

  /**
   * Kafka's fencing abort (prepareFenceProducerEpoch, then an abort with the bumped epoch). The
   * epoch is bumped in memory before anything is written, so from here on every append, offset
   * commit and EndTxn of the old epoch is refused (PRODUCER_FENCED); the appends accepted before
   * are waited for, so none lands after the markers; the markers carry the bumped epoch, which
   * fences the old one in each partition's producer state too. On failure the transaction stays
   * open (fenced) for a retry or its timeout.
   */
  private async fenceAndAbort(e: TxnEntry): Promise<void> {
    e.status = 'Ending';
    if (!e.fenced) {
      e.fenced = true;
      if (e.epoch < MAX_EPOCH) e.epoch++; // bumpEpoch keeps epochs below MAX_EPOCH, so there is room
    }
    try {
      await this.ids.persist(e.transactionalId, e.producerId, e.epoch, e.timeoutMs);
      await this.idle(e);
    } catch (err) {
      e.status = 'Ongoing';
      throw err;
    }
    await this.complete(e, false);
  }

  /** The refusal of the first stored offset its member may no longer commit, if any. */
  private revalidateOffsets(e: TxnEntry): { code: number; message: string } | null {
    for (const [groupId, g] of e.offsets) {
      for (const o of g.entries.values()) {
        const code = this.deps.validateOffsetCommit(groupId, g.memberId, g.memberEpoch, o.topic, o.partition);
        if (code !== 0) {
          return { code, message: `member ${g.memberId ?? '(none)'} of group ${groupId} may no longer commit ${o.topic}-${o.partition}` };
        }
      }
    }
    return null;
  }

  /**
   * Writes the markers (and on commit the offsets) in one atomic, fsynced write; then resets the
   * entry. On failure the transaction is open again, its timer still running.
   */
  private async complete(e: TxnEntry, commit: boolean): Promise<void> {
    const now = Date.now();
    const parts: AtomicPart[] = [];
    for (const log of e.partitions) {
      if (!log.isClosed) parts.push({ log, batches: [encodeControlBatch(e.producerId, e.epoch, commit, now)] });
    }
    const applies: Array<() => void> = [];
    if (commit) {
      for (const [groupId, g] of e.offsets) {
        const live = [...g.entries.values()].filter((o) => this.deps.topics.get(o.topic));
        if (live.length === 0) continue;
        const c = this.deps.offsets.transactionalCommit(groupId, live, now);
        parts.push(c.part);
        applies.push(c.apply);
      }
    }
    try {
      if (parts.length > 0) await PartitionLog.appendAtomic(parts, { sync: true });
    } catch (err) {
      e.status = 'Ongoing';
      throw err;
    }
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    for (const apply of applies) apply();
    if (commit) this.committed++;
    else this.aborted++;
    e.status = 'Empty';
    e.fenced = false;
    for (const groupId of e.offsets.keys()) {
      const pending = this.pendingOffsets.get(groupId);
      pending?.delete(e);
      if (pending?.size === 0) this.pendingOffsets.delete(groupId);
    }
    e.partitions = new Set();
    e.offsets = new Map();
  }

  /** The epoch handed to a producer: a new producer id once it is exhausted (kept below MAX_EPOCH so a fencing bump always fits, as in Kafka). */
  private async bumpEpoch(e: TxnEntry, timeoutMs: number): Promise<void> {
    let { producerId, epoch } = e;
    if (epoch >= MAX_EPOCH - 1) {
      producerId = await this.ids.allocate();
      epoch = 0;
    } else epoch++;
    await this.ids.persist(e.transactionalId, producerId, epoch, timeoutMs);
    if (producerId !== e.producerId) {
      this.byProducerId.delete(e.producerId);
      this.byProducerId.set(producerId, e);
      e.producerId = producerId;
    }
    e.epoch = epoch;
    e.timeoutMs = timeoutMs;
  }

  private locked<T>(e: TxnEntry, fn: () => Promise<T>): Promise<T> {
    const run = e.lock.then(fn, fn);
    e.lock = run.catch(() => undefined);
    return run;
  }

  /** Start-up: every partition's open transactions (data without a marker) are aborted; their producers are fenced. */
  private async abortLeftOpen(): Promise<void> {
    const open = new Map<number, { epoch: number; logs: PartitionLog[] }>();
    for (const t of this.deps.topics.list()) {
      for (const log of t.partitions) {
        for (const [pid, epoch] of log.openTransactions()) {
          let o = open.get(pid);
          if (!o) open.set(pid, (o = { epoch, logs: [] }));
          o.epoch = Math.max(o.epoch, epoch);
          o.logs.push(log);
        }
      }
    }
    for (const [pid, o] of open) {
      const now = Date.now();
      await PartitionLog.appendAtomic(
        o.logs.map((log) => ({ log, batches: [encodeControlBatch(pid, o.epoch, false, now)] })),
        { sync: true },
      );
      this.aborted++;
      const e = this.byProducerId.get(pid);
      if (e && e.epoch <= o.epoch) await this.bumpEpoch(e, e.timeoutMs);
      this.deps.logger.warn(
        { producerId: pid, transactionalId: e?.transactionalId, partitions: o.logs.length },
        'aborted a transaction left open by a crash; its producer must call InitProducerId again',
      );
    }
  }
}

function newEntry(transactionalId: string, producerId: number, epoch: number, timeoutMs: number): TxnEntry {
  return {
    transactionalId,
    producerId,
    epoch,
    timeoutMs,
    status: 'Empty',
    partitions: new Set(),
    offsets: new Map(),
    timer: null,
    started: 0,
    fenced: false,
    timedOutEpoch: -1,
    inFlight: 0,
    idleWaiters: [],
    lock: Promise.resolve(),
  };
}
