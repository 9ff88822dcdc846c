/** Admin routes for topics and a record browser. */
import type { FastifyInstance } from 'fastify';
import { ATTR_CONTROL, BrookError, ErrorCode, asBase64, utf8DecodeStrict, type DecodedBatch, type DecodedRecord } from '@brook/protocol';
import type { BrokerContext } from '../api/types.js';
import { decodeOptions } from '../log/compression.js';
import type { PartitionLog } from '../log/partitionLog.js';
import { FROM, type RecordPick } from '../log/recordPage.js';
import { errorSchema, outOfRangeSchema, partitionParams, ratesSchema, recordPage, recordSchema, topicConfigRequest, topicConfigResponse, topicParams, userTopicName, userTopicParams } from './schemas.js';
import { viewerOf, type Viewer } from './access.js';
import { HttpError } from './errors.js';
import { ZERO_RATES, type Throughput } from './throughput.js';

const offsetPattern = { type: 'string', pattern: '^[0-9]+$' } as const;

export async function topicRoutes(app: FastifyInstance, { ctx, throughput }: { ctx: BrokerContext; throughput: Throughput }): Promise<void> {
  app.get('/api/topics', {
    schema: {
      tags: ['topics'],
      summary: 'List topics (those the caller may describe) with records, stored bytes and rates',
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              partitions: { type: 'integer' },
              internal: { type: 'boolean' },
              records: { type: 'integer', description: 'Records stored' },
              sizeBytes: { type: 'integer', description: 'Record bytes stored' },
              rates: ratesSchema,
            },
            required: ['name', 'partitions', 'internal', 'records', 'sizeBytes', 'rates'],
          },
        },
      },
    },
    handler: async (req) => {
      const viewer = viewerOf(ctx, req);
      const rates = throughput.rates();
      return ctx.topics
        .list()
        .filter((t) => viewer.describesTopic(t.name))
        .map((t) => {
          const stats = t.partitions.map((log) => log.stats());
          return {
            name: t.name,
            partitions: t.numPartitions,
            internal: t.internal,
            records: stats.reduce((s, x) => s + x.records, 0),
            sizeBytes: stats.reduce((s, x) => s + x.bytes, 0),
            rates: rates.get(t.name) ?? ZERO_RATES,
          };
        });
    },
  });

  app.post('/api/topics', {
    schema: {
      tags: ['topics'],
      summary: 'Create a topic',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: userTopicName,
          partitions: { type: 'integer', minimum: 1, maximum: ctx.options.maxPartitionsPerTopic },
          config: topicConfigRequest,
        },
        required: ['name', 'partitions'],
      },
      response: {
        201: { type: 'object', properties: { name: { type: 'string' }, partitions: { type: 'integer' } }, required: ['name', 'partitions'] },
        400: errorSchema,
        409: errorSchema,
        503: errorSchema,
      },
    },
    handler: async (req, reply) => {
      const body = req.body as { name: string; partitions: number; config?: Record<string, string | number> };
      const config = Object.fromEntries(Object.entries(body.config ?? {}).map(([k, v]) => [k, String(v)]));
      const t = await ctx.topics.create(body.name, body.partitions, config);
      return reply.code(201).send({ name: t.name, partitions: t.numPartitions });
    },
  });

  app.get('/api/topics/:topic', {
    schema: {
      tags: ['topics'],
      summary: 'Describe a topic: partitions with start and end offsets, config',
      params: topicParams,
      response: {
        200: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            internal: { type: 'boolean' },
            partitions: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  partition: { type: 'integer' },
                  startOffset: offsetPattern,
                  endOffset: offsetPattern,
                  records: { type: 'integer', description: 'Records stored' },
                  sizeBytes: { type: 'integer', description: 'Record bytes stored' },
                },
                required: ['partition', 'startOffset', 'endOffset', 'records', 'sizeBytes'],
              },
            },
            config: topicConfigResponse,
            rates: ratesSchema,
          },
          required: ['name', 'internal', 'partitions', 'config', 'rates'],
        },
        404: errorSchema,
      },
    },
    handler: async (req) => {
      const name = (req.params as { topic: string }).topic;
      mayTopic(viewerOf(ctx, req), name, 'describe');
      const t = mustTopic(ctx, name);
      return {
        name: t.name,
        internal: t.internal,
        partitions: t.partitions.map((log, partition) => {
          const stats = log.stats();
          return { partition, startOffset: String(log.logStartOffset), endOffset: String(log.highWatermark), records: stats.records, sizeBytes: stats.bytes };
        }),
        config: t.config,
        rates: throughput.rates().get(t.name) ?? ZERO_RATES,
      };
    },
  });

  app.delete('/api/topics/:topic', {
    schema: {
      tags: ['topics'],
      summary: 'Delete a topic (internal topics, named "__...", cannot be deleted)',
      params: userTopicParams,
      response: { 204: { type: 'null', description: 'Deleted' }, 404: errorSchema, 503: errorSchema },
    },
    handler: async (req, reply) => {
      const name = (req.params as { topic: string }).topic;
      await ctx.topics.delete(name);
      return reply.code(204).send();
    },
  });

  app.get('/api/topics/:topic/partitions/:partition/records', {
    schema: {
      tags: ['topics'],
      summary: 'Read records (key and value as UTF-8 text where valid, else base64)',
      params: partitionParams,
      querystring: {
        type: 'object',
        properties: {
          offset: { type: 'integer', minimum: 0, description: "First offset to read; the partition's start offset if absent (and no timestamp given)" },
          timestamp: {
            type: 'integer',
            minimum: 0,
            description: 'Without offset: start at the first record whose timestamp is at or after this one (ms since the epoch); the end of the partition if none is',
          },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
      response: { 200: recordPage, 404: errorSchema, 416: outOfRangeSchema, 503: errorSchema },
    },
    handler: async (req, reply) => {
      const { topic, partition } = req.params as { topic: string; partition: number };
      const q = req.query as { offset?: number; timestamp?: number; limit: number };
      mayTopic(viewerOf(ctx, req), topic, 'read');
      const log = ctx.topics.partition(topic, partition);
      if (!log) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${topic}-${partition}`);
      const byTime = q.offset === undefined && q.timestamp !== undefined ? ((await log.findOffsetForTimestamp(q.timestamp, ctx.batchChecks.seek))?.offset ?? log.highWatermark) : undefined;
      const from = q.offset ?? byTime ?? log.logStartOffset;
      // As Kafka's Fetch: an offset outside [start, end] is out of range, not an empty page.
      if (from < log.logStartOffset || from > log.highWatermark) {
        return reply.code(416).send({
          error: 'OFFSET_OUT_OF_RANGE',
          message: `offset ${from} is outside ${topic}-${partition}'s range [${log.logStartOffset}, ${log.highWatermark}]`,
          startOffset: String(log.logStartOffset),
          endOffset: String(log.highWatermark),
        });
      }
      const records: RecordJson[] = [];
      let next = from;
      let pageBytes = 0;
      const full = () => records.length >= q.limit || pageBytes >= PAGE_BYTES;
      // Bounded: at most `limit` records, about PAGE_BYTES of keys and values (one record at
      // least, whatever its size), and a few reads of up to 1 MiB each.
      for (let reads = 0, read = true; reads < 16 && read && !full() && next < log.highWatermark; reads++) {
        read = false;
        for await (const batch of decodedBatches(ctx, log, next, 1024 * 1024, () => ({ from: next, maxRecords: q.limit - records.length, maxBytes: PAGE_BYTES - pageBytes }))) {
          read = true;
          // Transaction markers are bookkeeping, not records: skipped (they still take an offset).
          // The rest are the records the pick took: from `next`, as many as the page still holds.
          const data = batch.header.attributes & ATTR_CONTROL ? [] : batch.records;
          for (const r of data) {
            records.push(recordJson(r));
            pageBytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
            next = r.offset + 1;
          }
          // The page is full inside the batch: the next page starts at its next record.
          if (full() && next <= batch.header.baseOffset + batch.header.lastOffsetDelta) break;
          next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
          // Full at the end of a batch: the next one is not decoded.
          if (full()) break;
        }
      }
      return { topic, partition, records, nextOffset: String(next), endOffset: String(log.highWatermark) };
    },
  });

  app.get('/api/topics/:topic/partitions/:partition/tail', {
    schema: {
      tags: ['topics'],
      summary: 'Live tail of a partition as server-sent events (one `record` event per record)',
      description:
        'The stream stays open until the client disconnects or the broker shuts down; a `: keep-alive` comment is sent after 15 s without records. ' +
        `Each \`record\` event's data is a JSON record as /records shows it: ${JSON.stringify(recordSchema.required)}.`,
      params: partitionParams,
      querystring: { type: 'object', properties: { offset: { type: 'integer', minimum: 0, description: 'First offset to send; the end of the partition (new records only) if absent' } } },
      response: {
        200: { description: 'A text/event-stream of `record` events', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        404: errorSchema,
      },
    },
    handler: async (req, reply) => {
      const { topic, partition } = req.params as { topic: string; partition: number };
      mayTopic(viewerOf(ctx, req), topic, 'read');
      const log = ctx.topics.partition(topic, partition);
      if (!log) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${topic}-${partition}`);
      let next = Math.max((req.query as { offset?: number }).offset ?? log.highWatermark, log.logStartOffset);
      reply.hijack();
      const res = reply.raw;
      // Headers set before (CORS for a listed origin) go out too: hijacked, the reply no longer sends them.
      const earlier = Object.entries(reply.getHeaders()).filter((e): e is [string, string | number | string[]] => e[1] !== undefined);
      res.writeHead(200, { ...Object.fromEntries(earlier), 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      // Send the status now: on an idle partition the client would otherwise wait for the first record.
      res.flushHeaders();
      let open = true;
      let wake: (() => void) | null = null;
      const off = log.onAppend(() => wake?.());
      const stop = () => {
        open = false;
        wake?.();
      };
      req.raw.on('close', stop);
      ctx.shutdown.addEventListener('abort', stop, { once: true });
      try {
        while (open) {
          if (next < log.highWatermark) {
            for await (const batch of decodedBatches(ctx, log, Math.max(next, log.logStartOffset), 256 * 1024, () => FROM(next))) {
              const records = batch.header.attributes & ATTR_CONTROL ? [] : batch.records;
              // The pick took those from `next` on.
              for (const r of records) res.write(`event: record\ndata: ${JSON.stringify(recordJson(r))}\n\n`);
              next = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
            }
            // Respect a slow reader: wait for the socket to drain before reading more.
            if (res.writableNeedDrain) await new Promise((r) => res.once('drain', r));
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 15_000).unref(); // keep-alive comment below
          });
          wake = null;
          if (open && next >= log.highWatermark) res.write(': keep-alive\n\n');
        }
      } catch (err) {
        ctx.logger.debug({ err }, 'tail ended');
      } finally {
        off();
        ctx.shutdown.removeEventListener('abort', stop);
        res.end();
      }
    },
  });
}

type RecordJson = Record<string, unknown>;

/** A record page stops once its keys and values pass this (after its first record). */
const PAGE_BYTES = 4 << 20;

/**
 * A partition's batches from `from` (up to about `maxBytes` stored), each decoded as it is asked
 * for, with the records `pick()` then takes, within the broker's per-turn budget: a compressed
 * batch that inflates past it is decoded on the worker thread, so browsing a topic cannot hold the
 * event loop.
 */
async function* decodedBatches(ctx: BrokerContext, log: PartitionLog, from: number, maxBytes: number, pick: () => RecordPick): AsyncGenerator<DecodedBatch> {
  const { batches } = await log.readBatches(from, maxBytes);
  const decoding = decodeOptions(log.maxBatchBytes);
  for (const b of batches) yield await ctx.batchChecks.decode(b, decoding, pick());
}

/** One record as the browser and the tail show it: the same fields in both. */
function recordJson(r: DecodedRecord): RecordJson {
  return {
    offset: String(r.offset),
    timestamp: String(r.timestamp),
    ...text('key', r.key),
    ...text('value', r.value),
    headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value === null ? null : (utf8DecodeStrict(h.value) ?? asBase64(h.value))])),
    headerEncodings: Object.fromEntries(r.headers.map((h) => [h.key, h.value === null ? null : utf8DecodeStrict(h.value) !== null ? 'utf8' : 'base64'])),
  };
}

function text(field: 'key' | 'value', b: Uint8Array | null): Record<string, string | null> {
  if (b === null) return { [field]: null, [`${field}Encoding`]: null };
  const s = utf8DecodeStrict(b);
  return s !== null ? { [field]: s, [`${field}Encoding`]: 'utf8' } : { [field]: asBase64(b), [`${field}Encoding`]: 'base64' };
}

/** 403 before any lookup, so a caller learns nothing about topics it may not describe. */
function mayTopic(viewer: Viewer, topic: string, what: 'describe' | 'read'): void {
  if (what === 'describe' ? viewer.describesTopic(topic) : viewer.readsTopic(topic)) return;
  throw new HttpError(403, 'TOPIC_AUTHORIZATION_FAILED', `${viewer.principal?.name ?? 'this principal'} may not ${what} topic ${topic}`);
}

export function mustTopic(ctx: BrokerContext, name: string) {
  const t = ctx.topics.get(name);
  if (!t) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${name}`);
  return t;
}
