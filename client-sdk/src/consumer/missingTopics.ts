/**
 * Warns when subscribed topic names do not exist, as Kafka clients do ("Subscribed topic(s) not
 * found"): the broker accepts a subscription to any name and assigns nothing for a missing topic,
 * so the consumer would wait silently. After each heartbeat that carried the subscription, one
 * Metadata request for the subscribed names; each missing name is reported once (log at warn level
 * and a MISSING_TOPICS event). The member keeps its subscription: a topic created later is assigned.
 */
import { ErrorCode, type MetadataResponse } from '@brook/protocol';
import type { Logger } from '../logger.js';
import type { EmitEvent } from './events.js';
import { ConsumerEvents, type MissingTopicsPayload } from './types.js';

export interface MissingTopicsDeps {
  groupId: string;
  describeTopics(names: string[]): Promise<MetadataResponse>;
  emit: EmitEvent;
  logger: Logger;
}

export class MissingTopics {
  /** Names reported missing and not seen since: not reported again. */
  private readonly reported = new Set<string>();

  constructor(private readonly deps: MissingTopicsDeps) {}

  /** Looks the names up; reports those that do not exist and were not reported yet. */
  async check(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const { deps } = this;
    let res: MetadataResponse;
    try {
      res = await deps.describeTopics([...names]);
    } catch (e) {
      // Only a warning is at stake: the subscription stands either way.
      deps.logger.debug('could not look up the subscribed topics', { error: (e as Error).message });
      return;
    }
    const missing: string[] = [];
    for (const t of res.topics) {
      if (t.errorCode === 0) this.reported.delete(t.name);
      else if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !this.reported.has(t.name)) missing.push(t.name);
    }
    if (missing.length === 0) return;
    for (const name of missing) this.reported.add(name);
    deps.logger.warn(`Subscribed topic(s) not found: ${missing.join(', ')}; waiting for them to be created`, { groupId: deps.groupId, topics: missing });
    const payload: MissingTopicsPayload = { groupId: deps.groupId, topics: missing };
    deps.emit(ConsumerEvents.MISSING_TOPICS, payload);
  }
}
