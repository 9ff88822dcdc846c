// The "Side by side with Apache Kafka" section of scripts/bench/RESULTS.md, from a bench:kafka run.
// Issue 18's targets, as ratios in the same run: records/s >= 1.5x Kafka with flush.messages=1 and
// >= 1.0x Kafka with its default flush; end-to-end p99 <= Kafka's.

export const BEGIN = '<!-- bench:kafka begin (written by `npm run bench:kafka`; `npm run bench` keeps it) -->';
export const END = '<!-- bench:kafka end -->';

/** The ratios shown: which Brook column against which Kafka column, and the records/s ratio that meets the target. */
const PAIRS = [
  { brook: 'brook', kafka: 'kafka-flush1', need: 1.5 },
  { brook: 'brook', kafka: 'kafka-default', need: 1.0 },
  // like for like: both visible once written, fsynced later
  { brook: 'brook-relaxed', kafka: 'kafka-default', need: 1.0 },
];

function fmtNum(x) {
  if (!Number.isFinite(x)) return '-';
  if (x >= 10_000) return `${Math.round(x / 1000)}k`;
  if (x >= 100) return String(Math.round(x));
  return x.toFixed(x >= 10 ? 1 : 2);
}

function cellText(cell, r) {
  if (!r) return '-';
  const m = r.median;
  if (!m || m.error) return `failed: ${String(m?.error ?? '?').slice(0, 80).replace(/\|/g, '/')}`;
  const spread = r.runs.length > 1 && Number.isFinite(m.min) ? ` (${fmtNum(m.min)}-${fmtNum(m.max)})` : '';
  if (cell.metric === 'p99') return `${fmtNum(m.p99)} (${fmtNum(m.p50)})${spread}`;
  return `${fmtNum(m[cell.metric])}${spread}`;
}

/** Brook's figure against one Kafka column: the ratio (as Brook's advantage) and whether the target holds. */
function versus(cell, brook, kafka, need) {
  const b = brook?.median?.[cell.metric];
  const k = kafka?.median?.[cell.metric];
  if (!Number.isFinite(b) || !Number.isFinite(k) || b <= 0 || k <= 0) return '-';
  if (cell.better === 'higher') {
    const ratio = b / k;
    return `${ratio.toFixed(2)}x ${ratio >= need ? 'met' : '**missed**'}`;
  }
  const ratio = k / b; // how many times lower Brook's latency is
  return `${ratio.toFixed(2)}x ${b <= k ? 'met' : '**missed**'}`;
}

