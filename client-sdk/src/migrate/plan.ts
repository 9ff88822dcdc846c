/**
 * What a migration will do, found before anything is written: the source's topics (partition
 * counts, configs, log start and end per partition), the target's state for each (missing, or how
 * many records each partition already has from an earlier run) and the groups' committed offsets.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import type { Admin } from '../admin.js';

export interface PartitionPlan {
  partition: number;
  start: number;
  end: number;
  /** Records already copied: the target's end offset (retention there may have deleted some since); 0 for a topic still to create. */
  copied: number;
  /** The target's log start (0 unless its retention deleted records); --verify compares from there. */
  targetStart: number;
}

export interface TopicPlan {
  topic: string;
  config: Record<string, string>;
  /** Whether the target has the topic already (an earlier run made it). */
  exists: boolean;
  partitions: PartitionPlan[];
}

export interface GroupPlan {
  groupId: string;
  /** Committed source offsets: topic → partition → offset. */
  offsets: Map<string, Map<number, number>>;
}

export interface MigrationPlan {
  topics: TopicPlan[];
  groups: GroupPlan[];
}

export interface PlanOptions {
  source: Admin;
  target: Admin;
  /** Only these topics (default: every non-internal one). */
  topics?: string[];
  /** Only these groups (default: every group with committed offsets on the topics). */
  groups?: string[];
  /** A topic's config on the source (Brook's admin API). */
  topicConfig(topic: string): Promise<Record<string, string>>;
}

export async function planMigration(o: PlanOptions): Promise<MigrationPlan> {
  const sourceTopics = (await o.source.fetchTopicMetadata()).topics.map((t) => t.name).sort();
  for (const t of o.topics ?? []) {
    if (!sourceTopics.includes(t)) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${t} is not on the source`);
  }
  const names = o.topics && o.topics.length > 0 ? [...new Set(o.topics)] : sourceTopics;
  const onTarget = new Set(await o.target.listTopics());

  const topics: TopicPlan[] = [];
  for (const topic of names) {
    const offsets = await o.source.fetchTopicOffsets(topic);
    const exists = onTarget.has(topic);
    const copiedBy = new Map<number, { copied: number; targetStart: number }>();
    if (exists) {
      const there = await o.target.fetchTopicOffsets(topic);
      if (there.length !== offsets.length) {
        throw new BrookError(ErrorCode.INVALID_REQUEST, `topic ${topic} has ${offsets.length} partitions on the source and ${there.length} on the target`);
      }
      for (const p of there) copiedBy.set(p.partition, { copied: Number(p.high), targetStart: Number(p.low) });
    }
    topics.push({
      topic,
      config: await o.topicConfig(topic),
      exists,
      partitions: offsets
        .map((p) => ({ partition: p.partition, start: Number(p.low), end: Number(p.high), copied: 0, targetStart: 0, ...copiedBy.get(p.partition) }))
        .sort((a, b) => a.partition - b.partition),
    });
  }

  const groupIds = o.groups && o.groups.length > 0 ? [...new Set(o.groups)] : (await o.source.listGroups()).groups.map((g) => g.groupId).sort();
  const groups: GroupPlan[] = [];
  for (const groupId of groupIds) {
    const fetched = await o.source.fetchOffsets({ groupId, topics: names });
    const offsets = new Map<string, Map<number, number>>();
    for (const t of fetched) {
      for (const p of t.partitions) {
        if (Number(p.offset) < 0) continue;
        const m = offsets.get(t.topic) ?? new Map<number, number>();
        offsets.set(t.topic, m);
        m.set(p.partition, Number(p.offset));
      }
    }
    if (offsets.size > 0) groups.push({ groupId, offsets });
  }
  return { topics, groups };
}

/** The plan as text (the dry run prints it). */
export function describePlan(plan: MigrationPlan): string[] {
  const lines: string[] = [];
  for (const t of plan.topics) {
    const total = t.partitions.reduce((s, p) => s + (p.end - p.start), 0);
    const copied = t.partitions.reduce((s, p) => s + p.copied, 0);
    const config = Object.entries(t.config).map(([k, v]) => `${k}=${v}`).join(',');
    lines.push(`topic ${t.topic}: ${t.partitions.length} partitions, up to ${total} records (offsets ${t.partitions.map((p) => `${p.start}-${p.end}`).join(' ')}), ${t.exists ? `on the target already with ${copied} records (resume)` : 'to create'}; config ${config || '(defaults)'}`);
  }
  for (const g of plan.groups) {
    const parts = [...g.offsets].map(([topic, m]) => `${topic}[${[...m].map(([p, o]) => `${p}@${o}`).join(' ')}]`);
    lines.push(`group ${g.groupId}: committed offsets ${parts.join(' ')} (translated once the records are copied)`);
  }
  if (plan.topics.length === 0) lines.push('no topics to migrate');
  return lines;
}
