/** Small collection helpers shared by the clients. */

/**
 * Groups items by topic, topics in first-seen order and values in input order: the
 * `[{ topic, partitions }]` shape of most Kafka-style requests and results.
 */
export function groupByTopic<T extends { topic: string }, V>(items: Iterable<T>, value: (item: T) => V): Array<{ topic: string; partitions: V[] }> {
  const byTopic = new Map<string, V[]>();
  for (const item of items) {
    let values = byTopic.get(item.topic);
    if (!values) byTopic.set(item.topic, (values = []));
    values.push(value(item));
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Whether two sets hold the same elements. */
export function sameElements<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
