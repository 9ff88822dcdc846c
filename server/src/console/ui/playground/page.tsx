/**
 * The playground: this browser tab is a real consumer-group member, running the SDK's browser
 * build over the broker's WebSocket. Open it in two tabs: they split the topic's partitions, and
 * closing one hands its partitions to the other. A producer form sends records to watch arrive.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Brook, logLevel, type Consumer, type Producer, type TopicPartition } from '@brook/client';
import { api, enc, savedCredentials, type GroupDetail } from '../api.js';
import { ErrorBox, Table, usePoll } from '../components.js';

const DEFAULT_TOPIC = 'playground';
const DEFAULT_GROUP = 'playground';
const PARTITIONS = 6;
const KEEP = 100;
const text = new TextDecoder();

interface Processed {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

interface Member {
  consumer: Consumer;
  producer: Producer;
  clientId: string;
}

const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

export function Playground() {
  const [topic, setTopic] = useState(DEFAULT_TOPIC);
  const [groupId, setGroupId] = useState(DEFAULT_GROUP);
  const [status, setStatus] = useState<'idle' | 'joining' | 'member' | 'leaving'>('idle');
  const [clientId] = useState(() => `tab-${Math.random().toString(36).slice(2, 6)}`);
  const [assigned, setAssigned] = useState<number[]>([]);
  const [processed, setProcessed] = useState<Processed[]>([]);
  const [counts, setCounts] = useState<Record<number, number>>({});
  const [error, setError] = useState<Error | null>(null);
  const member = useRef<Member | null>(null);

  const update = (f: (prev: Set<number>) => void) =>
    setAssigned((prev) => {
      const s = new Set(prev);
      f(s);
      return [...s].sort((a, b) => a - b);
    });
  const mine = (tps: TopicPartition[]) => tps.filter((tp) => tp.topic === topic).map((tp) => tp.partition);

  const join = async () => {
    setError(null);
    setStatus('joining');
    const c = savedCredentials();
    const brook = new Brook({ url: wsUrl(), clientId, logLevel: logLevel.WARN, ...(c ? { sasl: { mechanism: 'plain' as const, username: c.name, password: c.secret } } : {}) });
    try {
      const admin = brook.admin();
      await admin.connect();
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
      await admin.disconnect();
      const producer = brook.producer();
      await producer.connect();
      const consumer = brook.consumer({
        groupId,
        // A closed tab that could not say goodbye is expelled after this long.
        sessionTimeout: 6_000, // the broker's smallest
        heartbeatInterval: 1_000,
        onPartitionsAssigned: (tps) => update((s) => mine(tps).forEach((p) => s.add(p))),
        onPartitionsRevoked: (tps) => update((s) => mine(tps).forEach((p) => s.delete(p))),
        onPartitionsLost: (tps) => update((s) => mine(tps).forEach((p) => s.delete(p))),
      });
      consumer.on('consumer.crash', (e) => setError(new Error(String((e.payload as { error?: Error }).error?.message ?? 'the consumer crashed'))));
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const rec = { partition, offset: message.offset, key: message.key ? text.decode(message.key) : null, value: message.value ? text.decode(message.value) : '' };
          setProcessed((ps) => [rec, ...ps].slice(0, KEEP));
          setCounts((cs) => ({ ...cs, [partition]: (cs[partition] ?? 0) + 1 }));
        },
      });
      member.current = { consumer, producer, clientId };
      setStatus('member');
    } catch (err) {
      setError(err as Error);
      setStatus('idle');
    }
  };

  const leave = async () => {
    const m = member.current;
    member.current = null;
    if (!m) return;
    setStatus('leaving');
    await Promise.allSettled([m.consumer.disconnect(), m.producer.disconnect()]);
    setAssigned([]);
    setStatus('idle');
  };

  // Leave the group when the tab closes or navigates away: the partitions move at once.
  useEffect(() => {
    const bye = () => void leave();
    addEventListener('pagehide', bye);
    return () => {
      removeEventListener('pagehide', bye);
      void leave();
    };
  }, []);

  return (
    <section aria-labelledby="playground-title">
      <h1 id="playground-title">Playground: a consumer group of browser tabs</h1>
      <p class="muted">
        This tab runs the Brook SDK (its browser build) and joins a consumer group over the broker's WebSocket. Open this page in a second tab and join there too: the two split the topic's
        partitions. Close one and the other takes its partitions over.
      </p>
      <form
        class="toolbar"
        aria-label="Group settings"
        onSubmit={(e) => {
          e.preventDefault();
          void (status === 'member' ? leave() : join());
        }}
      >
        <label>
          Topic
          <input name="topic" value={topic} disabled={status !== 'idle'} onInput={(e) => setTopic(e.currentTarget.value)} required />
        </label>
        <label>
          Group
          <input name="group" value={groupId} disabled={status !== 'idle'} onInput={(e) => setGroupId(e.currentTarget.value)} required />
        </label>
        <button type="submit" class={status === 'member' ? '' : 'primary'} disabled={status === 'joining' || status === 'leaving'}>
          {status === 'member' ? 'Leave group' : status === 'joining' ? 'Joining…' : 'Join group'}
        </button>
      </form>
      <ErrorBox error={error} />
      <div class="tabs-grid">
        <section class="panel" aria-labelledby="this-tab">
          <h2 id="this-tab">
            This tab: <span class="name">{clientId}</span>
          </h2>
          <p aria-live="polite" data-testid="member-status">
            {status === 'member' ? (assigned.length ? `Consuming ${assigned.length} of the partitions of ${topic}:` : 'A member with no partition (yet): waiting for the assignment.') : 'Not in the group.'}
          </p>
          <ul class="partition-chips" aria-label="Assigned partitions" data-testid="assigned">
            {assigned.map((p) => (
              <li data-partition={p}>
                p{p}
                {counts[p] ? ` · ${counts[p]}` : ''}
              </li>
            ))}
          </ul>
          <h3>Processed records (newest first)</h3>
          {processed.length === 0 ? (
            <p class="muted">None yet.</p>
          ) : (
            <ol class="log" aria-label="Processed records" data-testid="processed">
              {processed.map((r) => (
                <li>
                  p{r.partition}@{r.offset} {r.key !== null ? `${r.key} → ` : ''}
                  {r.value}
                </li>
              ))}
            </ol>
          )}
        </section>
        <ProducerForm topic={topic} producer={status === 'member' ? (member.current?.producer ?? null) : null} />
      </div>
      <GroupMembers groupId={groupId} me={clientId} />
    </section>
  );
}

function ProducerForm({ topic, producer }: { topic: string; producer: Producer | null }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('hello from a browser');
  const [count, setCount] = useState(10);
  const [result, setResult] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!producer) return;
    setError(null);
    try {
      // Without a key of its own, each record gets one: keyed records spread over the partitions (murmur2), so every tab gets some.
      const messages = Array.from({ length: count }, (_, i) => ({ key: key || `record-${i + 1}`, value: count > 1 ? `${value} #${i + 1}` : value }));
      const meta = await producer.send({ topic, messages });
      setResult(`Sent ${count} record${count > 1 ? 's' : ''} to partition${meta.length > 1 ? 's' : ''} ${[...new Set(meta.map((m) => m.partition))].join(', ')}.`);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section class="panel" aria-labelledby="produce-title">
      <h2 id="produce-title">Produce</h2>
      <form onSubmit={send} class="form-grid" aria-label="Produce records">
        <label>
          Key (same key, same partition; empty: one per record)
          <input name="key" value={key} onInput={(e) => setKey(e.currentTarget.value)} autocomplete="off" />
        </label>
        <label>
          Value
          <input name="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
        </label>
        <label>
          Records
          <input name="count" type="number" min={1} max={1000} value={count} onInput={(e) => setCount(Number(e.currentTarget.value))} />
        </label>
        <div class="actions wide">
          <button type="submit" class="primary" disabled={!producer}>
            Send
          </button>
        </div>
      </form>
      {!producer && <p class="muted small">Join the group first: the form sends with this tab's producer.</p>}
      <ErrorBox error={error} />
      {result && (
        <p class="ok" role="status">
          {result}
        </p>
      )}
    </section>
  );
}

/** The whole group as the broker sees it: which tab owns which partitions. */
function GroupMembers({ groupId, me }: { groupId: string; me: string }) {
  const { data } = usePoll(() => api.get<GroupDetail>(`/api/groups/${enc(groupId)}`).catch(() => null), 1500, [groupId]);
  if (!data || data.members.length === 0) return null;
  return (
    <Table caption={`Group ${groupId}: ${data.members.length} members, state ${data.state}`} head={['Member', 'Assigned partitions']} id="playground-members">
      {data.members.map((m) => (
        <tr>
          <th scope="row">
            {m.clientId}
            {m.clientId === me && <span class="badge">this tab</span>}
          </th>
          <td>{m.assignment.flatMap((a) => a.partitions).join(', ') || <span class="muted">idle</span>}</td>
        </tr>
      ))}
    </Table>
  );
}
