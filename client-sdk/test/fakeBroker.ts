// A tiny in-memory broker speaking the real protocol over `ws`, for producer tests that need to
// inject failures (retriable errors, dropped connections) deterministically.
import { ErrorCode, batchSpans, encodeResponse, readBatchHeader, type ResponseOf } from '@brook/protocol';
import { emptyLogs, startFakeServer } from './fakeServer.js';

export interface FakeBroker {
  url: string;
  topics: Map<string, Uint8Array[][]>;
  requests: Array<{ name: string; acks?: number }>;
  /** Called for each Produce partition; return an error code to fail it. */
  produceHook: ((topic: string, partition: number, attempt: number) => number) | null;
  /** Drop the connection on the next N produce requests without answering. */
  dropNextProduce: number;
  maxMessageBytes: number;
  /** Answer each Produce this many ms after it arrives (0: at once). */
  produceDelayMs: number;
  /** The most Produce requests received and not yet answered at any moment. */
  maxOutstanding: number;
  /** Record batch bytes carried by each Produce request, in arrival order. */
  produceRecordBytes: number[];
  close(): Promise<void>;
}

export async function fakeBroker(topics: Record<string, number>): Promise<FakeBroker> {
  const attempts = new Map<string, number>();
  let outstanding = 0;
  const server = await startFakeServer({
    maxMessageBytes: () => fb.maxMessageBytes,
    handlers: {
      InitProducerId: (ws, req) => {
        ws.send(encodeResponse('InitProducerId', req.header.correlationId, { producerId: 1, producerEpoch: 0 }));
      },
      Metadata: (ws, req) => {
        const names = req.body.topics ?? [...fb.topics.keys()];
        const body: ResponseOf<'Metadata'> = {
          topics: names.map((name) => {
            const t = fb.topics.get(name);
            return t
              ? { errorCode: 0, errorMessage: null, name, internal: false, numPartitions: t.length }
              : { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic ${name}`, name, internal: false, numPartitions: 0 };
          }),
        };
        ws.send(encodeResponse('Metadata', req.header.correlationId, body));
      },
      Produce: (ws, req) => {
        const id = req.header.correlationId;
        fb.requests.push({ name: 'Produce', acks: req.body.acks });
        fb.produceRecordBytes.push(req.body.topics.reduce((n, t) => t.partitions.reduce((m, p) => m + p.records.length, n), 0));
        if (fb.dropNextProduce > 0) {
          fb.dropNextProduce--;
          ws.terminate();
          return;
        }
        const res: ResponseOf<'Produce'> = {
          topics: req.body.topics.map((t) => ({
            topic: t.topic,
            partitions: t.partitions.map((p) => {
              const log = fb.topics.get(t.topic)?.[p.partition];
              const k = `${t.topic}-${p.partition}`;
              const attempt = (attempts.get(k) ?? 0) + 1;
              attempts.set(k, attempt);
              const code = log ? (fb.produceHook?.(t.topic, p.partition, attempt) ?? 0) : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
              if (code !== 0 || !log) return { partition: p.partition, errorCode: code, errorMessage: null, baseOffset: -1, logStartOffset: -1 };
              for (const { size } of batchSpans(p.records)) {
                if (size > fb.maxMessageBytes) return { partition: p.partition, errorCode: ErrorCode.MESSAGE_TOO_LARGE, errorMessage: null, baseOffset: -1, logStartOffset: -1 };
              }
              const baseOffset = log.length;
              const recs: Uint8Array[] = [];
              for (const { at, size } of batchSpans(p.records)) {
                const h = readBatchHeader(p.records, at);
                const batch = p.records.slice(at, at + size);
                for (let i = 0; i < h.recordCount; i++) recs.push(batch);
              }
              for (const r of recs) log.push(r);
              return { partition: p.partition, errorCode: 0, errorMessage: null, baseOffset, logStartOffset: 0 };
            }),
          })),
        };
        if (req.body.acks === 0) return;
        if (fb.produceDelayMs <= 0) {
          ws.send(encodeResponse('Produce', id, res));
          return;
        }
        outstanding++;
        fb.maxOutstanding = Math.max(fb.maxOutstanding, outstanding);
        setTimeout(() => {
          outstanding--;
          ws.send(encodeResponse('Produce', id, res));
        }, fb.produceDelayMs);
      },
    },
  });
  const fb: FakeBroker = {
    url: server.url,
    topics: emptyLogs<Uint8Array>(topics),
    requests: [],
    produceHook: null,
    dropNextProduce: 0,
    maxMessageBytes: 1024 * 1024,
    produceDelayMs: 0,
    maxOutstanding: 0,
    produceRecordBytes: [],
    close: () => server.close(),
  };
  return fb;
}

/** Records written to a partition of the fake broker. */
export function count(fb: FakeBroker, topic: string, partition: number): number {
  return fb.topics.get(topic)?.[partition]?.length ?? 0;
}
