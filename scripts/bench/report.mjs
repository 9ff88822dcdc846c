// The suite's Markdown: machine, one table per scenario, and the targets met or missed.
import { fmt, fmtRate } from './lib.mjs';

function row(sections, id, key) {
  return sections[id]?.rows.find((r) => r.key === key) ?? null;
}

function fig(sections, id, key, name) {
  return row(sections, id, key)?.figures[name] ?? null;
}

/**
 * Each target: what, the measured median, the bound, met or not, and by how much. A target whose
 * scenario did not run (a subset) is listed as "not run".
 */
export function evaluateTargets(sections) {
  const out = [];
  const add = (what, s, op, bound, unit, show = (x) => fmt(x, 1)) => {
    const v = s?.median ?? null;
    if (v === null) {
      out.push({ what, target: `${op} ${show(bound)} ${unit}`.trim(), value: null, met: null, margin: 'not run' });
      return;
    }
    const met = op === '>=' ? v >= bound : op === '<=' ? v <= bound : v < bound;
    const ratio = v / bound;
    let margin;
    if (op === '>=') margin = met ? `met: ${fmt((ratio - 1) * 100, 0)}% above` : `missed: ${fmt((1 - ratio) * 100, 0)}% short (${show(bound - v)} ${unit} more needed)`;
    else margin = met ? `met: ${fmt((1 - ratio) * 100, 0)}% under` : `missed: ${fmt((ratio - 1) * 100, 0)}% over (${show(v - bound)} ${unit} too much)`;
    out.push({ what, target: `${op} ${show(bound)} ${unit}`.trim(), value: v, valueText: `${show(v)} ${unit}`.trim(), rangeText: s.min !== undefined && s.max !== undefined ? `${show(s.min)}-${show(s.max)}` : null, met, margin });
  };
  const p100 = fig(sections, 'produce', 'produce/batched/1p/100B/acks-all', 'msgs');
  add('produce 100 B, batched, acks all, 1 producer', p100, '>=', 300_000, 'msg/s', fmtRate);
  const raw = fig(sections, 'raw', 'raw/100B/sync-true', 'msgs');
  const fraction = p100?.median != null && raw?.median ? { median: (p100.median / raw.median) * 100, min: (p100.min / raw.median) * 100, max: (p100.max / raw.median) * 100 } : null;
  add('same, as a fraction of raw ws + LevelDB sync true (100 B)', fraction, '>=', 50, '%', (x) => fmt(x, 0));
  add('produce 1 KiB, batched, acks all, 1 producer', fig(sections, 'produce', 'produce/batched/1p/1024B/acks-all', 'mbs'), '>=', 80, 'MB/s');
  add('group consume, 100 B, 3 members, 6 partitions', fig(sections, 'consume', 'consume/3m/6p/100B', 'msgs'), '>=', 500_000, 'msg/s', fmtRate);
  for (const rate of [1000, 5000]) {
    const r = rate.toLocaleString('en');
    add(`end-to-end p99 at ${r} msg/s, acks all`, fig(sections, 'latency', `latency/${rate}`, 'p99'), '<', 5, 'ms', (x) => fmt(x, 2));
    add(`end-to-end p50 at ${r} msg/s, acks all`, fig(sections, 'latency', `latency/${rate}`, 'p50'), '<', 1, 'ms', (x) => fmt(x, 2));
  }
  // The relaxed flush against Redis Streams' p99 in the same run (its median is the bound).
  for (const rate of [1000, 5000]) {
    const redis = fig(sections, 'latency', `latency/${rate}/redis`, 'p99');
    const relaxed = fig(sections, 'latency', `latency/${rate}/flush.ms=1000`, 'p99');
    add(`end-to-end p99 at ${rate.toLocaleString('en')} msg/s, flush.ms=1000, against Redis Streams (AOF everysec) in the same run`, redis ? relaxed : null, '<=', redis?.median ?? NaN, 'ms', (x) => fmt(x, 2));
  }
  add('rebalance after a join (10 members, 60 partitions), every member at its target', fig(sections, 'rebalance', 'rebalance/10m/60p', 'joinMs'), '<', 200, 'ms', (x) => fmt(x, 0));
  add('rebalance after a leave (10 members, 60 partitions), every member at its target', fig(sections, 'rebalance', 'rebalance/10m/60p', 'leaveMs'), '<', 200, 'ms', (x) => fmt(x, 0));
  add('start-up with 1M records + 100k commit records', fig(sections, 'records', 'records/1M', 'startupMs'), '<', 3000, 'ms', (x) => fmt(x, 0));
  add('broker RSS with 1M records stored, after a restart', fig(sections, 'records', 'records/1M', 'rssAfterRestartMB'), '<', 200, 'MB', (x) => fmt(x, 0));
  add('broker RSS with 1M records stored, after reading them all', fig(sections, 'records', 'records/1M', 'rssAfterReadMB'), '<', 200, 'MB', (x) => fmt(x, 0));
  add('1,000 groups x 5 members heartbeating: broker CPU', fig(sections, 'groups', 'groups/1000x5', 'cpuPct'), '<', 25, '% of a core', (x) => fmt(x, 1));
  add('1,000 members join one group (1,000 partitions): broker CPU until stable', fig(sections, 'biggroup', 'biggroup/1000', 'stormCpuSeconds'), '<', 10, 's');
  add('same: longest event-loop stall in the broker', fig(sections, 'biggroup', 'biggroup/1000', 'stormStallMs'), '<', 50, 'ms', (x) => fmt(x, 0));
  add('one more member joins the 1,000: every member at its target', fig(sections, 'biggroup', 'biggroup/1000', 'oneMoreSettledMs'), '<', 200, 'ms', (x) => fmt(x, 0));
  add('same: longest event-loop stall in the broker', fig(sections, 'biggroup', 'biggroup/1000', 'oneMoreStallMs'), '<', 50, 'ms', (x) => fmt(x, 0));
  return out;
}

