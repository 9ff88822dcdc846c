// Positions alone: committed offsets, the reset policy, seeks and out-of-range resets, with fake
// OffsetFetch / ListOffsets lookups.
import { describe, expect, it } from 'vitest';
import {
  BrookError,
  ErrorCode,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from '@brook/protocol';
import { keyOf, newPartitionState, type OwnedPartitions, type PartitionState } from '../../src/consumer/partitions.js';
import { Positions } from '../../src/consumer/positions.js';
import type { AutoOffsetReset } from '../../src/consumer/types.js';
import { messages, ownedWith, partition, silentLogger } from './unitFakes.js';

interface Log {
  earliest: number;
  latest: number;
  committed?: number;
  /** Error codes ListOffsets answers for this partition, one per request, before it answers well. */
  listErrors?: number[];
}

function setup(opts: { logs: Record<string, Log>; policy?: Record<string, AutoOffsetReset>; owned?: OwnedPartitions; duringListOffsets?: () => void }) {
  const owned = opts.owned ?? ownedWith([]);
  const offsetFetches: OffsetFetchRequest[] = [];
  const listOffsets: ListOffsetsRequest[] = [];
  const failures: Array<() => never> = [];
  const crashes: Error[] = [];
  const sleeps: number[] = [];
  let wakes = 0;
  const wakeWaiters: Array<() => void> = [];
  let running = true;
  const log = (topic: string, p: number): Log => {
    const l = opts.logs[`${topic}-${p}`];
    if (!l) throw new Error(`no log ${topic}-${p}`);
    return l;
  };
  const positions = new Positions({
    groupId: 'g',
    lookups: {
      offsetFetch: async (req): Promise<OffsetFetchResponse> => {
        offsetFetches.push(structuredClone(req));
        failures.shift()?.();
        return {
          errorCode: 0,
          errorMessage: null,
          topics: (req.topics ?? []).map((t) => ({
            topic: t.topic,
            partitions: (t.partitions ?? []).map((p) => ({ partition: p, offset: log(t.topic, p).committed ?? -1, metadata: null, commitTimestamp: -1, errorCode: 0 })),
          })),
        };
      },
      listOffsets: async (req): Promise<ListOffsetsResponse> => {
        listOffsets.push(structuredClone(req));
        failures.shift()?.();
        opts.duringListOffsets?.();
        return {
          topics: req.topics.map((t) => ({
            topic: t.topic,
            partitions: t.partitions.map((p) => {
              const l = log(t.topic, p.partition);
              const offset = p.timestamp === EARLIEST_TIMESTAMP ? l.earliest : l.latest;
              const errorCode = l.listErrors?.shift() ?? 0;
              return { partition: p.partition, errorCode, errorMessage: null, timestamp: -1, offset: errorCode === 0 ? offset : -1 };
            }),
          })),
        };
      },
    },
    resetPolicy: (topic) => opts.policy?.[topic] ?? 'latest',
    isolationLevel: 1,
    owned,
    wakeFetch: () => {
      wakes++;
      for (const w of wakeWaiters.splice(0)) w();
    },
    isRunning: () => running,
    retries: 0,
    crash: (e) => crashes.push(e),
    logger: silentLogger,
    sleep: async (ms) => void sleeps.push(ms),
  });
  /** New states, owned, as the reconciler creates them. */
  const assigned = (...tps: Array<[string, number]>): PartitionState[] =>
    tps.map(([t, p]) => {
      const ps = newPartitionState(keyOf(t, p));
      owned.set(ps);
      return ps;
    });
  return {
    positions,
    owned,
    offsetFetches,
    listOffsets,
    failures,
    crashes,
    sleeps,
    assigned,
    wakes: () => wakes,
    nextWake: () => new Promise<void>((r) => wakeWaiters.push(r)),
    stop: () => (running = false),
  };
}

const position = (ps: PartitionState) => ({ fetchOffset: ps.fetchOffset, resolved: ps.resolved, committed: ps.committed });

describe('Positions', () => {
  it('a committed offset is the position; without one the reset policy decides, via ListOffsets', async () => {
    const s = setup({
      logs: { 't-0': { earliest: 0, latest: 50, committed: 7 }, 't-1': { earliest: 3, latest: 40 }, 'u-0': { earliest: 2, latest: 42 } },
      policy: { t: 'earliest', u: 'latest' },
    });
    const [t0, t1, u0] = s.assigned(['t', 0], ['t', 1], ['u', 0]);
    await s.positions.initialize([t0!, t1!, u0!]);
    expect(position(t0!)).toEqual({ fetchOffset: 7, resolved: 7, committed: 7 });
    expect(position(t1!)).toEqual({ fetchOffset: 3, resolved: 3, committed: -1 });
    expect(position(u0!)).toEqual({ fetchOffset: 42, resolved: 42, committed: -1 });
    expect(s.offsetFetches).toEqual([
      { groupId: 'g', requireStable: true, topics: [{ topic: 't', partitions: [0, 1] }, { topic: 'u', partitions: [0] }] },
    ]);
    expect(s.listOffsets).toEqual([
      {
        isolationLevel: 1,
        topics: [
          { topic: 't', partitions: [{ partition: 1, timestamp: EARLIEST_TIMESTAMP }] },
          { topic: 'u', partitions: [{ partition: 0, timestamp: LATEST_TIMESTAMP }] },
        ],
      },
    ]);
  });

  it('a seek made before the partition was assigned beats the committed offset', async () => {
    const s = setup({ logs: { 't-0': { earliest: 0, latest: 50, committed: 7 }, 't-1': { earliest: 0, latest: 50 } } });
    s.positions.seek('t', 0, 20);
    s.positions.seek('t', 1, 30);
    const states = s.assigned(['t', 0], ['t', 1]);
    await s.positions.initialize(states);
    expect(states.map(position)).toEqual([
      { fetchOffset: 20, resolved: 20, committed: 7 },
      { fetchOffset: 30, resolved: 30, committed: -1 },
    ]);
    expect(s.listOffsets).toEqual([]); // no reset needed
  });

  it("'none' without a committed offset throws, naming the partitions", async () => {
    const s = setup({ logs: { 't-0': { earliest: 0, latest: 5 }, 't-1': { earliest: 0, latest: 5, committed: 1 } }, policy: { t: 'none' } });
    const states = s.assigned(['t', 0], ['t', 1]);
    await expect(s.positions.initialize(states)).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE, message: expect.stringContaining('t-0') });
    expect(s.listOffsets).toEqual([]);
  });

  it('a retriable ListOffsets partition error is retried with backoff, only for the failed partitions; never positioned at 0', async () => {
    const s = setup({
      logs: {
        't-0': { earliest: 4, latest: 9, listErrors: [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION] },
        't-1': { earliest: 0, latest: 30 },
      },
    });
    const [t0, t1] = s.assigned(['t', 0], ['t', 1]);
    await s.positions.initialize([t0!, t1!]);
    expect(position(t0!)).toEqual({ fetchOffset: 9, resolved: 9, committed: -1 });
    expect(position(t1!)).toEqual({ fetchOffset: 30, resolved: 30, committed: -1 });
    expect(s.listOffsets.map((r) => r.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}`)))).toEqual([['t-0', 't-1'], ['t-0'], ['t-0']]);
    expect(s.sleeps).toHaveLength(2); // a backoff before each retry
    expect(s.sleeps[1]!).toBeGreaterThan(s.sleeps[0]!);
  });

  it('a partition whose offset cannot be looked up fails loudly: at once for a non-retriable error, after the retries otherwise', async () => {
    const s = setup({ logs: { 't-0': { earliest: 4, latest: 9, listErrors: [ErrorCode.TOPIC_AUTHORIZATION_FAILED] } } });
    const [t0] = s.assigned(['t', 0]);
    await expect(s.positions.initialize([t0!])).rejects.toMatchObject({
      code: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      message: expect.stringContaining('cannot tell where to start reading t-0 (TOPIC_AUTHORIZATION_FAILED)'),
    });
    expect(s.listOffsets).toHaveLength(1);
    expect(t0!.fetchOffset).toBe(-1); // not positioned: never fetched, nothing committed for it

    const always = Array.from({ length: 20 }, () => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const r = setup({ logs: { 'u-0': { earliest: 0, latest: 7, listErrors: always } } });
    const [u0] = r.assigned(['u', 0]);
    await expect(r.positions.initialize([u0!])).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: expect.stringContaining('u-0') });
    expect(r.listOffsets).toHaveLength(6); // retries: 0 still means 5 retries
    expect(u0!.fetchOffset).toBe(-1);
  });

  it('a partition revoked while its offset is retried is dropped from the retries', async () => {
    const s = setup({ logs: { 't-0': { earliest: 0, latest: 9, listErrors: [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REQUEST_TIMED_OUT] } } });
    const [t0] = s.assigned(['t', 0]);
    const retried = s.positions.initialize([t0!]);
    t0!.gone = true;
    await retried;
    expect(s.listOffsets).toHaveLength(1);
    expect(t0!.fetchOffset).toBe(-1);
  });

  it('a reset after OFFSET_OUT_OF_RANGE that cannot look up the offset crashes the consumer', async () => {
    const s = setup({ logs: { 't-0': { earliest: 0, latest: 9, listErrors: [ErrorCode.TOPIC_AUTHORIZATION_FAILED] } } });
    const [t0] = s.assigned(['t', 0]);
    t0!.ready = true;
    t0!.fetchOffset = t0!.resolved = 50;
    const woken = s.nextWake();
    expect(s.positions.outOfRange(t0!, ErrorCode.OFFSET_OUT_OF_RANGE)).toBeNull();
    await woken;
    expect(s.crashes.map((e) => (e as BrookError).code)).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    expect(t0!.fetchOffset).toBe(50);
  });

  it('retriable lookup failures are retried while running; not once stopped', async () => {
    const fail = () => {
      throw new BrookError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'loading');
    };
    const s = setup({ logs: { 't-0': { earliest: 0, latest: 9, committed: 3 } } });
    s.failures.push(fail, fail);
    const [t0] = s.assigned(['t', 0]);
    await s.positions.initialize([t0!]);
    expect(s.offsetFetches).toHaveLength(3);
    expect(t0!.fetchOffset).toBe(3);

    const t = setup({ logs: { 't-0': { earliest: 0, latest: 9, committed: 3 } } });
    t.failures.push(fail);
    t.stop();
    await expect(t.positions.initialize(t.assigned(['t', 0]))).rejects.toMatchObject({ code: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS });
    expect(t.offsetFetches).toHaveLength(1);
  });

  it('a seek on a positioned partition applies at once: buffer dropped, older fetches stale, fetch woken', () => {
    const owned = ownedWith([['t', 0]], (ps) => {
      ps.ready = true;
      ps.fetchOffset = ps.resolved = 10;
      ps.preCommitted = 10;
      ps.retryAt = Date.now() + 5000;
      ps.handlerFailures = 3;
    });
    const ps = partition(owned, 't', 0);
    owned.append(ps, messages([8, 9]));
    const s = setup({ logs: {}, owned });
    s.positions.seek('t', 0, 2);
    expect(position(ps)).toMatchObject({ fetchOffset: 2, resolved: 2 });
    expect(ps).toMatchObject({ gen: 1, queue: [], queueBytes: 0, preCommitted: -1, retryAt: 0, handlerFailures: 0 });
    expect(owned.bufferedBytes).toBe(0);
    expect(s.wakes()).toBe(1);
  });

  it('a seek while the position is being looked up is kept, and applied by applyPendingSeek', async () => {
    const s = setup({
      logs: { 't-0': { earliest: 0, latest: 50 } },
      duringListOffsets: () => s.positions.seek('t', 0, 1), // position not known yet: kept for later
    });
    const [t0] = s.assigned(['t', 0]);
    await s.positions.initialize([t0!]);
    expect(t0!.fetchOffset).toBe(50);
    const woken = s.nextWake();
    s.positions.applyPendingSeek(t0!);
    await woken;
    expect(t0!).toMatchObject({ fetchOffset: 1, resolved: 1, gen: 1 });
    s.positions.applyPendingSeek(t0!); // taken once
    expect(t0!.gen).toBe(1);

    s.positions.seek('t', 0, 25); // position known (e.g. from onPartitionsAssigned): applied at once
    expect(t0!).toMatchObject({ fetchOffset: 25, gen: 2 });
  });

  it("out of range: resets by the policy and makes the partition fetchable again; 'none' returns the error to crash with", async () => {
    const s = setup({ logs: { 't-0': { earliest: 12, latest: 80 }, 'n-0': { earliest: 0, latest: 1 } }, policy: { t: 'earliest', n: 'none' } });
    const [t0, n0] = s.assigned(['t', 0], ['n', 0]);
    for (const ps of [t0!, n0!]) {
      ps.ready = true;
      ps.fetchOffset = 5;
    }
    const woken = s.nextWake();
    expect(s.positions.outOfRange(t0!, ErrorCode.OFFSET_OUT_OF_RANGE)).toBeNull();
    expect(t0!.ready).toBe(false); // not fetched while the reset runs
    expect(t0!.gen).toBe(1);
    await woken;
    expect(t0!).toMatchObject({ ready: true, fetchOffset: 12, resolved: 12 });

    const err = s.positions.outOfRange(n0!, ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(err).toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE, message: expect.stringContaining("offset 5 is out of range for n-0 and autoOffsetReset is 'none'") });
    expect(n0!.ready).toBe(true);
  });
});
