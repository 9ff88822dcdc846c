/** Topic configs: the settings a topic can override, their broker defaults and parsing. */
import { BrookError, ErrorCode } from '@brook/protocol';

export interface TopicConfig {
  /** -1 keeps data forever. */
  'retention.ms': number;
  /** -1 means no size limit. */
  'retention.bytes': number;
  'cleanup.policy': 'delete' | 'compact';
  /** Largest record batch accepted (Kafka's meaning). */
  'max.message.bytes': number;
  /** How long a tombstone survives in a compacted topic. */
  'delete.retention.ms': number;
  'min.compaction.lag.ms': number;
  /**
   * Kafka's fsync cadence by count: fsync a partition after this many messages. -1 (unset, with
   * flush.ms unset too): Brook's default, every record is fsynced before readers see it. Set
   * (either of the two): records are visible once written and fsynced on this cadence.
   */
  'flush.messages': number;
  /** Kafka's fsync cadence by time: fsync within this many ms of a write. -1: unset (see flush.messages). */
  'flush.ms': number;
}

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'retention.ms': 604800000,
  'retention.bytes': -1,
  'cleanup.policy': 'delete',
  'max.message.bytes': 1048576,
  'delete.retention.ms': 86400000,
  'min.compaction.lag.ms': 0,
  'flush.messages': -1,
  'flush.ms': -1,
});

export type NumericTopicConfigKey = Exclude<keyof TopicConfig, 'cleanup.policy'>;

/** The range each numeric setting accepts (the admin API's schema is built from it too). */
export const NUMERIC_TOPIC_CONFIG_LIMITS: Readonly<Record<NumericTopicConfigKey, { min: number; max: number }>> = Object.freeze({
  'retention.ms': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'retention.bytes': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'max.message.bytes': { min: 1, max: 0x7fffffff },
  'delete.retention.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'min.compaction.lag.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  // -1: unset; flush.messages 0 is refused below (Kafka's minimum is 1).
  'flush.messages': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'flush.ms': { min: -1, max: Number.MAX_SAFE_INTEGER },
});

/** Settings whose Kafka default is Long.MAX_VALUE ("never"): larger values mean the same as the maximum. */
const CLAMPED_TO_MAX: ReadonlySet<string> = new Set(['flush.messages', 'flush.ms']);

/** How a partition fsyncs: null (flush.* unset) keeps every record invisible until fsynced. */
export interface FlushPolicy {
  /** fsync once this many messages are unsynced (Infinity: never by count). */
  messages: number;
  /** fsync within this many ms of a write (Infinity: never by time). */
  ms: number;
}

export function flushPolicyOf(config: TopicConfig): FlushPolicy | null {
  const messages = config['flush.messages'];
  const ms = config['flush.ms'];
  if (messages < 0 && ms < 0) return null;
  return { messages: messages < 0 ? Infinity : messages, ms: ms < 0 ? Infinity : ms };
}

export const CLEANUP_POLICIES = ['delete', 'compact'] as const;

const KEYS = Object.keys(DEFAULT_TOPIC_CONFIG) as (keyof TopicConfig)[];

function invalid(message: string): BrookError {
  return new BrookError(ErrorCode.INVALID_CONFIG, message);
}

/**
 * Validates topic config overrides given as strings (as on the wire) and returns them typed.
 * Only the keys given are returned; merge with defaults for the effective config.
 */
export function parseTopicConfig(entries: Record<string, string>): Partial<TopicConfig> {
  const out: Partial<TopicConfig> = {};
  if (entries === null || typeof entries !== 'object') throw invalid('topic config must be an object of strings');
  for (const [key, raw] of Object.entries(entries)) {
    if (!(KEYS as string[]).includes(key)) {
      throw invalid(`unknown topic config "${key}"; supported: ${KEYS.join(', ')}`);
    }
    const value = typeof raw === 'number' ? String(raw) : raw;
    if (typeof value !== 'string') throw invalid(`topic config "${key}" must be a string`);
    if (key === 'cleanup.policy') {
      if (!(CLEANUP_POLICIES as readonly string[]).includes(value)) {
        throw invalid(`cleanup.policy must be "delete" or "compact", got "${value}"`);
      }
      out['cleanup.policy'] = value as TopicConfig['cleanup.policy'];
      continue;
    }
    const k = key as NumericTopicConfigKey;
    const { min, max } = NUMERIC_TOPIC_CONFIG_LIMITS[k];
    const trimmed = value.trim();
    let n = /^-?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    // Kafka describes an unset flush.* as 9223372036854775807 (never): accept it back.
    if (CLAMPED_TO_MAX.has(k) && n > max) n = max;
    if (!Number.isSafeInteger(n)) throw invalid(`topic config "${key}" must be an integer, got "${value}"`);
    if (n < min) throw invalid(`topic config "${key}" must be >= ${min}, got ${n}`);
    if (n > max) throw invalid(`topic config "${key}" must be <= ${max}, got ${n}`);
    if (k === 'flush.messages' && n === 0) throw invalid('topic config "flush.messages" must be >= 1 (or -1: unset), got 0');
    out[k] = n;
  }
  return out;
}

/** Settings as strings, for describing a topic the way Kafka does. */
export function topicConfigEntries(config: TopicConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEYS) out[k] = String(config[k]);
  return out;
}
