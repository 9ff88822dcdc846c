/** Consumer groups: state, members, assignor, total lag. */
import { api, enc, type GroupSummary } from '../api.js';
import { ErrorBox, Link, Loading, Table, usePoll } from '../components.js';
import { fmtInt } from '../format.js';

export function Groups() {
  const { data, error } = usePoll(() => api.get<GroupSummary[]>('/api/groups'), 2000);
  return (
    <section aria-labelledby="groups-title">
      <h1 id="groups-title">Consumer groups</h1>
      <ErrorBox error={error} />
      {!data ? (
        <Loading what="groups" />
      ) : data.length === 0 ? (
        <p class="muted">No groups yet. Start a consumer with a groupId, or open the <Link href="/ui/playground">playground</Link> in two tabs.</p>
      ) : (
        <Table caption={`${data.length} groups`} head={['Group', 'State', 'Members', 'Assignor', 'Total lag']} id="groups-table">
          {data.map((g) => (
            <tr>
              <th scope="row">
                <Link href={`/ui/groups/${enc(g.groupId)}`}>{g.groupId}</Link>
              </th>
              <td>
                <span class={`state state-${g.state.toLowerCase()}`}>{g.state}</span>
              </td>
              <td class="num">{g.members}</td>
              <td>{g.assignor ?? ''}</td>
              <td class="num">{fmtInt(g.totalLag)}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
