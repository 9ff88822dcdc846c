// The committer alone: OffsetCommit requests, their errors and retries, auto-commit rules,
// at-most-once pre-commits, with a fake "send OffsetCommit" and a fake membership.
import { describe, expect, it } from 'vitest';
import { BrookError, ErrorCode, type OffsetCommitRequest, type OffsetCommitResponse } from '@brook/protocol';
import { Committer, type CommitEntry } from '../../src/consumer/committer.js';
import { keyOf, type OwnedPartitions } from '../../src/consumer/partitions.js';
import { runStateOf, type RunState } from '../../src/consumer/settings.js';
import { ConsumerEvents, type ConsumerRunConfig } from '../../src/consumer/types.js';
import { deferred, ownedWith, partition, settle, silentLogger } from './unitFakes.js';

type Answer = (req: OffsetCommitRequest) => OffsetCommitResponse | Promise<OffsetCommitResponse>;

/** Every partition of the request committed. */
const allOk = (req: OffsetCommitRequest): OffsetCommitResponse => ({
  topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, errorMessage: null })) })),
});

/** `code` for the listed partitions, success for the others. */
function failing(code: number, which: Array<[string, number]>): Answer {
  return (req) => ({
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        errorCode: which.some(([topic, n]) => topic === t.topic && n === p.partition) ? code : 0,
        errorMessage: null,
      })),
    })),
  });
}

function setup(opts: { owned?: OwnedPartitions; run?: ConsumerRunConfig & { guarantee?: 'at-least-once' | 'at-most-once' }; connected?: boolean } = {}) {
  const owned = opts.owned ?? ownedWith([]);
  const member = { memberId: 'm1', memberEpoch: 3, inGroup: true };
  const requests: OffsetCommitRequest[] = [];
  const answers: Answer[] = [];
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  let heartbeatsAwaited = 0;
  let run: RunState | null = opts.run ? runStateOf(opts.run, opts.run.guarantee ?? 'at-least-once') : null;
  const committer = new Committer({
    groupId: 'g',
    sendOffsetCommit: async (req) => {
      requests.push(structuredClone(req));
      return (answers.shift() ?? allOk)(req);
    },
    member: () => member,
    nextHeartbeat: async () => {
      heartbeatsAwaited++;
      member.memberEpoch++; // the heartbeat brings the new epoch
    },
    connected: () => opts.connected ?? true,
    owned,
    run: () => run,
    emit: (type, payload) => events.push({ type, payload: payload as Record<string, unknown> }),
    logger: silentLogger,
    retries: 0,
    sessionTimeout: 10_000,
    sleep: async () => {},
  });
  return {
    committer,
    owned,
    member,
    requests,
    answers,
    events,
    heartbeatsAwaited: () => heartbeatsAwaited,
    setRun: (r: RunState | null) => (run = r),
  };
}

const entries = (...e: Array<[string, number, number]>): CommitEntry[] => e.map(([topic, p, offset]) => ({ topic, partition: p, offset }));

