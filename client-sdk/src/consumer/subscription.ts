/**
 * What the member subscribes to: topic names and RegExps (sent on heartbeats), and per
 * subscription `fromBeginning`, which decides the reset policy of a topic without a committed offset.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import type { AutoOffsetReset } from './types.js';

export class Subscription {
  readonly names = new Set<string>();
  readonly regexes: RegExp[] = [];
  /** Per-subscription fromBeginning, checked in order. */
  private readonly entries: Array<{ match: string | RegExp; fromBeginning: boolean | undefined }> = [];
  /** The subscription must be sent on the next heartbeat (join, or it changed). */
  dirty = true;

  get isEmpty(): boolean {
    return this.names.size === 0 && this.regexes.length === 0;
  }

  add(topics: Array<string | RegExp>, fromBeginning: boolean | undefined): void {
    for (const t of topics) {
      if (typeof t === 'string') {
        if (t.length === 0) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'empty topic name');
        this.names.add(t);
      } else if (t instanceof RegExp) {
        re2Flags(t); // refuses flags the broker's RE2 cannot honour, here rather than at the first heartbeat
        if (!this.regexes.some((r) => r.source === t.source && r.flags === t.flags)) this.regexes.push(t);
      } else {
        throw new BrookError(ErrorCode.INVALID_REQUEST, `invalid topic ${String(t)}: a string or a RegExp`);
      }
      this.entries.push({ match: t, fromBeginning });
    }
    this.dirty = true;
  }

  /**
   * The broker matches `subscribedTopicRegex` against whole topic names; wrapping each RegExp in
   * `.*(?:…).*` keeps JavaScript's `RegExp.test` (substring) semantics, as KafkaJS users expect.
   * Flags travel as RE2 inline flags: `/x/i` becomes `.*(?i:x).*`.
   */
  regexSource(): string | null {
    const rs = this.regexes;
    if (rs.length === 0) return null;
    return rs.map((r) => `.*(?${re2Flags(r)}:${r.source}).*`).join('|');
  }

  /** The first subscription of `topic` that says fromBeginning decides; else `configured`. */
  resetPolicy(topic: string, configured: AutoOffsetReset): AutoOffsetReset {
    for (const e of this.entries) {
      if (e.fromBeginning === undefined) continue;
      const matches = typeof e.match === 'string' ? e.match === topic : new RegExp(e.match.source, re2Flags(e.match)).test(topic);
      if (matches) return e.fromBeginning ? 'earliest' : configured;
    }
    return configured;
  }
}

/**
 * A RegExp's flags as RE2 inline flags (the broker matches with RE2, as Kafka): i, m and s carry
 * over; d, g and u change nothing for a subscription; y and v have no RE2 form and are refused.
 */
function re2Flags(r: RegExp): string {
  const unsupported = [...r.flags].filter((f) => !'imsdgu'.includes(f));
  if (unsupported.length > 0) {
    throw new BrookError(ErrorCode.INVALID_REGULAR_EXPRESSION, `RegExp ${String(r)}: flag ${unsupported.join(', ')} cannot be sent to the broker (its RE2 engine supports i, m and s)`);
  }
  return [...r.flags].filter((f) => 'ims'.includes(f)).join('');
}
