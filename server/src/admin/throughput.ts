/**
 * Produce and fetch rates per topic for the admin API (and the console's live figures): samples
 * the broker's per-topic counters (the same ones /metrics exports) once a second and answers the
 * rate over the last few seconds, so every caller sees the same figure whoever polls how often.
 */
import type { BrokerMetrics } from '../metrics.js';

export interface TopicRates {
  /** Records and bytes appended per second. */
  produceRecords: number;
  produceBytes: number;
  /** Records and bytes served to fetches per second. */
  fetchRecords: number;
  fetchBytes: number;
}

type Totals = [produceRecords: number, produceBytes: number, fetchRecords: number, fetchBytes: number];

interface Sample {
  at: number;
  topics: Map<string, Totals>;
}

export const ZERO_RATES: TopicRates = { produceRecords: 0, produceBytes: 0, fetchRecords: 0, fetchBytes: 0 };

export class Throughput {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly metrics: Pick<BrokerMetrics, 'recordsIn' | 'bytesIn' | 'recordsOut' | 'bytesOut'>,
    /** The rate is taken over this many samples (seconds at the default interval). */
    private readonly window = 5,
  ) {}

  start(intervalMs = 1000): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sample(now = Date.now()): Promise<void> {
    const topics = new Map<string, Totals>();
    const counters = [this.metrics.recordsIn, this.metrics.bytesIn, this.metrics.recordsOut, this.metrics.bytesOut];
    for (const [i, counter] of counters.entries()) {
      for (const { labels, value } of (await counter.get()).values) {
        const topic = String(labels.topic);
        const totals = topics.get(topic) ?? ([0, 0, 0, 0] as Totals);
        totals[i] = value;
        topics.set(topic, totals);
      }
    }
    this.samples.push({ at: now, topics });
    if (this.samples.length > this.window + 1) this.samples.shift();
  }

  /** Per-second rates of each topic that had traffic in the window (others are zero). */
  rates(): Map<string, TopicRates> {
    const out = new Map<string, TopicRates>();
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return out;
    const seconds = (last.at - first.at) / 1000;
    for (const [topic, now] of last.topics) {
      const then = first.topics.get(topic) ?? [0, 0, 0, 0];
      // A counter that went down belongs to a topic deleted and created again: count from zero.
      const rate = (i: number) => Math.max(0, now[i]! - (then[i]! <= now[i]! ? then[i]! : 0)) / seconds;
      out.set(topic, { produceRecords: rate(0), produceBytes: rate(1), fetchRecords: rate(2), fetchBytes: rate(3) });
    }
    return out;
  }
}

/** Sums rates (a broker's total, over the topics a caller may describe). */
export function sumRates(all: Iterable<TopicRates>): TopicRates {
  const sum = { ...ZERO_RATES };
  for (const r of all) {
    sum.produceRecords += r.produceRecords;
    sum.produceBytes += r.produceBytes;
    sum.fetchRecords += r.fetchRecords;
    sum.fetchBytes += r.fetchBytes;
  }
  return sum;
}