describe('Committer', () => {
  it("commits grouped by topic with the member's id and epoch, records the offsets and reports them", async () => {
    const s = setup({ owned: ownedWith([['t', 0], ['t', 1]]) });
    const done = await s.committer.commit(entries(['t', 0, 5], ['u', 0, 1], ['t', 1, 7]), true);
    expect(s.requests).toEqual([
      {
        groupId: 'g',
        memberId: 'm1',
        memberEpoch: 3,
        topics: [
          { topic: 't', partitions: [{ partition: 0, offset: 5, metadata: null }, { partition: 1, offset: 7, metadata: null }] },
          { topic: 'u', partitions: [{ partition: 0, offset: 1, metadata: null }] },
        ],
      },
    ]);
    expect([...done].sort()).toEqual([keyOf('t', 0), keyOf('t', 1), keyOf('u', 0)].sort());
    expect(partition(s.owned, 't', 0).committed).toBe(5);
    expect(partition(s.owned, 't', 1).committed).toBe(7);
    expect(s.events).toEqual([
      {
        type: ConsumerEvents.COMMIT_OFFSETS,
        payload: expect.objectContaining({ groupId: 'g', memberId: 'm1', groupGenerationId: 3, topics: expect.arrayContaining([{ topic: 'u', partitions: [{ partition: 0, offset: '1' }] }]) }),
      },
    ]);
  });

  it('outside the group it commits without a member (null id, epoch -1)', async () => {
    const s = setup();
    s.member.inGroup = false;
    await s.committer.commit(entries(['t', 0, 1]), true);
    expect(s.requests[0]).toMatchObject({ memberId: null, memberEpoch: -1 });
  });

  it('never moves a recorded committed offset backwards', async () => {
    const s = setup({ owned: ownedWith([['t', 0]], (ps) => (ps.committed = 10)) });
    await s.committer.commit(entries(['t', 0, 4]), true);
    expect(partition(s.owned, 't', 0).committed).toBe(10);
  });

  it('STALE_MEMBER_EPOCH: waits for the next heartbeat and retries only the stale partitions, with the new epoch', async () => {
    const s = setup();
    s.answers.push(failing(ErrorCode.STALE_MEMBER_EPOCH, [['t', 0]]));
    const done = await s.committer.commit(entries(['t', 0, 5], ['t', 1, 6]), true);
    expect(s.heartbeatsAwaited()).toBe(1);
    expect(s.requests).toHaveLength(2);
    expect(s.requests[1]).toMatchObject({ memberEpoch: 4, topics: [{ topic: 't', partitions: [{ partition: 0, offset: 5 }] }] });
    expect(done.size).toBe(2);
  });

  it('a partition no longer owned: a manual (strict) commit rejects, an automatic one resolves without it', async () => {
    const s = setup();
    s.answers.push(failing(ErrorCode.NOT_PARTITION_OWNER, [['t', 1]]));
    await expect(s.committer.commit(entries(['t', 0, 5], ['t', 1, 6]), true)).rejects.toMatchObject({ code: ErrorCode.NOT_PARTITION_OWNER });

    s.answers.push(failing(ErrorCode.NOT_PARTITION_OWNER, [['t', 1]]));
    const done = await s.committer.commit(entries(['t', 0, 5], ['t', 1, 6]), false);
    expect([...done]).toEqual([keyOf('t', 0)]);
    expect(s.requests).toHaveLength(2); // refusals are not retried
  });

  it('retriable partition errors are retried, then given up with REQUEST_TIMED_OUT', async () => {
    const s = setup();
    s.answers.push(failing(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, [['t', 0]]));
    await s.committer.commit(entries(['t', 0, 5]), true);
    expect(s.requests).toHaveLength(2);

    const t = setup();
    for (let i = 0; i < 20; i++) t.answers.push(failing(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, [['t', 0]]));
    await expect(t.committer.commit(entries(['t', 0, 5]), true)).rejects.toMatchObject({ code: ErrorCode.REQUEST_TIMED_OUT });
    expect(t.requests).toHaveLength(6); // max(5, retries) + 1 attempts
  });

  it('a retriable request failure is retried while connected, and thrown when not', async () => {
    const s = setup();
    s.answers.push(() => {
      throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'connection lost');
    });
    await s.committer.commit(entries(['t', 0, 5]), true);
    expect(s.requests).toHaveLength(2);

    const t = setup({ connected: false });
    t.answers.push(() => {
      throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'connection lost');
    });
    await expect(t.committer.commit(entries(['t', 0, 5]), true)).rejects.toMatchObject({ code: ErrorCode.NETWORK_EXCEPTION });
    expect(t.requests).toHaveLength(1);
  });

  it('sends one commit at a time, in call order, even after a failed one', async () => {
    const s = setup();
    const first = deferred<OffsetCommitResponse>();
    s.answers.push(() => first.promise);
    s.answers.push(() => {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'refused');
    });
    const a = s.committer.commit(entries(['t', 0, 1]), true);
    const b = s.committer.commit(entries(['t', 0, 2]), true);
    const c = s.committer.commit(entries(['t', 0, 3]), true);
    await settle();
    expect(s.requests.map((r) => r.topics[0]!.partitions[0]!.offset)).toEqual([1]);
    first.resolve(allOk(s.requests[0]!));
    await a;
    await expect(b).rejects.toThrow('refused');
    await c;
    expect(s.requests.map((r) => r.topics[0]!.partitions[0]!.offset)).toEqual([1, 2, 3]);
  });

  it('commitResolved commits only resolved offsets past the committed ones, and restarts the threshold count', async () => {
    const s = setup({
      owned: ownedWith([['t', 0], ['t', 1], ['t', 2]], (ps) => {
        ps.uncommittedCount = 4;
        if (ps.partition === 0) [ps.resolved, ps.committed] = [8, 5];
        if (ps.partition === 1) [ps.resolved, ps.committed] = [5, 5];
        if (ps.partition === 2) [ps.resolved, ps.committed] = [-1, -1];
      }),
    });
    await s.committer.commitResolved([...s.owned.values()]);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.topics).toEqual([{ topic: 't', partitions: [{ partition: 0, offset: 8, metadata: null }] }]);
    expect([...s.owned.values()].map((ps) => ps.uncommittedCount)).toEqual([0, 0, 0]);
    expect(s.committer.uncommittedOffsets()).toEqual({ topics: [] });
  });

  it('uncommittedOffsets lists resolved offsets past the committed ones, by topic', () => {
    const s = setup({
      owned: ownedWith([['a', 1], ['b', 0], ['a', 0]], (ps) => {
        ps.resolved = 3;
        ps.committed = ps.topic === 'b' ? 3 : 1;
      }),
    });
    expect(s.committer.uncommittedOffsets()).toEqual({
      topics: [{ topic: 'a', partitions: [{ partition: 1, offset: '3' }, { partition: 0, offset: '3' }] }],
    });
  });

  it('autoCommitThreshold: commits once that many messages are processed, not before', async () => {
    const config: ConsumerRunConfig = { eachMessage: () => {}, autoCommitThreshold: 3, autoCommitInterval: null };
    const s = setup({ owned: ownedWith([['t', 0], ['t', 1]], (ps) => (ps.resolved = 2)), run: config });
    const run = runStateOf(config, 'at-least-once');
    partition(s.owned, 't', 0).uncommittedCount = 1;
    partition(s.owned, 't', 1).uncommittedCount = 1;
    s.committer.maybeCommitThreshold(run);
    await s.committer.settled();
    expect(s.requests).toHaveLength(0);
    partition(s.owned, 't', 1).uncommittedCount = 2;
    s.committer.maybeCommitThreshold(run);
    await s.committer.settled();
    expect(s.requests).toHaveLength(1);
  });

  it('auto-commit: only for at-least-once with autoCommit, and by interval unless forced', async () => {
    const owned = ownedWith([['t', 0]], (ps) => (ps.resolved = 2));
    const s = setup({ owned, run: { eachMessage: () => {}, autoCommitInterval: 60_000 } });
    s.committer.start();
    s.committer.stopTimer();
    await s.committer.autoCommit(false); // the interval has not passed
    expect(s.requests).toHaveLength(0);
    await s.committer.autoCommit(true);
    expect(s.requests).toHaveLength(1);

    partition(owned, 't', 0).resolved = 3;
    s.setRun(runStateOf({ eachMessage: () => {} }, 'at-most-once'));
    await s.committer.autoCommit(true);
    s.setRun(runStateOf({ eachMessage: () => {}, autoCommit: false }, 'at-least-once'));
    await s.committer.autoCommit(true);
    expect(s.requests).toHaveLength(1);
  });

  it('at-most-once pre-commit: marks the chunk committed, or refuses to process it and backs off', async () => {
    const s = setup({ owned: ownedWith([['t', 0]]) });
    const ps = partition(s.owned, 't', 0);
    expect(await s.committer.preCommit(ps, 10)).toBe(true);
    expect(ps.preCommitted).toBe(10);
    expect(ps.retryAt).toBe(0);

    s.answers.push(failing(ErrorCode.FENCED_MEMBER_EPOCH, [['t', 0]]));
    const before = Date.now();
    expect(await s.committer.preCommit(ps, 20)).toBe(false);
    expect(ps.preCommitted).toBe(10);
    expect(ps.retryAt).toBeGreaterThanOrEqual(before + 500);
  });
});
