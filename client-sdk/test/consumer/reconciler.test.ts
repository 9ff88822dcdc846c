// The reconciler alone: revoke before assign, lost partitions, rebalance listeners and GROUP_JOIN,
// with fake positions, commits, membership and listeners that write to one log.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keyOf, type OwnedPartitions, type PartitionKey, type PartitionState } from '../../src/consumer/partitions.js';
import { Reconciler, type RebalanceListenerName } from '../../src/consumer/reconciler.js';
import { ConsumerEvents, type TopicPartition } from '../../src/consumer/types.js';
import { deferred, messages, ownedWith, partition, settle, silentLogger } from './unitFakes.js';

const names = (tps: Array<{ topic: string; partition: number }>) => tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',');
const keys = (...tps: Array<[string, number]>) => new Set<PartitionKey>(tps.map(([t, p]) => keyOf(t, p)));

/**
 * `brokerAnswers: 'at once'` (default): each heartbeat the reconciler asks for is accepted at once,
 * epoch unchanged; 'by hand': the test answers with `answerHeartbeat(epoch)`, as the broker would.
 */
function setup(opts: { owned?: OwnedPartitions; initialize?: (states: PartitionState[]) => Promise<void>; brokerAnswers?: 'at once' | 'by hand' } = {}) {
  const owned = opts.owned ?? ownedWith([]);
  const log: string[] = [];
  const member = { memberId: 'm1', memberEpoch: 1, heartbeatsAccepted: 0 };
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  const crashes: Error[] = [];
  let running = true;
  let heartbeats = 0;
  let wakes = 0;
  let joined = 0;
  const listener = (name: RebalanceListenerName) => async (tps: TopicPartition[]) => {
    log.push(`${name} ${names(tps)}`);
  };
  const listeners: Record<RebalanceListenerName, Array<(tps: TopicPartition[]) => Promise<void>>> = {
    onPartitionsAssigned: [listener('onPartitionsAssigned')],
    onPartitionsRevoked: [listener('onPartitionsRevoked')],
    onPartitionsLost: [listener('onPartitionsLost')],
  };
  const reconciler = new Reconciler({
    groupId: 'g',
    groupProtocol: 'uniform',
    owned,
    member: () => member,
    heartbeatNow: () => {
      heartbeats++;
      if (opts.brokerAnswers !== 'by hand') member.heartbeatsAccepted = heartbeats;
      return heartbeats;
    },
    positions: {
      initialize:
        opts.initialize ??
        (async (states) => {
          log.push(`initialize ${names(states)}`);
          for (const ps of states) ps.fetchOffset = ps.resolved = 0;
        }),
      applyPendingSeek: (ps) => log.push(`applyPendingSeek ${ps.topic}-${ps.partition}`),
    },
    commitRevoked: async (states) => {
      log.push(`commit ${names(states)}`);
    },
    listeners: (name) => listeners[name],
    isRunning: () => running,
    wakeFetch: () => wakes++,
    onJoined: () => joined++,
    crash: (e) => crashes.push(e),
    emit: (type, payload) => events.push({ type, payload: payload as Record<string, unknown> }),
    logger: silentLogger,
  });
  reconciler.begin();
  /** Delivers an assignment the way an accepted heartbeat does, and waits for the reconciliation. */
  const assignment = async (target: Set<PartitionKey>, join = false) => {
    reconciler.accept(join, target);
    reconciler.requestReconcile();
    await reconciler.idle();
  };
  /** The broker accepts the last heartbeat asked for and answers `epoch`; the membership then reconciles. */
  const answerHeartbeat = async (epoch: number) => {
    member.heartbeatsAccepted = heartbeats;
    member.memberEpoch = epoch;
    reconciler.accept(false, null);
    reconciler.requestReconcile();
    await reconciler.idle();
  };
  return {
    reconciler,
    owned,
    answerHeartbeat,
    log,
    member,
    events,
    crashes,
    listeners,
    assignment,
    stop: () => (running = false),
    heartbeats: () => heartbeats,
    wakes: () => wakes,
    joined: () => joined,
  };
}

