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

export type NumericTopicConfigKey = Exclude<keyof TopicConfig, 'cleanup.policy'>;

/** The range each numeric setting accepts (the admin API's schema is built from it too). */
export const NUMERIC_TOPIC_CONFIG_LIMITS: Readonly<Record<NumericTopicConfigKey, { min: number; max: number }>> = Object.freeze({
  'retention.ms': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'retention.bytes': { min: -1, max: Number.MAX_SAFE_INTEGER },
  'max.message.bytes': { min: 1, max: 0x7fffffff },
  'delete.retention.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'min.compaction.lag.ms': { min: 0, max: Number.MAX_SAFE_INTEGER },
});

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
    const n = /^-?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    if (!Number.isSafeInteger(n)) throw invalid(`topic config "${key}" must be an integer, got "${value}"`);
    if (n < min) throw invalid(`topic config "${key}" must be >= ${min}, got ${n}`);
    if (n > max) throw invalid(`topic config "${key}" must be <= ${max}, got ${n}`);
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