export function renderMarkdown(doc, modules) {
  const { machine, runs, sections, targets } = doc;
  const L = [];
  L.push('# Brook benchmark results');
  L.push('');
  L.push(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, Node ${machine.node} (${machine.platform}); ${machine.date}.`);
  if (machine.loadAverageBefore !== undefined) {
    L.push(
      `Load average (1 min) before / after the suite: ${fmt(machine.loadAverageBefore, 2)} / ${fmt(machine.loadAverageAfter, 2)}` +
        ' (other work on a shared machine shows up here; the suite itself keeps about 1-1.5 cores busy).',
    );
  }
  L.push(
    `Each figure is the median of ${runs} run${runs > 1 ? 's' : ''}${runs > 1 ? ' (min-max in brackets)' : ''}; every run starts a fresh broker in a child process on a temp data dir. ` +
      `The suite took ${fmt(doc.elapsedSeconds / 60, 1)} minutes${doc.quick ? ' (--quick: smaller sizes, not comparable with the targets)' : ''}.`,
  );
  L.push('');
  L.push('Where the time goes in the targets missed (profiles, experiments, what to change): [FINDINGS.md](FINDINGS.md).');
  L.push('');
  if (targets.some((t) => t.met !== null)) {
    L.push('## Targets');
    L.push('');
    L.push('| target | bound | measured (min-max) | result |');
    L.push('| --- | --- | --- | --- |');
    for (const t of targets) {
      const measured = t.value === null ? '-' : `${t.valueText}${t.rangeText && runs > 1 ? ` (${t.rangeText})` : ''}`;
      L.push(`| ${t.what} | ${t.target} | ${measured} | ${t.met === null ? 'not run' : t.met ? `**met** (${t.margin.replace(/^met: /, '')})` : `**missed** (${t.margin.replace(/^missed: /, '')})`} |`);
    }
    L.push('');
  }
  const rawRate = (size, sync) => fig(sections, 'raw', `raw/${size}B/sync-${sync}`, 'msgs')?.median ?? null;
  for (const m of modules) {
    const s = sections[m.id];
    if (!s) continue;
    L.push(`## ${s.title}`);
    L.push('');
    if (m.description) {
      L.push(m.description);
      L.push('');
    }
    L.push(m.report(s.rows, { rawRate }));
    const failed = s.rows.filter((r) => r.errors.length > 0);
    if (failed.length > 0) {
      L.push('');
      for (const r of failed) L.push(`- ${r.label}: ${r.errors.length} run(s) failed: ${[...new Set(r.errors)].join('; ')}`);
    }
    L.push('');
  }
  return L.join('\n');
}
