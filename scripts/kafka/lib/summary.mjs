// results/summary.json (every line as data) and results/summary.md (one row per client and
// scenario, one column per target) of a run-clients.mjs run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const cell = (r) => {
  if (!r) return '-';
  if (r.status === 'PASS') return r.ms === undefined ? 'PASS' : `PASS (${(r.ms / 1000).toFixed(1)} s)`;
  return `${r.status}: ${r.detail.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' / ')}`;
};

/** APIs whose served version range differs; `-` where a broker does not serve the API. */
export function diffApiVersions(kafka, brook) {
  if (!kafka || !brook) return [];
  const apis = [...new Set([...Object.keys(kafka), ...Object.keys(brook)])];
  const range = (v) => v ?? '-';
  return apis.filter((a) => range(kafka[a]) !== range(brook[a])).map((api) => ({ api, kafka: range(kafka[api]), brook: range(brook[api]) }));
}

export function writeSummary(dir, results, meta) {
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...meta, results }, null, 2) + '\n');
  const targets = [...new Set(results.map((r) => r.target))];
  const rows = [];
  const seen = new Set();
  // the lanes interleave the lines: rows go by client (in --client order), then as they came
  const rank = (r) => meta.clients?.indexOf(r.client) ?? 0;
  const ordered = results.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
  for (const r of ordered) {
    const id = `${r.client}\u0000${r.scenario.replace(/ at .*/, '')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const same = (t) => results.find((x) => x.target === t && `${x.client}\u0000${x.scenario.replace(/ at .*/, '')}` === id);
    rows.push(`| ${r.client} | ${r.scenario.replace(/ at .*/, '')} | ${targets.map((t) => cell(same(t))).join(' | ')} |`);
  }
  const md = [
    `# Kafka clients against ${targets.join(' and ')}`,
    '',
    `${new Date().toISOString()}, ${meta.seconds.toFixed(0)} s. Written by scripts/kafka/run-clients.mjs.`,
    '',
    `| client | scenario | ${targets.join(' | ')} |`,
    `| --- | --- | ${targets.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
    ...(meta.apiDiffs?.length
      ? ['## ApiVersions where Brook differs from Kafka 4.4', '', '| API (key) | Kafka | Brook |', '| --- | --- | --- |', ...meta.apiDiffs.map((d) => `| ${d.api} | ${d.kafka} | ${d.brook} |`), '']
      : []),
  ].join('\n');
  writeFileSync(join(dir, 'summary.md'), md);
}
