/**
 * Settling sends: each batch's answer resolves the `send` calls its records came from (with their
 * offsets) or rejects them; and the budget of bytes queued or in flight that makes `send` wait.
 */
import type { BrookError } from '@brook/protocol';
import type { ProducerCore } from './core.js';
import type { QueuedRecord, RecordMetadata, Unit } from './types.js';

export class Delivery {
  /** Bytes of records queued or in flight: the accumulator adds them, settling releases them. */
  buffered = 0;
  private readonly spaceWaiters: Array<() => void> = [];

  constructor(private readonly core: ProducerCore) {}

  /** Too much queued or in flight: `send` waits (`waitForSpace`). */
  get full(): boolean {
    return this.buffered > 0 && this.buffered >= this.core.maxBuffered;
  }

  /** Resolves once some buffered bytes are released. */
  waitForSpace(): Promise<void> {
    return new Promise<void>((r) => this.spaceWaiters.push(r));
  }

  /** The broker wrote these batches, one after another from `baseOffset` (-1: offsets unknown). */
  ackUnits(units: Unit[], baseOffset: number, logStartOffset: number): void {
    let i = 0;
    for (const u of units) {
      for (const r of u.records) {
        const offset = baseOffset < 0 ? -1 : baseOffset + i;
        i++;
        this.releaseBytes(r.size);
        const s = r.send;
        if (s.settled) continue;
        if (r.resultKey !== null) {
          const off = String(offset);
          s.results.set(r.resultKey, {
            topic: u.topic,
            topicName: u.topic,
            partition: u.partition,
            errorCode: 0,
            baseOffset: off,
            offset: off,
            logAppendTime: '-1',
            logStartOffset: String(logStartOffset),
          });
        }
        if (--s.remaining === 0) {
          s.settled = true;
          s.resolve([...s.results.values()].filter((m): m is RecordMetadata => m !== null));
        }
      }
    }
  }

  failUnits(units: Unit[], err: BrookError): void {
    for (const u of units) this.failRecords(u.records, err);
  }

  /** Rejects the records' sends (a send fails as a whole); the open transaction can no longer commit. */
  failRecords(records: QueuedRecord[], err: BrookError): void {
    const txn = this.core.txn;
    if (txn && !txn.failed && records.length > 0) txn.failed = err;
    for (const r of records) {
      this.releaseBytes(r.size);
      if (r.send.settled) continue;
      r.send.settled = true;
      r.send.reject(err);
    }
  }

  releaseBytes(n: number): void {
    this.buffered -= n;
    if (this.buffered < this.core.maxBuffered && this.spaceWaiters.length > 0) {
      const waiters = this.spaceWaiters.splice(0);
      for (const w of waiters) w();
    }
  }
}
