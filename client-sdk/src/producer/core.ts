/**
 * What every part of one producer shares: its cluster (transport/types.ts), config and logger, its lifecycle state,
 * the retry policy, the event listeners, and the open transaction's bookkeeping.
 */
import { openCluster, retryBackoff, type ClientContext } from '../context.js';
import type { Cluster } from '../transport/types.js';
import type { Logger } from '../logger.js';
import type { ProducerConfig, ProducerEvent, ProducerEventName, TxnState } from './types.js';

export class ProducerCore {
  readonly logger: Logger;
  readonly cluster: Cluster;
  state: 'idle' | 'connected' | 'disconnected' = 'idle';
  /** The open transaction (transactional producers only). */
  txn: TxnState | null = null;
  private readonly listeners = new Map<string, Set<(e: ProducerEvent) => void>>();
  private eventId = 0;

  constructor(
    readonly ctx: ClientContext,
    readonly config: ProducerConfig,
  ) {
    this.logger = ctx.logger.namespace('Producer');
    this.cluster = openCluster(ctx);
  }

  get retries(): number {
    return this.config.retry?.retries ?? this.ctx.retries;
  }

  get maxInFlight(): number {
    return Math.max(1, this.config.maxInFlightRequests ?? 5);
  }

  get maxBuffered(): number {
    return this.config.maxBufferedBytes ?? 32 * 1024 * 1024;
  }

  isClosed(): boolean {
    return this.state === 'disconnected';
  }

  backoff(attempt: number): number {
    return retryBackoff(this.config.retry, attempt);
  }

  on(event: ProducerEventName, listener: (e: ProducerEvent) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(type: ProducerEventName, payload: Record<string, unknown>): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const e: ProducerEvent = { id: ++this.eventId, type, timestamp: Date.now(), payload };
    for (const l of set) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('producer event listener threw', { event: type, error: (err as Error).message });
      }
    }
  }
}
