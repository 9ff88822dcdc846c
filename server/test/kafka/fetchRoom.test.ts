// A Kafka client that sends fetches and never reads the answers gets no more answers piled up in
// the broker's memory: fetches of one connection run one at a time, each only once the answers
// the client has not taken are under 1 MiB. Driven on a stand-in socket whose buffer drains only
// when the test says so, with a Fetch adapter that answers 2 MiB.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { kafka } from '@brook/protocol';
import { KafkaConnection, type KafkaConnectionDeps } from '../../src/transport/kafka/connection.js';
import { AnswerMemory, RequestMemory } from '../../src/services/answerMemory.js';

/** Holds everything written until drain() (the client read it all). */
class StalledSocket extends EventEmitter {
  writableLength = 0;
  remoteAddress = '127.0.0.1';
  setNoDelay(): void {}
  pause(): void {}
  resume(): void {}
  cork(): void {}
  uncork(): void {}
  end(): void {}
  destroy(): void {}
  write(chunk: Uint8Array): boolean {
    this.writableLength += chunk.length;
    return false;
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

const answer = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1, lastStableOffset: 1, logStartOffset: 0, abortedTransactions: null, records: new Uint8Array(2 << 20) }] }] };
const fetchFrame = (id: number) =>
  kafka.encodeKafkaRequest('Fetch', 12, id, 'stalled', {
    maxWaitMs: 0, minBytes: 0, maxBytes: 16 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
    topics: [{ topic: 't', topicId: '', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 4 << 20 }] }],
  } as never);

describe('Kafka door: fetches of a client that does not read', () => {
  it('run one at a time and only once the client took the earlier answers', async () => {
    const socket = new StalledSocket();
    let started = 0;
    const handled: Array<() => void> = [];
    const nextHandled = () => new Promise<void>((r) => handled.push(r));
    const timer = { startTimer: () => () => 0 };
    const deps = {
      ctx: { auth: null, answers: new AnswerMemory(32 << 20), requests: new RequestMemory(8 << 20), metrics: { latencyOf: () => timer, requestErrors: { inc: () => {} } } },
      handlers: {},
      adapters: {
        Fetch: {
          handle: async () => {
            started++;
            handled.shift()?.();
            return answer;
          },
        },
      },
      logger: pino({ level: 'silent' }),
      maxFrameBytes: 1 << 20,
      maxInFlight: 64,
      onClose: () => {},
    } as unknown as KafkaConnectionDeps;
    new KafkaConnection(socket as unknown as Socket, deps);
    const first = nextHandled();
    socket.emit('data', Buffer.concat(Array.from({ length: 10 }, (_, i) => fetchFrame(i + 1))));
    await first;
    // The first answer (2 MiB) is written and not taken: the other nine wait.
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(1);
    expect(socket.writableLength).toBeGreaterThan(2 << 20);
    // The client reads: the next one runs, and waits again behind its own answer.
    const second = nextHandled();
    socket.drain();
    await second;
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(2);
    // A client that reads each answer gets all ten, one at a time.
    for (let n = 3; n <= 10; n++) {
      expect(socket.writableLength).toBeGreaterThan(2 << 20);
      const next = nextHandled();
      socket.drain();
      await next;
      await new Promise((r) => setImmediate(r));
      expect(started).toBe(n);
    }
    expect(started).toBe(10);
  });
});
