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
}

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'retention.ms': 604800000,
  'retention.bytes': -1,
  'cleanup.policy': 'delete',
  'max.message.bytes': 1048576,
  'delete.retention.ms': 86400000,
  'min.compaction.lag.ms': 0,
});

type NumericKey = Exclude<keyof TopicConfig, 'cleanup.policy'>;

/** Smallest value each numeric setting accepts. */
const NUMERIC_MIN: Record<NumericKey, number> = {
  'retention.ms': -1,
  'retention.bytes': -1,
  'max.message.bytes': 1,
  'delete.retention.ms': 0,
  'min.compaction.lag.ms': 0,
};

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
      if (value !== 'delete' && value !== 'compact') {
        throw invalid(`cleanup.policy must be "delete" or "compact", got "${value}"`);
      }
      out['cleanup.policy'] = value;
      continue;
    }
    const k = key as NumericKey;
    const trimmed = value.trim();
    const n = /^-?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    if (!Number.isSafeInteger(n)) throw invalid(`topic config "${key}" must be an integer, got "${value}"`);
    if (n < NUMERIC_MIN[k]) throw invalid(`topic config "${key}" must be >= ${NUMERIC_MIN[k]}, got ${n}`);
    if (k === 'max.message.bytes' && n > 0x7fffffff) throw invalid(`max.message.bytes must be <= ${0x7fffffff}`);
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
