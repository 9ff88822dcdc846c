// Topic names and Kafka topic ids on the Kafka door: newer versions of some APIs name topics by id.
import type { BrokerContext } from '../../../api/types.js';

/** Kafka's Uuid.ZERO_UUID as printed: "no topic id". */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The topic's name: `name` where the version carries names, else the name of `topicId` (null if unknown). */
export function topicName(ctx: BrokerContext, t: { name?: string | null; topicId?: string }, byId: boolean): string | null {
  if (!byId) return t.name ?? null;
  return t.topicId === undefined ? null : ctx.cluster.topicNameOf(t.topicId);
}

export function topicIdOf(ctx: BrokerContext, name: string): string {
  return ctx.cluster.topicIdOf(name) ?? ZERO_UUID;
}
