// What every client's answers must satisfy. Each check throws an Error that says what was wrong;
// the same checks run against Brook and against Apache Kafka.
import { keyedPartition } from '@brook/client';

const enc = new TextEncoder();

/** The partition Brook's SDK (and Kafka's Java default partitioner) puts `key` on. */
export function partitionOf(key, numPartitions) {
  return keyedPartition(enc.encode(key), numPartitions);
}

/** For each partition, the first key `${prefix}N` that lands on it (to put one record on every partition). */
export function keyPerPartition(prefix, numPartitions) {
  const keys = new Array(numPartitions).fill(null);
  for (let i = 0; keys.includes(null); i++) {
    const k = `${prefix}${i}`;
    const p = partitionOf(k, numPartitions);
    if (keys[p] === null) keys[p] = k;
  }
  return keys;
}

export function keys(prefix, n) {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function fail(msg) {
  throw new Error(msg);
}

function sample(list, n = 5) {
  return list.length > n ? `${list.slice(0, n).join(', ')}, ... (${list.length})` : list.join(', ');
}

/** Every record sits on the partition murmur2 gives its key. */
export function checkKeyedPartitions(records, numPartitions) {
  const wrong = records.filter((r) => r.partition !== partitionOf(r.key, numPartitions));
  if (wrong.length) {
    fail(`${wrong.length}/${records.length} keys on another partition than murmur2's: ` + sample(wrong.map((r) => `${r.key}->${r.partition} (murmur2 ${partitionOf(r.key, numPartitions)})`)));
  }
}

/** The records are exactly `expected` keys, each once. */
export function checkExactlyOnce(records, expected, what = 'records') {
  const seen = new Map();
  for (const r of records) seen.set(r.key, (seen.get(r.key) ?? 0) + 1);
  const missing = expected.filter((k) => !seen.has(k));
  const dup = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
  const want = new Set(expected);
  const extra = [...seen.keys()].filter((k) => !want.has(k));
  const problems = [];
  if (missing.length) problems.push(`missing ${sample(missing)}`);
  if (dup.length) problems.push(`duplicated ${sample(dup)}`);
  if (extra.length) problems.push(`unexpected ${sample(extra)}`);
  if (problems.length) fail(`${what}: ${problems.join('; ')} (got ${records.length}, want ${expected.length})`);
}

/** Two members, each assigned at least one partition, together all of them. */
export function checkTwoMembers(members, numPartitions) {
  if (members.length !== 2) fail(`expected 2 members, got ${members.length}`);
  const empty = members.filter((m) => !m.assigned?.length);
  if (empty.length) fail(`member(s) without partitions: ${members.map((m) => `[${m.assigned ?? ''}]`).join(' ')}`);
  const all = new Set(members.flatMap((m) => m.assigned));
  if (all.size !== numPartitions) fail(`members cover partitions [${[...all].sort()}], not all ${numPartitions}`);
}

/** The group's committed offset of each partition equals the partition's end offset. */
export function checkCommittedAtEnd(committed, end) {
  const bad = Object.keys(end).filter((p) => Number(committed?.[p] ?? -1) !== Number(end[p]));
  if (bad.length) fail(`committed != end offset on ${bad.map((p) => `p${p}: ${committed?.[p] ?? 'none'} vs ${end[p]}`).join(', ')}`);
}
