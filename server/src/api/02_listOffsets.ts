// ListOffsets: -2 earliest (log start), -1 latest (log end; the last stable offset for read_committed), else the first offset at or after a timestamp.
import { EARLIEST_TIMESTAMP, ErrorCode, LATEST_TIMESTAMP } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';
import { toErrorCode } from './errors.js';
import { startInTurns } from './turns.js';

export function listOffsets(ctx: BrokerContext): Handler<'ListOffsets'> {
  return async (req, conn) => {
    // Many partitions start over several turns of the event loop (api/turns.ts).
    const results = await startInTurns(conn, req.topics, async (t, p) => {
      if (!allowed(ctx, conn, 'topic', t.topic, 'describe')) {
        return { partition: p.partition, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `not allowed to describe ${t.topic}`, timestamp: -1, offset: -1 };
      }
      const log = ctx.topics.partition(t.topic, p.partition);
      if (!log) {
        return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic-partition ${t.topic}-${p.partition}`, timestamp: -1, offset: -1 };
      }
      if (p.timestamp === EARLIEST_TIMESTAMP) return ok(p.partition, -1, log.logStartOffset);
      if (p.timestamp === LATEST_TIMESTAMP) return ok(p.partition, -1, req.isolationLevel === 1 ? log.lastStableOffset : log.highWatermark);
      if (p.timestamp < 0) {
        return { partition: p.partition, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `bad timestamp ${p.timestamp}`, timestamp: -1, offset: -1 };
      }
      try {
        const found = await log.findOffsetForTimestamp(p.timestamp, ctx.batchChecks.seek);
        return found ? ok(p.partition, found.timestamp, found.offset) : ok(p.partition, -1, log.highWatermark);
      } catch (e) {
        return { partition: p.partition, ...toErrorCode(e, ctx.logger), timestamp: -1, offset: -1 };
      }
    });
    return { topics: req.topics.map((t, i) => ({ topic: t.topic, partitions: results[i]! })) };
  };
}

function ok(partition: number, timestamp: number, offset: number) {
  return { partition, errorCode: 0, errorMessage: null, timestamp, offset };
}
