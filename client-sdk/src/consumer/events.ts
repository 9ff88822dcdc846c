/** The consumer's event listeners (KafkaJS's `consumer.on`); a throwing listener is logged, not propagated. */
import type { Logger } from '../logger.js';
import { KAFKAJS_CONSUMER_EVENT_ALIASES, type ConsumerEvent, type ConsumerEventName, type GroupJoinPayload, type MissingTopicsPayload } from './types.js';

export type Listener = (e: ConsumerEvent) => void;
export type EmitEvent = (type: string, payload: Record<string, unknown> | GroupJoinPayload | MissingTopicsPayload) => void;

export class ConsumerEventEmitter {
  private readonly listeners = new Map<string, Set<Listener>>();
  private eventId = 0;

  constructor(private readonly logger: Logger) {}

  /** Subscribes to an event (also KafkaJS's 'consumer.*' names); returns a function that unsubscribes. */
  on(event: ConsumerEventName | string, listener: Listener): () => void {
    const name = KAFKAJS_CONSUMER_EVENT_ALIASES[event] ?? event;
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  readonly emit: EmitEvent = (type, payload) => {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const e: ConsumerEvent = { id: ++this.eventId, type, timestamp: Date.now(), payload: payload as Record<string, unknown> };
    for (const l of set) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('consumer event listener threw', { event: type, error: (err as Error).message });
      }
    }
  };
}
