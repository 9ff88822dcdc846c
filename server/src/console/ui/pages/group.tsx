/** One group: members and assignments, per-partition lag with a chart, reset and delete offsets, delete the group. */
import { useRef, useState } from 'preact/hooks';
import { api, enc, type GroupDetail, type ResetResult } from '../api.js';
import { ConfirmButton, ErrorBox, Loading, Stat, Table, navigate, usePoll } from '../components.js';
import { fmtInt } from '../format.js';
import { LagChart, recordLag, type LagPoint } from '../lagChart.js';

export function GroupPage({ groupId, admin }: { groupId: string; admin: boolean }) {
  const history = useRef<LagPoint[]>([]);
  const { data: g, error, reload } = usePoll(
    async () => {
      const g = await api.get<GroupDetail>(`/api/groups/${enc(groupId)}`);
      const byTopic: Record<string, number> = {};
      for (const o of g.offsets) byTopic[o.topic] = (byTopic[o.topic] ?? 0) + Number(o.lag ?? 0);
      history.current = recordLag(groupId, { at: Date.now(), byTopic });
      return g;
    },
    2000,
    [groupId],
  );
  const topics = [...new Set(g?.offsets.map((o) => o.topic) ?? [])];
  return (
    <section aria-labelledby="group-title">
      <h1 id="group-title">
        Group <span class="name">{groupId}</span>
      </h1>
      <ErrorBox error={error} />
      {!g ? (
        <Loading what="the group" />
      ) : (
        <>
          <dl class="stats">
            <Stat label="State" value={<span data-testid="group-state">{g.state}</span>} />
            <Stat label="Members" value={g.memberCount} />
            <Stat label="Epoch" value={g.epoch} />
            <Stat label="Assignor" value={g.assignor} />
            <Stat label="Total lag" value={<span data-testid="total-lag">{fmtInt(g.totalLag)}</span>} />
          </dl>
          <Table caption="Members" head={['Client id', 'Host', 'Instance id', 'Epoch', 'State', 'Assigned partitions']} id="members-table">
            {g.members.map((m) => (
              <tr>
                <th scope="row" title={m.memberId}>
                  {m.clientId}
                </th>
                <td>{m.host}</td>
                <td>{m.instanceId ?? <span class="muted">none</span>}</td>
                <td class="num">{m.memberEpoch}</td>
                <td>{m.state}</td>
                <td>{m.assignment.length === 0 ? <span class="muted">idle</span> : m.assignment.map((a) => `${a.topic}: ${a.partitions.join(', ')}`).join('; ')}</td>
              </tr>
            ))}
          </Table>
          <h2>Lag</h2>
          <LagChart history={history.current} />
          <Table caption="Offsets and lag per partition" head={['Topic', 'Partition', 'Committed', 'End', 'Lag', 'Owner']} id="offsets-table">
            {g.offsets.map((o) => (
              <tr>
                <th scope="row">{o.topic}</th>
                <td class="num">{o.partition}</td>
                <td class="num">{o.committedOffset ?? <span class="muted">none</span>}</td>
                <td class="num">{o.endOffset}</td>
                <td class="num">{o.lag ?? <span class="muted">–</span>}</td>
                <td>{o.clientId ?? <span class="muted">unassigned</span>}</td>
              </tr>
            ))}
          </Table>
          {admin && (
            <>
              <ResetOffsets group={g} topics={topics} onDone={reload} />
              <section class="panel" aria-labelledby="danger-title">
                <h2 id="danger-title">Delete</h2>
                {g.memberCount > 0 && <p class="muted">Offsets of topics the members subscribe to, and the group itself, can be deleted once its members have stopped.</p>}
                <div class="toolbar">
                  {topics.map((t) => (
                    <ConfirmButton
                      label={`Delete offsets of ${t}`}
                      title={`Delete ${groupId}'s offsets for ${t}?`}
                      body={<p>The group starts {t} over from its auto.offset.reset position next time.</p>}
                      confirmLabel="Delete offsets"
                      onConfirm={async () => {
                        await api.delete(`/api/groups/${enc(groupId)}/offsets?topic=${enc(t)}`);
                        reload();
                      }}
                    />
                  ))}
                  <ConfirmButton
                    label="Delete group"
                    title={`Delete group ${groupId}?`}
                    body={<p>Its committed offsets are deleted with it.</p>}
                    confirmLabel="Delete group"
                    disabled={g.memberCount > 0}
                    onConfirm={async () => {
                      await api.delete(`/api/groups/${enc(groupId)}`);
                      navigate('/ui/groups');
                    }}
                  />
                </div>
              </section>
            </>
          )}
        </>
      )}
    </section>
  );
}

