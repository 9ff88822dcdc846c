/** One topic: partitions with offsets and sizes, config, a message browser and a live tail. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, enc, streamEvents, type RecordJson, type RecordPage, type TopicDetail } from '../api.js';
import { ErrorBox, Loading, Stat, Table, usePoll } from '../components.js';
import { fmtBytes, fmtInt, fmtRate } from '../format.js';
import { RecordRows } from '../records.js';

export function TopicPage({ name }: { name: string }) {
  const { data: t, error } = usePoll(() => api.get<TopicDetail>(`/api/topics/${enc(name)}`), 3000, [name]);
  return (
    <section aria-labelledby="topic-title">
      <h1 id="topic-title">
        Topic <span class="name">{name}</span>
      </h1>
      <ErrorBox error={error} />
      {!t ? (
        <Loading what="the topic" />
      ) : (
        <>
          <dl class="stats">
            <Stat label="Partitions" value={t.partitions.length} />
            <Stat label="Records" value={fmtInt(t.partitions.reduce((s, p) => s + p.records, 0))} />
            <Stat label="Size" value={fmtBytes(t.partitions.reduce((s, p) => s + p.sizeBytes, 0))} />
            <Stat label="Produce" value={`${fmtRate(t.rates.produceRecords)} rec/s`} />
            <Stat label="Fetch" value={`${fmtRate(t.rates.fetchRecords)} rec/s`} />
          </dl>
          <Table caption="Partitions" head={['Partition', 'Start offset', 'End offset', 'Records', 'Size']} id="partitions-table">
            {t.partitions.map((p) => (
              <tr>
                <th scope="row" class="num">
                  {p.partition}
                </th>
                <td class="num">{p.startOffset}</td>
                <td class="num">{p.endOffset}</td>
                <td class="num">{fmtInt(p.records)}</td>
                <td class="num">{fmtBytes(p.sizeBytes)}</td>
              </tr>
            ))}
          </Table>
          <details class="panel">
            <summary>Config</summary>
            <Table caption="Effective config" head={['Key', 'Value']}>
              {Object.entries(t.config).map(([k, v]) => (
                <tr>
                  <th scope="row">
                    <code>{k}</code>
                  </th>
                  <td>
                    <code>{String(v)}</code>
                  </td>
                </tr>
              ))}
            </Table>
          </details>
          <Browser topic={name} partitions={t.partitions.length} />
          <Tail topic={name} partitions={t.partitions.length} />
        </>
      )}
    </section>
  );
}

function PartitionSelect({ id, value, count, onChange }: { id: string; value: number; count: number; onChange: (p: number) => void }) {
  return (
    <label for={id}>
      Partition
      <select id={id} value={value} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {Array.from({ length: count }, (_, p) => (
          <option value={p}>{p}</option>
        ))}
      </select>
    </label>
  );
}

/** Reads a page of records from an offset or a time, then pages on. */
function Browser({ topic, partitions }: { topic: string; partitions: number }) {
  const [partition, setPartition] = useState(0);
  const [mode, setMode] = useState<'offset' | 'timestamp'>('offset');
  const [offset, setOffset] = useState('0');
  const [time, setTime] = useState('');
  const [limit, setLimit] = useState(20);
  const [page, setPage] = useState<RecordPage | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const load = async (query: string) => {
    setError(null);
    try {
      setPage(await api.get<RecordPage>(`/api/topics/${enc(topic)}/partitions/${partition}/records?${query}&limit=${limit}`));
    } catch (err) {
      setPage(null);
      setError(err instanceof ApiError && err.status === 416 ? new Error(`${err.message}: pick an offset in that range`) : (err as Error));
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (mode === 'offset') void load(`offset=${encodeURIComponent(offset)}`);
    else void load(`timestamp=${time ? new Date(time).getTime() : 0}`);
  };
  return (
    <section class="panel" aria-labelledby="browser-title">
      <h2 id="browser-title">Messages</h2>
      <form class="toolbar" onSubmit={submit} aria-label="Browse messages">
        <PartitionSelect id="browse-partition" value={partition} count={partitions} onChange={setPartition} />
        <fieldset class="inline">
          <legend>Start at</legend>
          <label class="inline">
            <input type="radio" name="mode" checked={mode === 'offset'} onChange={() => setMode('offset')} /> offset
          </label>
          <label class="inline">
            <input type="radio" name="mode" checked={mode === 'timestamp'} onChange={() => setMode('timestamp')} /> time
          </label>
        </fieldset>
        {mode === 'offset' ? (
          <label>
            Offset
            <input name="offset" inputMode="numeric" pattern="[0-9]+" value={offset} onInput={(e) => setOffset(e.currentTarget.value)} />
          </label>
        ) : (
          <label>
            Time
            <input name="time" type="datetime-local" step="1" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Limit
          <input name="limit" type="number" min={1} max={1000} value={limit} onInput={(e) => setLimit(Number(e.currentTarget.value))} />
        </label>
        <button type="submit" class="primary">
          Show messages
        </button>
      </form>
      <ErrorBox error={error} />
      {page && (
        <>
          <Table caption={`Partition ${partition}: ${page.records.length} records (end offset ${page.endOffset})`} head={['Offset', 'Time', 'Key', 'Value', 'Headers']} id="records-table">
            <RecordRows records={page.records} />
          </Table>
          {BigInt(page.nextOffset) < BigInt(page.endOffset) && (
            <button type="button" onClick={() => void load(`offset=${page.nextOffset}`)}>
              Next page (from offset {page.nextOffset})
            </button>
          )}
        </>
      )}
    </section>
  );
}

const TAIL_KEEP = 200;

/**
 * New records of one partition as they arrive, over the admin API's server-sent events. One
 * partition at a time: each stream holds one of the browser's few connections to the broker.
 */
function Tail({ topic, partitions }: { topic: string; partitions: number }) {
  const [on, setOn] = useState(false);
  /** The broker answered: records produced from now on are followed (before, they may be missed). */
  const [open, setOpen] = useState(false);
  const [partition, setPartition] = useState(0);
  const [records, setRecords] = useState<RecordJson[]>([]);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!on) return;
    const abort = new AbortController();
    setError(null);
    setRecords([]);
    setOpen(false);
    streamEvents(
      `/api/topics/${enc(topic)}/partitions/${partition}/tail`,
      abort.signal,
      (data) => {
        const record = JSON.parse(data) as RecordJson;
        setRecords((rs) => [record, ...rs].slice(0, TAIL_KEEP));
      },
      () => setOpen(true),
    ).catch((err: Error) => setError(err));
    return () => {
      abort.abort();
      setOpen(false);
    };
  }, [on, topic, partition]);
  return (
    <section class="panel" aria-labelledby="tail-title">
      <h2 id="tail-title">Live tail</h2>
      <div class="toolbar">
        <PartitionSelect id="tail-partition" value={partition} count={partitions} onChange={setPartition} />
        <button type="button" aria-pressed={on} onClick={() => setOn(!on)} class={on ? 'primary' : ''}>
          {on ? 'Stop tail' : 'Start tail'}
        </button>
        <span class="muted" aria-live="polite">
          {!on
            ? 'Shows the records produced from now on.'
            : open
              ? `Following partition ${partition}, newest first (the last ${TAIL_KEEP} kept).`
              : `Connecting to partition ${partition}…`}
        </span>
      </div>
      <ErrorBox error={error} />
      {records.length > 0 && (
        <Table caption={`${records.length} records received`} head={['Offset', 'Time', 'Key', 'Value', 'Headers']} id="tail-table">
          <RecordRows records={records} />
        </Table>
      )}
    </section>
  );
}
