/**
 * Assignments as immutable values: topic -> sorted, distinct partitions, no empty topics.
 * A Map (not a plain object) so that any legal topic name, "__proto__" included, is just a key.
 * Every helper returns a new value, so a group can be copied shallowly before a transition.
 */
import type { TopicPartitions } from '@brook/protocol';

export type Assignment = ReadonlyMap<string, readonly number[]>;

export const EMPTY: Assignment = new Map();

const sortNum = (a: number, b: number) => a - b;

function build(entries: Iterable<[string, Iterable<number>]>): Assignment {
  const out = new Map<string, number[]>();
  for (const [t, ps] of entries) {
    const set = new Set(out.get(t) ?? []);
    for (const p of ps) set.add(p);
    if (set.size) out.set(t, [...set].sort(sortNum));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function fromWire(tps: readonly TopicPartitions[]): Assignment {
  return build(tps.map((tp) => [tp.topic, tp.partitions]));
}

export function fromPairs(pairs: Iterable<readonly [string, number]>): Assignment {
  const by = new Map<string, number[]>();
  for (const [t, p] of pairs) {
    const l = by.get(t);
    if (l) l.push(p);
    else by.set(t, [p]);
  }
  return build(by);
}

export function toWire(a: Assignment): TopicPartitions[] {
  return [...a].map(([topic, partitions]) => ({ topic, partitions: [...partitions] }));
}

const wireViews = new WeakMap<Assignment, readonly TopicPartitions[]>();

/** The wire form, built once per value (assignments never change); read-only, unlike toWire's. */
export function wireView(a: Assignment): readonly TopicPartitions[] {
  let w = wireViews.get(a);
  if (w === undefined) wireViews.set(a, (w = toWire(a)));
  return w;
}

export function has(a: Assignment, topic: string, partition: number): boolean {
  return a.get(topic)?.includes(partition) ?? false;
}

export function size(a: Assignment): number {
  let n = 0;
  for (const ps of a.values()) n += ps.length;
  return n;
}

export const isEmpty = (a: Assignment): boolean => a.size === 0;

export function filter(a: Assignment, keep: (topic: string, partition: number) => boolean): Assignment {
  return build([...a].map(([t, ps]) => [t, ps.filter((p) => keep(t, p))]));
}

/** Membership test against the union of `as`, O(1) per partition (a member may hold thousands). */
export function inside(...as: Assignment[]): (topic: string, partition: number) => boolean {
  const sets = new Map<string, Set<number>>();
  for (const a of as) {
    for (const [t, ps] of a) {
      const set = sets.get(t);
      if (set) for (const p of ps) set.add(p);
      else sets.set(t, new Set(ps));
    }
  }
  return (t, p) => sets.get(t)?.has(p) ?? false;
}

export const minus = (a: Assignment, b: Assignment): Assignment => {
  if (b.size === 0) return a;
  const inB = inside(b);
  return filter(a, (t, p) => !inB(t, p));
};
export const intersect = (a: Assignment, b: Assignment): Assignment => (a === b ? a : filter(a, inside(b)));
export const union = (a: Assignment, b: Assignment): Assignment => build([...a, ...b]);

/** A canonical string, for equality checks and change detection. */
export function key(a: Assignment): string {
  return [...a].map(([t, ps]) => `${t}:${ps.join(',')}`).join(';');
}

export const equal = (a: Assignment, b: Assignment): boolean => a === b || key(a) === key(b);

/** Whether `a` is exactly `wire` (topics and partitions sorted, as assignors return them), without building a value. */
export function equalsWire(a: Assignment, wire: readonly TopicPartitions[]): boolean {
  if (a.size !== wire.filter((tp) => tp.partitions.length > 0).length) return false;
  for (const tp of wire) {
    if (tp.partitions.length === 0) continue;
    const ps = a.get(tp.topic);
    if (!ps || ps.length !== tp.partitions.length || ps.some((p, i) => p !== tp.partitions[i])) return false;
  }
  return true;
}

export function* pairs(a: Assignment): Generator<[string, number]> {
  for (const [t, ps] of a) for (const p of ps) yield [t, p];
}

/** The partitions of `a` that are not in `b`, as pairs (no value is built). */
export function* pairsNotIn(a: Assignment, b: (topic: string, partition: number) => boolean): Generator<[string, number]> {
  for (const [t, ps] of a) for (const p of ps) if (!b(t, p)) yield [t, p];
}

/** `topic\0partition`: topic names cannot contain NUL, so this key is unambiguous. */
export const tpKey = (topic: string, partition: number): string => `${topic}\0${partition}`;
export const tpLabel = (topic: string, partition: number): string => `${topic}-${partition}`;
