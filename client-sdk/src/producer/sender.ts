/**
 * The sender: flushes the accumulator (after `linger` ms, at once when plenty is queued) and keeps
 * at most `maxInFlightRequests` Produce requests outstanding; while all slots are busy the
 * accumulator keeps growing, so the next request is bigger. It matches each answer to its batches,
 * retries retriable errors with exponential backoff (a resend keeps its sequence numbers), splits
 * batches a topic refuses as too large, and settles the sends through `Delivery`.
 */
import { BrookError, ErrorCode, concatBytes, type ProduceRequest } from '@brook/protocol';
import { sleep } from '../connection.js';
import type { RecordAccumulator } from './accumulator.js';
import type { ProducerCore } from './core.js';
import type { Delivery } from './delivery.js';
import { isFatalTxnError, type ProducerIdentity } from './idempotence.js';
import { asBrookError, ProducerEvents, rkey, type Accumulator, type ReadyRequest, type Unit } from './types.js';

/** With acks 0, wait while this much is buffered in the socket. */
const ACKS0_HIGH_WATER = 8 * 1024 * 1024;

export class Sender {
  /** Requests already built (batches encoded and numbered) waiting for a free in-flight slot, in order. */
  private readonly ready: ReadyRequest[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushImmediate = false;
  private inFlight = 0;
  private readonly jobs = new Set<Promise<void>>();
  /** Runs before a request's batches are sent (a transaction adds their partitions to itself). */
  prepare: (units: Unit[]) => Promise<void> = async () => {};

  constructor(
    private readonly core: ProducerCore,
    private readonly identity: ProducerIdentity,
    private readonly accumulator: RecordAccumulator,
    private readonly delivery: Delivery,
  ) {}

  /** Records were added to `acc`: flush now, at the end of the tick, or after `linger` ms. */
  scheduleFlush(acc: Accumulator): void {
    const linger = this.core.config.linger ?? 0;
    if (this.accumulator.wantsEagerFlush(acc) && this.inFlight < this.core.maxInFlight) {
      // Plenty queued: no reason to wait.
      this.flush(false);
      return;
    }
    if (this.flushTimer !== null || this.flushImmediate) return;
    if (linger <= 0) {
      this.flushImmediate = true;
      const si = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
      const run = () => {
        this.flushImmediate = false;
        this.flush(false);
      };
      if (si) si(run);
      else setTimeout(run, 0);
    } else {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush(false);
      }, linger);
    }
  }

  /**
   * Turns the accumulators into Produce requests and starts as many as there are free in-flight
   * slots (all of them when `force`); the rest wait in `ready`, in sequence order. While every slot
   * is busy the accumulator keeps growing and is split into requests when a slot frees.
   */
  flush(force: boolean): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.startReady(force);
    if (!force && (this.inFlight >= this.core.maxInFlight || this.ready.length > 0)) return;
    this.accumulator.drainInto(this.ready);
    this.startReady(force);
  }

  /** Sends everything queued and waits for every outstanding request. */
  async flushPending(): Promise<void> {
    for (;;) {
      this.flush(true);
      if (this.jobs.size === 0 && this.accumulator.isEmpty && this.ready.length === 0) return;
      await Promise.allSettled([...this.jobs]);
    }
  }

  private startReady(force: boolean): void {
    while (this.ready.length > 0 && (force || this.inFlight < this.core.maxInFlight)) {
      const r = this.ready.shift()!;
      this.startJob(r.acks, r.timeout, r.units);
    }
  }

  private startJob(acks: number, timeout: number, units: Unit[]): void {
    this.inFlight++;
    const job = this.runRequest(acks, timeout, units)
      .catch((e: unknown) => {
        // runRequest settles its records itself; this is a last resort.
        this.delivery.failUnits(units, asBrookError(e));
      })
      .finally(() => {
        this.jobs.delete(job);
        this.inFlight--;
        this.startReady(false);
        if (!this.accumulator.isEmpty && this.flushTimer === null && !this.flushImmediate) this.flush(false);
      });
    this.jobs.add(job);
  }

  private buildRequest(acks: number, timeout: number, units: Unit[]): { body: ProduceRequest; groups: Map<string, Unit[]> } {
    const groups = new Map<string, Unit[]>();
    const topics = new Map<string, Map<number, Unit[]>>();
    for (const u of units) {
      const k = rkey(u.topic, u.partition);
      let g = groups.get(k);
      if (!g) {
        groups.set(k, (g = []));
        let t = topics.get(u.topic);
        if (!t) topics.set(u.topic, (t = new Map()));
        t.set(u.partition, g);
      }
      g.push(u);
    }
    const body: ProduceRequest = {
      transactionalId: this.identity.transactionalId,
      acks,
      timeoutMs: timeout,
      topics: [...topics].map(([topic, parts]) => ({
        topic,
        partitions: [...parts].map(([partition, us]) => ({ partition, records: concatBytes(us.map((u) => u.bytes)) })),
      })),
    };
    return { body, groups };
  }

  private async runRequest(acks: number, timeout: number, units: Unit[]): Promise<void> {
    const { core, identity, delivery, accumulator } = this;
    let queued = units;
    let attempt = 0;
    while (queued.length > 0) {
      if (identity.idempotent && acks !== 0) {
        if (identity.initializing) await identity.initializing.catch(() => undefined);
        queued = queued.map((u) => identity.renumber(u, acks));
      }
      // Kafka takes one batch per partition per request: a partition's later batches wait for the next round.
      const [pending, later] = core.cluster.limits.oneBatchPerPartition ? firstPerPartition(queued) : [queued, []];
      for (const u of pending) u.sent = true;
      const { body, groups } = this.buildRequest(acks, timeout, pending);
      const retry: Unit[] = [];
      let lastError: BrookError | null = null;
      try {
        await this.prepare(pending);
        if (acks === 0) {
          await core.cluster.sendOnly('Produce', body);
          for (const us of groups.values()) delivery.ackUnits(us, -1, -1);
          while (core.cluster.bufferedAmount > ACKS0_HIGH_WATER && core.cluster.isConnected) await sleep(1);
          queued = later;
          continue;
        }
        core.emit(ProducerEvents.REQUEST, { apiName: 'Produce', partitions: groups.size });
        const res = await core.cluster.request('Produce', body, { timeoutMs: Math.max(core.ctx.requestTimeout, timeout + 5000) });
        const answered = new Map<string, { errorCode: number; errorMessage: string | null; baseOffset: number; logStartOffset: number }>();
        for (const t of res.topics) for (const p of t.partitions) answered.set(rkey(t.topic, p.partition), p);
        for (const [k, us] of groups) {
          const p = answered.get(k);
          if (!p) {
            delivery.failUnits(us, new BrookError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${us[0]!.topic}-${us[0]!.partition} in the Produce response`));
            continue;
          }
          if (p.errorCode === 0) {
            delivery.ackUnits(us, p.baseOffset, p.logStartOffset);
            continue;
          }
          const err = new BrookError(p.errorCode, p.errorMessage);
          const recordCount = us.reduce((s, u) => s + u.records.length, 0);
          if (p.errorCode === ErrorCode.MESSAGE_TOO_LARGE && recordCount > 1 && us.every((u) => u.records.length === 1)) {
            // Several single-record batches, one of them too large: send each alone to find it.
            for (const u of us) this.startJob(acks, timeout, [u]);
            continue;
          }
          if (p.errorCode === ErrorCode.MESSAGE_TOO_LARGE && recordCount > 1) {
            // The topic's max.message.bytes is below the broker default: learn a smaller batch
            // size and split (this does not count as a retry; it ends at single-record batches).
            const largest = Math.max(...us.map((u) => u.bytes.length));
            const topic = us[0]!.topic;
            accumulator.learnBatchLimit(topic, largest);
            core.logger.debug('batch too large for the topic, splitting', { topic, bytes: largest });
            const split: Unit[] = [];
            for (const u of us) {
              const again = accumulator.buildUnits(u.topic, u.partition, u.records, acks, u.compression);
              split.push(...(again.length === 1 && again[0]!.records.length === u.records.length && u.records.length > 1 ? accumulator.halve(u, acks) : again));
            }
            // The refused batches' numbers were never written: renumber under a new producer id.
            identity.sequenceGap();
            retry.push(...split);
            continue;
          }
          if (p.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
            // An earlier batch of the partition is still on its way (resent after a reconnect):
            // nothing of this one was written, so it is retried (renumbered if the id changed).
            for (const u of us) if (u.producerId !== identity.producerId) u.sent = false;
            retry.push(...us);
            lastError = err;
            continue;
          }
          if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER && attempt > 0 && us.every((u) => u.producerId === identity.producerId)) {
            // A resend of batches the broker wrote, older than the last 5 it remembers per
            // partition (a request can hold several batches of one partition): written once,
            // offsets unknown. Kafka's producer treats this answer the same way.
            delivery.ackUnits(us, -1, -1);
            continue;
          }
          if (isFatalTxnError(err)) identity.fencedBy = err;
          if (err.retriable) {
            retry.push(...us);
            lastError = err;
          } else {
            delivery.failUnits(us, err);
            identity.sequenceGap();
          }
        }
      } catch (e) {
        const err = asBrookError(e);
        if (!err.retriable || core.state === 'disconnected') {
          delivery.failUnits(queued, err);
          return;
        }
        retry.push(...pending);
        lastError = err;
      }
      if (retry.length === 0 && later.length === 0) return;
      if (lastError === null) {
        // Only re-split batches (or a partition's next batches) to send: not a failed attempt.
        queued = [...retry, ...later];
        continue;
      }
      if (attempt >= core.retries) {
        delivery.failUnits([...retry, ...later], lastError);
        identity.sequenceGap();
        return;
      }
      core.logger.debug('retrying produce', { attempt: attempt + 1, error: lastError.type, partitions: retry.length });
      await sleep(core.backoff(attempt));
      attempt++;
      queued = [...(lastError.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? await this.dropVanished(retry) : retry), ...later];
    }
  }

  /** After UNKNOWN_TOPIC_OR_PARTITION: refreshes metadata and fails batches whose topic or partition is gone. */
  private async dropVanished(units: Unit[]): Promise<Unit[]> {
    const keep: Unit[] = [];
    const counts = new Map<string, number | BrookError>();
    for (const u of units) {
      if (!counts.has(u.topic)) {
        try {
          counts.set(u.topic, await this.accumulator.partitionCounts.get(u.topic, true));
        } catch (e) {
          const err = asBrookError(e);
          counts.set(u.topic, err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? err : -1);
        }
      }
      const n = counts.get(u.topic)!;
      if (n instanceof BrookError) this.delivery.failUnits([u], n);
      else if (n >= 0 && u.partition >= n) {
        this.delivery.failUnits([u], new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${u.partition} out of range: topic ${u.topic} has ${n} partitions`));
      } else keep.push(u);
    }
    return keep;
  }
}

/** The first batch of each partition, and the rest (in order). */
function firstPerPartition(units: Unit[]): [Unit[], Unit[]] {
  const seen = new Set<string>();
  const first: Unit[] = [];
  const rest: Unit[] = [];
  for (const u of units) {
    const k = rkey(u.topic, u.partition);
    if (seen.has(k)) rest.push(u);
    else {
      seen.add(k);
      first.push(u);
    }
  }
  return [first, rest];
}
