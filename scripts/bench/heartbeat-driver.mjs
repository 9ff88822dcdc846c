// A child process of the groups scenario (scale-groups.mjs): many lightweight consumer group
// members, each on its own WebSocket, built directly on the protocol package's encoders. A member
// joins (ConsumerGroupHeartbeat epoch 0), takes whatever assignment the broker sends as owned at
// once (no fetching, no revocation work), acknowledges it with an immediate heartbeat, answers
// HeartbeatNow pushes, and otherwise heartbeats every heartbeatIntervalMs the broker asks for
// (3 s by default), as the SDK's consumer does. Talks to its parent over IPC:
//   in:  { cmd: 'start', url, topic, groups: [ids], membersPerGroup, joinsPerSecond, reportJoined? }, { cmd: 'stats' }, { cmd: 'stop' }
//   out: { type: 'stats', members, assigned, lastChangeAgoMs, heartbeats, errors, rttP50, rttP99, open },
//        { type: 'joined', joinRttMs, sentAt } (with reportJoined: once every member of that start has
//        its first answer; sentAt is when the last join was sent, in ms since the epoch, comparable
//        across processes of one machine)
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  PushType,
  decodeResponseBody,
  decodeServerFrame,
  encodeRequest,
} from '../../protocol/dist/index.js';

let topic = '';
let lastChange = performance.now();
let heartbeats = 0;
let errors = 0;
const rtts = [];
const members = [];
let stopping = false;

class Member {
  constructor(url, groupId) {
    this.url = url;
    this.groupId = groupId;
    this.memberId = randomUUID();
    this.epoch = 0;
    this.owned = [];
    this.assigned = false;
    this.interval = 3000;
    this.nextCid = 1;
    this.pending = new Map();
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    this.ws = null;
    /** { rttMs, sentAt } of the first (join) heartbeat, once answered. */
    this.joined = new Promise((resolve) => (this.onJoined = resolve));
  }

  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      ws.binaryType = 'nodebuffer';
      this.ws = ws;
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.on('error', () => {});
      ws.on('message', (data) => this.onFrame(data));
      ws.on('close', () => {
        if (!stopping) errors++;
        clearTimeout(this.timer);
      });
    });
  }

  onFrame(buf) {
    const f = decodeServerFrame(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    if (!f.ok) return;
    const v = f.value;
    if (v.kind === 'push') {
      if (v.pushType === PushType.HeartbeatNow) this.heartbeatSoon(0);
      return;
    }
    const p = this.pending.get(v.correlationId);
    if (!p) return;
    this.pending.delete(v.correlationId);
    if (v.errorCode !== 0) {
      p.reject(new Error(`error ${v.errorCode}: ${v.errorMessage}`));
      return;
    }
    const body = decodeResponseBody(p.name, v.body, v.bodyStart);
    if (body.ok) p.resolve(body.value);
    else p.reject(new Error(body.error));
  }

  request(name, body) {
    const cid = this.nextCid++;
    return new Promise((resolve, reject) => {
      this.pending.set(cid, { name, resolve, reject });
      this.ws.send(encodeRequest(name, cid, body));
    });
  }

  async handshake() {
    await this.request('Handshake', {
      clientId: 'bench-heartbeat',
      clientSoftware: 'brook-bench-heartbeat 0.1.0',
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      username: null,
      password: null,
    });
  }

  heartbeatSoon(ms) {
    if (stopping) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.heartbeat(), ms);
  }

  async heartbeat() {
    if (stopping) return;
    this.inFlight = true;
    const joining = this.epoch === 0;
    const t0 = performance.now();
    let next = this.interval;
    try {
      const r = await this.request('ConsumerGroupHeartbeat', {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.epoch,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: joining ? 60_000 : -1,
        sessionTimeoutMs: joining ? 45_000 : -1,
        subscribedTopicNames: joining ? [topic] : null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: this.owned,
      });
      heartbeats++;
      if (rtts.length < 200_000) rtts.push(performance.now() - t0);
      if (joining) this.onJoined({ rttMs: performance.now() - t0, sentAt: performance.timeOrigin + t0 });
      if (r.errorCode === ErrorCode.FENCED_MEMBER_EPOCH || r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        errors++;
        this.epoch = 0;
        this.owned = [];
        this.assigned = false;
        lastChange = performance.now();
        next = 0;
      } else if (r.errorCode !== 0) {
        errors++;
      } else {
        if (r.heartbeatIntervalMs > 0) this.interval = r.heartbeatIntervalMs;
        if (r.memberEpoch !== this.epoch) {
          this.epoch = r.memberEpoch;
          lastChange = performance.now();
        }
        if (r.assignment !== null) {
          const owned = r.assignment.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions].sort((a, b) => a - b) }));
          if (JSON.stringify(owned) !== JSON.stringify(this.owned)) {
            this.owned = owned;
            this.assigned = owned.some((tp) => tp.partitions.length > 0);
            lastChange = performance.now();
            next = 0; // acknowledge the new assignment at once, as the SDK does after reconciling
          }
        }
      }
    } catch {
      errors++;
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      next = 0;
    }
    this.heartbeatSoon(next);
  }
}

function quantile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function start({ url, groups, membersPerGroup, joinsPerSecond, reportJoined }) {
  const gap = 1000 / joinsPerSecond;
  const t0 = performance.now();
  let n = 0;
  const mine = [];
  for (const g of groups) {
    for (let i = 0; i < membersPerGroup; i++) {
      if (stopping) return;
      const m = new Member(url, g);
      members.push(m);
      mine.push(m);
      await m.open();
      await m.handshake();
      m.heartbeatSoon(0);
      n++;
      const due = t0 + n * gap;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  if (reportJoined) {
    const joins = await Promise.all(mine.map((m) => m.joined));
    process.send({ type: 'joined', joinRttMs: Math.max(...joins.map((j) => j.rttMs)), sentAt: Math.max(...joins.map((j) => j.sentAt)) });
  }
}

process.on('message', (msg) => {
  if (msg.cmd === 'start') {
    topic = msg.topic;
    start(msg).catch((e) => {
      process.send({ type: 'error', message: e.message });
    });
  } else if (msg.cmd === 'stats') {
    const sorted = [...rtts].sort((a, b) => a - b);
    rtts.length = 0;
    process.send({
      type: 'stats',
      members: members.length,
      assigned: members.filter((m) => m.assigned).length,
      open: members.filter((m) => m.ws?.readyState === WebSocket.OPEN).length,
      lastChangeAgoMs: performance.now() - lastChange,
      heartbeats,
      errors,
      rttP50: quantile(sorted, 0.5),
      rttP99: quantile(sorted, 0.99),
    });
  } else if (msg.cmd === 'stop') {
    stopping = true;
    for (const m of members) {
      clearTimeout(m.timer);
      m.ws?.terminate();
    }
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
