import { BrookError, ErrorCode } from '@brook/protocol';

/** Per-topic configuration, Kafka's names and meanings. */
export interface TopicConfig {
  /** Delete batches older than this (ms); -1 keeps them forever. Default 7 days. */
  'retention.ms': number;
  /** Delete the oldest batches while the partition is bigger than this (bytes); -1: no limit. */
  'retention.bytes': number;
  'cleanup.policy': 'delete' | 'compact';
  /** The largest record batch accepted (bytes), as in Kafka. */
  'max.message.bytes': number;
  /** How long tombstones stay readable in a compacted topic. */
  'delete.retention.ms': number;
  /** Records younger than this are not compacted. */
  'min.compaction.lag.ms': number;
}

export const defaultTopicConfig: TopicConfig = {
  'retention.ms': 7 * 24 * 3600 * 1000,
  'retention.bytes': -1,
  'cleanup.policy': 'delete',
  'max.message.bytes': 1024 * 1024,
  'delete.retention.ms': 24 * 3600 * 1000,
  'min.compaction.lag.ms': 0,
};

function int(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new BrookError(ErrorCode.INVALID_CONFIG, `${name} must be an integer >= ${min}, got "${v}"`);
  }
  return n;
}

export function parseTopicConfig(entries: Record<string, string>, defaults: TopicConfig = defaultTopicConfig): TopicConfig {
  const c: TopicConfig = { ...defaults };
  for (const [k, v] of Object.entries(entries)) {
    switch (k) {
      case 'retention.ms':
      case 'retention.bytes':
        c[k] = int(k, v, -1);
        break;
      case 'delete.retention.ms':
      case 'min.compaction.lag.ms':
        c[k] = int(k, v, 0);
        break;
      case 'max.message.bytes':
        c[k] = int(k, v, 128);
        break;
      case 'cleanup.policy':
        if (v !== 'delete' && v !== 'compact') throw new BrookError(ErrorCode.INVALID_CONFIG, `cleanup.policy must be delete or compact, got "${v}"`);
        c[k] = v;
        break;
      default:
        throw new BrookError(ErrorCode.INVALID_CONFIG, `unknown topic config "${k}" (known: ${Object.keys(defaultTopicConfig).join(', ')})`);
    }
  }
  return c;
}
