/** One record as the console shows it: key, value and headers as pretty JSON, text or hex. */
import type { RecordJson } from './api.js';
import { show } from './format.js';

function Field({ value, encoding }: { value: string | null; encoding: RecordJson['keyEncoding'] }) {
  const s = show(value, encoding);
  if (s.kind === 'null') return <span class="muted">null</span>;
  return (
    <pre class={`field ${s.kind}`} title={s.kind === 'hex' ? 'not UTF-8: shown as hex' : undefined}>
      {s.text}
    </pre>
  );
}

export function RecordRows({ records, partition }: { records: RecordJson[]; partition?: number }) {
  return (
    <>
      {records.map((r) => (
        <tr key={`${partition ?? ''}-${r.offset}`}>
          {partition !== undefined && <td class="num">{partition}</td>}
          <td class="num">{r.offset}</td>
          <td class="nowrap">{new Date(Number(r.timestamp)).toLocaleString()}</td>
          <td>
            <Field value={r.key} encoding={r.keyEncoding} />
          </td>
          <td>
            <Field value={r.value} encoding={r.valueEncoding} />
          </td>
          <td>
            {Object.keys(r.headers).length === 0 ? (
              <span class="muted">none</span>
            ) : (
              <dl class="headers">
                {Object.entries(r.headers).map(([k, v]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>
                      <Field value={v} encoding={r.headerEncodings?.[k] ?? 'utf8'} />
                    </dd>
                  </>
                ))}
              </dl>
            )}
          </td>
        </tr>
      ))}
    </>
  );
}
