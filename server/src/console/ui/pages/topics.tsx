/** Topics: the list with sizes and rates, create (partitions, configs), delete with a confirmation. */
import { useState } from 'preact/hooks';
import { api, enc, type TopicSummary } from '../api.js';
import { ConfirmButton, ErrorBox, Link, Loading, Table, usePoll } from '../components.js';
import { fmtBytes, fmtInt, fmtRate } from '../format.js';

export function Topics({ admin }: { admin: boolean }) {
  const { data, error, reload } = usePoll(() => api.get<TopicSummary[]>('/api/topics'), 3000);
  const [showInternal, setShowInternal] = useState(false);
  const topics = (data ?? []).filter((t) => showInternal || !t.internal);
  return (
    <section aria-labelledby="topics-title">
      <h1 id="topics-title">Topics</h1>
      {admin && <CreateTopic onCreated={reload} />}
      <ErrorBox error={error} />
      <label class="inline">
        <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.currentTarget.checked)} /> Show internal topics
      </label>
      {!data ? (
        <Loading what="topics" />
      ) : (
        <Table caption={`${topics.length} topics`} head={['Name', 'Partitions', 'Records', 'Size', 'Produce rec/s', 'Fetch rec/s', '']} id="topics-table">
          {topics.map((t) => (
            <tr>
              <th scope="row">
                <Link href={`/ui/topics/${enc(t.name)}`}>{t.name}</Link>
                {t.internal && <span class="badge">internal</span>}
              </th>
              <td class="num">{fmtInt(t.partitions)}</td>
              <td class="num">{fmtInt(t.records)}</td>
              <td class="num">{fmtBytes(t.sizeBytes)}</td>
              <td class="num">{fmtRate(t.rates.produceRecords)}</td>
              <td class="num">{fmtRate(t.rates.fetchRecords)}</td>
              <td>
                {admin && !t.internal && (
                  <ConfirmButton
                    label={`Delete ${t.name}`}
                    title={`Delete topic ${t.name}?`}
                    body={<p>All {fmtInt(t.records)} records of its {t.partitions} partitions and the groups' offsets for it are deleted. This cannot be undone.</p>}
                    confirmLabel="Delete topic"
                    onConfirm={async () => {
                      await api.delete(`/api/topics/${enc(t.name)}`);
                      reload();
                    }}
                  />
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

/** `key=value` lines, as kafka-topics.sh --config takes them. */
function parseConfigs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\n|,/)) {
    const l = line.trim();
    if (!l) continue;
    const i = l.indexOf('=');
    if (i <= 0) throw new Error(`"${l}" is not key=value`);
    out[l.slice(0, i).trim()] = l.slice(i + 1).trim();
  }
  return out;
}

function CreateTopic({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState(3);
  const [configs, setConfigs] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone('');
    try {
      const config = parseConfigs(configs);
      await api.post('/api/topics', { name, partitions, ...(Object.keys(config).length ? { config } : {}) });
      setDone(`Created ${name} with ${partitions} partitions.`);
      setName('');
      setConfigs('');
      onCreated();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <details class="panel">
      <summary>Create a topic</summary>
      <form onSubmit={submit} class="form-grid">
        <label>
          Name
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} pattern="[a-zA-Z0-9._\-]{1,249}" autocomplete="off" />
        </label>
        <label>
          Partitions
          <input name="partitions" type="number" min={1} required value={partitions} onInput={(e) => setPartitions(Number(e.currentTarget.value))} />
        </label>
        <label class="wide">
          Configs (one <code>key=value</code> per line, e.g. <code>retention.ms=86400000</code>, <code>cleanup.policy=compact</code>)
          <textarea name="configs" rows={3} value={configs} onInput={(e) => setConfigs(e.currentTarget.value)} />
        </label>
        <div class="actions wide">
          <button type="submit" class="primary">
            Create topic
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
    </details>
  );
}