export function renderKafkaSection(doc) {
  const t = doc.targets;
  const cols = Object.keys(t);
  const pairs = PAIRS.filter((q) => cols.includes(q.brook) && cols.includes(q.kafka));
  const lines = [
    BEGIN,
    '## Side by side with Apache Kafka (`npm run bench:kafka`)',
    '',
    `${doc.date}, Apache Kafka ${doc.kafkaVersion} from Maven Central (KRaft, one node, 1 GiB heap as kafka-server-start.sh, Kafka's defaults otherwise), ` +
      `${doc.machine.cpu}, ${doc.machine.cores} cores, Node ${doc.machine.node}. Load average (1 min) ${doc.loadAverageBefore.toFixed(2)} before, ${doc.loadAverageAfter.toFixed(2)} after; ` +
      `${doc.minutes} minutes; ${doc.opts.runs} run${doc.opts.runs > 1 ? 's (median, min-max)' : ''} per cell${doc.opts.quick ? '; **--quick** (a tenth of the records: a smoke run, not figures)' : ''}.`,
    '',
    'The targets run one after the other on fresh data dirs: **Brook** (its defaults: a record is acknowledged with acks all and visible only after its fsync), ' +
      '**Brook with `flush.ms=1000`** on every topic (Kafka\'s trade: visible and acknowledged once written, fsynced within a second; the like-for-like comparison with Kafka\'s default flush), ' +
      '**Kafka with `log.flush.interval.messages=1`** (an fsync per append: the fair comparison) and **Kafka with its default flush** (the page cache: what people quote). ' +
      'Clients and brokers share the same 2 cores. Throughput in records/s; latency as p99 (p50) in ms. ' +
      'Ratios are Brook\'s advantage (records/s: Brook ÷ Kafka; latency: Kafka ÷ Brook); the targets: records/s ≥ 1.5x Kafka flush.messages=1 and ≥ 1.0x Kafka default, p99 ≤ Kafka\'s.',
    '',
    `| measurement | ${cols.map((c) => t[c]).join(' | ')}${pairs.map((q) => ` | ${t[q.brook]} vs ${t[q.kafka]}`).join('')} |`,
    `| --- | ${cols.map(() => '---').join(' | ')}${pairs.map(() => ' | ---').join('')} |`,
  ];
  for (const cell of doc.cells) {
    const r = doc.results[cell.id] ?? {};
    if (Object.keys(r).length === 0) continue;
    const row = [cell.label, ...cols.map((c) => cellText(cell, r[c]))];
    for (const q of pairs) row.push(r[q.brook] && r[q.kafka] ? versus(cell, r[q.brook], r[q.kafka], q.need) : '-');
    lines.push(`| ${row.join(' | ')} |`);
  }
  const usage = cols.filter((c) => doc.usage[c]).map((c) => `${t[c]}: peak RSS ${doc.usage[c].peakRssMB} MB, ${doc.usage[c].cpuSeconds} CPU s`);
  if (usage.length) lines.push('', `Broker processes over the whole run: ${usage.join('; ')}.`);
  lines.push(...brokerCpuTable(doc, cols));
  lines.push(
    '',
    'How each row runs: `scripts/bench/kafka/cells.mjs`. ProducerPerformance: `linger.ms=5 batch.size=65536` (and `compression.type` in the lz4 and zstd rows), the Java producer\'s defaults otherwise (idempotent with acks all). ' +
      'ConsumerPerformance: `fetch.nMsg.sec` (the group join left out); the group of 3 (`GroupConsume.java`) counts from its first record to its last. ' +
      'Paced runs (`PacedLatency.java`, `node-client.mjs`): one record per send at a fixed rate, one consumer; latency from `send()` to the consumer\'s poll, the first second not counted.',
    END,
  );
  return lines.join('\n');
}

/**
 * The broker's CPU seconds per cell and target (of the run shown): on two shared cores, what one
 * broker spends is taken from the client beside it, so this explains many ratios above.
 */
function brokerCpuTable(doc, cols) {
  const t = doc.targets;
  const rows = [];
  for (const cell of doc.cells) {
    const r = doc.results[cell.id] ?? {};
    const cpu = cols.map((c) => r[c]?.median?.brokerCpuSeconds);
    if (cpu.every((x) => !Number.isFinite(x))) continue;
    rows.push(`| ${cell.label} | ${cpu.map((x) => (Number.isFinite(x) ? x.toFixed(2) : '-')).join(' | ')} |`);
  }
  if (rows.length === 0) return [];
  return [
    '',
    "The broker's CPU seconds (user + system, from /proc) over each cell of the run shown above, until the broker was idle again (under 5% of a core for a second): " +
      'each cell starts on an idle broker, and the background work a cell leaves (LevelDB compacting what a produce cell wrote) counts to that cell. A consume cell that filled its own topic counts that too.',
    '',
    `| measurement | ${cols.map((c) => t[c]).join(' | ')} |`,
    `| --- | ${cols.map(() => '---').join(' | ')} |`,
    ...rows,
  ];
}

/** RESULTS.md with its Kafka section replaced (or appended). */
export function spliceSection(markdown, section) {
  const at = sectionBounds(markdown);
  if (at) return markdown.slice(0, at.start) + section + markdown.slice(at.end);
  return `${markdown.trimEnd()}\n\n${section}\n`;
}

/** The Kafka section of an existing RESULTS.md (for `npm run bench` to keep when it rewrites the file), or ''. */
export function kafkaSectionOf(markdown) {
  const at = sectionBounds(markdown);
  return at ? markdown.slice(at.start, at.end) : '';
}

/** Where the section is, its markers included; null if it is not there. */
function sectionBounds(markdown) {
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  return start >= 0 && end > start ? { start, end: end + END.length } : null;
}