describe('Reconciler', () => {
  it('assigns: position first, then onPartitionsAssigned, then the partitions become fetchable; the join is announced once', async () => {
    const s = setup();
    s.listeners.onPartitionsAssigned.push(async () => {
      // The callback runs before the partitions are fetched.
      s.log.push(`ready during callback: ${[...s.owned.values()].some((ps) => ps.ready)}`);
    });
    await s.assignment(keys(['t', 0], ['t', 1], ['u', 0]), true);
    expect(s.log).toEqual([
      'initialize t-0,t-1,u-0',
      'onPartitionsAssigned t-0,t-1,u-0',
      'ready during callback: false',
      'applyPendingSeek t-0',
      'applyPendingSeek t-1',
      'applyPendingSeek u-0',
    ]);
    expect(s.owned.assignment()).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
      { topic: 'u', partition: 0 },
    ]);
    expect([...s.owned.values()].every((ps) => ps.ready)).toBe(true);
    expect(s.wakes()).toBeGreaterThan(0);
    expect(s.heartbeats()).toBeGreaterThan(0); // the new ownership is reported at once
    expect(s.joined()).toBe(1);
    const joins = s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN);
    expect(joins).toHaveLength(1);
    expect(joins[0]!.payload).toMatchObject({ groupId: 'g', memberId: 'm1', memberEpoch: 1, memberAssignment: { t: [0, 1], u: [0] } });

    await s.assignment(keys(['t', 0], ['t', 1], ['u', 0]));
    expect(s.joined()).toBe(1);
    expect(s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN)).toHaveLength(1);
  });

  it("GROUP_JOIN waits for the broker to hear of the reconciled assignment, and reports the epoch it then answered (the one commits use)", async () => {
    const owned = ownedWith([['t', 0], ['t', 1]], (ps) => (ps.ready = true));
    const s = setup({ owned, brokerAnswers: 'by hand' });
    s.member.memberEpoch = 3;
    await s.assignment(keys(['t', 1])); // a rebalance takes t-0 away (the broker keeps epoch 3 until it is released)
    expect(s.owned.assignment()).toEqual([{ topic: 't', partition: 1 }]);
    expect(s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN)).toEqual([]);
    await s.answerHeartbeat(4); // the heartbeat reporting the release is accepted: epoch 4
    expect(s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN).map((e) => e.payload)).toEqual([
      expect.objectContaining({ memberEpoch: 4, memberAssignment: { t: [1] } }),
    ]);
  });

  it('run() resolves with the first GROUP_JOIN, once the broker heard of the first assignment', async () => {
    const s = setup({ brokerAnswers: 'by hand' });
    await s.assignment(keys(['t', 0]), true);
    expect(s.joined()).toBe(0);
    await s.answerHeartbeat(1);
    expect(s.joined()).toBe(1);
    expect(s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN)).toHaveLength(1);
  });

  describe('GROUP_JOIN duration', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('is the time since this join or rebalance began, not since the first join', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const t0 = new Date('2030-01-01T00:00:00Z').getTime();
      vi.setSystemTime(t0);
      const s = setup(); // the run starts joining at t0
      // Each assignment takes 250 ms of the application's onPartitionsAssigned.
      s.listeners.onPartitionsAssigned.push(async () => void vi.setSystemTime(Date.now() + 250));
      const durations = () => s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN).map((e) => e.payload.duration);

      vi.setSystemTime(t0 + 100); // the join heartbeat is answered
      await s.assignment(keys(['t', 0]), true);
      expect(durations()).toEqual([350]);

      vi.setSystemTime(t0 + 60_000); // a minute later, a rebalance gives t-1 too
      await s.assignment(keys(['t', 0], ['t', 1]));
      expect(durations()).toEqual([350, 250]);

      vi.setSystemTime(t0 + 120_000); // fenced: everything lost, the member rejoins
      s.reconciler.loseAll();
      await s.reconciler.idle();
      vi.setSystemTime(t0 + 120_040);
      await s.assignment(keys(['t', 0]), true);
      expect(durations()).toEqual([350, 250, 290]);
    });
  });

  it('a join with nothing assigned is still announced, and only a join is', async () => {
    const s = setup();
    await s.assignment(keys(), true);
    expect(s.joined()).toBe(1);
    expect(s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN).map((e) => e.payload)).toEqual([
      expect.objectContaining({ memberId: 'm1', memberAssignment: {} }),
    ]);
    await s.assignment(keys());
    expect(s.events.filter((e) => e.type === ConsumerEvents.GROUP_JOIN)).toHaveLength(1);
  });

  it('revokes before it assigns: buffered messages dropped, in-flight handler finished, commit, then onPartitionsRevoked', async () => {
    const owned = ownedWith([['t', 0], ['t', 1]], (ps) => (ps.ready = true));
    const t0 = partition(owned, 't', 0);
    owned.append(t0, messages([5, 6, 7]));
    const handler = deferred();
    t0.worker = handler.promise.then(() => {
      s.log.push('handler t-0 done');
    });
    const s = setup({ owned });
    s.reconciler.accept(false, keys(['t', 1], ['t', 2]));
    s.reconciler.requestReconcile();
    // Revocation starts at once: nothing more is fetched or processed for t-0.
    expect(t0.gone).toBe(true);
    expect(t0.ready).toBe(false);
    expect(t0.queue).toEqual([]);
    expect(owned.bufferedBytes).toBe(0);
    await settle();
    handler.resolve();
    await s.reconciler.idle();
    expect(s.log).toEqual([
      'handler t-0 done',
      'commit t-0',
      'onPartitionsRevoked t-0',
      'initialize t-2',
      'onPartitionsAssigned t-2',
      'applyPendingSeek t-2',
    ]);
    expect(s.owned.assignment()).toEqual([
      { topic: 't', partition: 1 },
      { topic: 't', partition: 2 },
    ]);
    expect(s.events.find((e) => e.type === ConsumerEvents.REBALANCING)?.payload).toMatchObject({ revoked: [{ topic: 't', partition: 0 }] });
  });

  it('lost partitions are dropped at once without a commit, reported by onPartitionsLost; re-assigned, they wait for the old handler', async () => {
    const owned = ownedWith([['t', 0]], (ps) => (ps.ready = true));
    const t0 = partition(owned, 't', 0);
    owned.append(t0, messages([1, 2]));
    const handler = deferred();
    t0.worker = handler.promise.then(() => {
      s.log.push('old handler done');
    });
    const s = setup({ owned });
    s.reconciler.loseAll();
    expect(owned.assignment()).toEqual([]);
    expect(t0.gone).toBe(true);
    expect(t0.gen).toBe(1); // an in-flight fetch or batch of it is stale
    expect(owned.bufferedBytes).toBe(0);
    await s.reconciler.idle();
    expect(s.log).toEqual(['onPartitionsLost t-0']);
    expect(s.events.find((e) => e.type === ConsumerEvents.REBALANCING)?.payload).toMatchObject({ lost: [{ topic: 't', partition: 0 }] });

    // The member rejoins and gets t-0 back while the old handler still runs.
    s.reconciler.accept(true, keys(['t', 0]));
    s.reconciler.requestReconcile();
    await settle();
    handler.resolve();
    await s.reconciler.idle();
    expect(s.log).toEqual(['onPartitionsLost t-0', 'old handler done', 'initialize t-0', 'onPartitionsAssigned t-0', 'applyPendingSeek t-0']);
    expect(partition(owned, 't', 0)).not.toBe(t0);
  });

  it('an assignment that changes during a revocation is reconciled again', async () => {
    const owned = ownedWith([['t', 0]], (ps) => (ps.ready = true));
    const s = setup({ owned });
    s.listeners.onPartitionsRevoked.push(async () => {
      // A heartbeat answers meanwhile with another target.
      s.reconciler.accept(false, keys(['t', 3]));
      s.reconciler.requestReconcile();
    });
    await s.assignment(keys(['t', 1]));
    await s.reconciler.idle();
    expect(s.owned.assignment()).toEqual([{ topic: 't', partition: 3 }]);
  });

  it('does nothing while the member has no positive epoch or the consumer is stopped', async () => {
    const s = setup();
    s.member.memberEpoch = 0;
    await s.assignment(keys(['t', 0]), true);
    expect(s.owned.assignment()).toEqual([]);
    expect(s.joined()).toBe(0);

    s.member.memberEpoch = 2;
    s.stop();
    await s.assignment(keys(['t', 0]));
    expect(s.owned.assignment()).toEqual([]);
    expect(s.log).toEqual([]);
  });

  it('a failure to position assigned partitions crashes the consumer', async () => {
    const s = setup({
      initialize: async () => {
        throw new Error("no committed offset and autoOffsetReset is 'none'");
      },
    });
    await s.assignment(keys(['t', 0]), true);
    expect(s.crashes.map((e) => e.message)).toEqual(["no committed offset and autoOffsetReset is 'none'"]);
    expect(s.joined()).toBe(0);
  });

  it('a throwing listener is logged; the next listener still runs, with its own copy of the partitions', async () => {
    const s = setup();
    const seen: TopicPartition[][] = [];
    s.listeners.onPartitionsAssigned = [
      async (tps) => {
        tps[0]!.partition = 99;
        throw new Error('app bug');
      },
      async (tps) => {
        seen.push(tps);
      },
    ];
    await s.assignment(keys(['t', 0]), true);
    expect(seen).toEqual([[{ topic: 't', partition: 0 }]]);
    expect(s.crashes).toEqual([]);
    expect(s.owned.assignment()).toEqual([{ topic: 't', partition: 0 }]);
  });
});