type Target = 'earliest' | 'latest' | 'timestamp' | 'shift' | 'offset';

function ResetOffsets({ group, topics, onDone }: { group: GroupDetail; topics: string[]; onDone: () => void }) {
  const [topic, setTopic] = useState(topics[0] ?? '');
  const [target, setTarget] = useState<Target>('earliest');
  const [time, setTime] = useState('');
  const [shift, setShift] = useState('-1');
  const [offset, setOffset] = useState('0');
  const [preview, setPreview] = useState<ResetResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState('');
  const hasMembers = group.memberCount > 0;

  const body = (dryRun: boolean) => {
    const to =
      target === 'timestamp' ? { timestamp: time ? new Date(time).getTime() : 0 } : target === 'shift' ? { shiftBy: shift } : target === 'offset' ? { offset } : target;
    return { topic, to, dryRun };
  };
  const run = async (dryRun: boolean) => {
    setError(null);
    setDone('');
    try {
      const r = await api.post<ResetResult>(`/api/groups/${enc(group.groupId)}/offsets/reset`, body(dryRun));
      if (dryRun) setPreview(r);
      else {
        setPreview(null);
        setDone(`Reset ${r.offsets.length} partitions of ${topic}.`);
        onDone();
      }
    } catch (err) {
      setError(err as Error);
    }
  };
  const change = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPreview(null); // a preview is only good for the choice it was made for
  };

  return (
    <section class="panel" aria-labelledby="reset-title">
      <h2 id="reset-title">Reset offsets</h2>
      {hasMembers && (
        <p class="warn" role="note">
          The group has {group.memberCount} active member{group.memberCount > 1 ? 's' : ''}: offsets can be reset only while it has none (stop its consumers first).
        </p>
      )}
      <form
        class="form-grid"
        aria-label="Reset offsets"
        onSubmit={(e) => {
          e.preventDefault();
          void run(true);
        }}
      >
        <label>
          Topic
          <select name="topic" value={topic} onChange={(e) => change(setTopic)(e.currentTarget.value)}>
            {topics.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          To
          <select name="target" value={target} onChange={(e) => change(setTarget)(e.currentTarget.value as Target)}>
            <option value="earliest">earliest</option>
            <option value="latest">latest</option>
            <option value="timestamp">a time</option>
            <option value="shift">shift by</option>
            <option value="offset">an offset</option>
          </select>
        </label>
        {target === 'timestamp' && (
          <label>
            Time
            <input name="time" type="datetime-local" step="1" required value={time} onInput={(e) => change(setTime)(e.currentTarget.value)} />
          </label>
        )}
        {target === 'shift' && (
          <label>
            Shift by (negative: back)
            <input name="shift" inputMode="numeric" pattern="-?[0-9]+" required value={shift} onInput={(e) => change(setShift)(e.currentTarget.value)} />
          </label>
        )}
        {target === 'offset' && (
          <label>
            Offset
            <input name="offset" inputMode="numeric" pattern="[0-9]+" required value={offset} onInput={(e) => change(setOffset)(e.currentTarget.value)} />
          </label>
        )}
        <div class="actions wide">
          <button type="submit" disabled={!topic}>
            Preview
          </button>
          <button type="button" class="primary" disabled={!preview || hasMembers} onClick={() => void run(false)}>
            Apply reset
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {done && (
        <p class="ok" role="status">
          {done}
        </p>
      )}
      {preview && (
        <Table caption={`Preview: ${topic}, nothing changed yet`} head={['Partition', 'Committed now', 'After the reset']} id="reset-preview">
          {preview.offsets.map((o) => (
            <tr>
              <th scope="row" class="num">
                {o.partition}
              </th>
              <td class="num">{o.previousOffset ?? <span class="muted">none</span>}</td>
              <td class="num">{o.newOffset}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
