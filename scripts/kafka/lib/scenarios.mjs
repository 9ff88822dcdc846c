// The scenarios each client runs against a target, in two phases: before the broker restart and
// after it. A client's `features` say which of the optional scenarios it can do at all.
import {
  checkCommittedAtEnd,
  checkExactlyOnce,
  checkKeyedPartitions,
  checkTwoMembers,
  keyPerPartition,
  keys,
} from './checks.mjs';

export const PARTITIONS = 6;
const KEYED = 60;
const GROUP = 60;
const RESUME = 30;
const PERF_RECORDS = 20_000;

function topics(client) {
  const t = (s) => `kc-${client}-${s}`;
  return { keyed: t('keyed'), group: t('group'), group2: t('group2'), perf: t('perf'), txn: t('txn'), compressed: t('compressed') };
}

/** `list`: also check the topic shows in the client's topic listing (where that is a separate call). */
async function createTopic(c, topic, { list = false } = {}) {
  const r = await c.step('create-topic', { topic, partitions: PARTITIONS, list });
  if (r.partitions !== PARTITIONS) throw new Error(`topic ${topic} has ${r.partitions} partitions after create, want ${PARTITIONS}`);
  return r;
}

function checkGroupRun(r, expected, { twoMembers }) {
  if (twoMembers) checkTwoMembers(r.members, PARTITIONS);
  const records = r.members.flatMap((m) => m.records);
  checkExactlyOnce(records, expected, 'consumed');
  checkKeyedPartitions(records, PARTITIONS);
  checkCommittedAtEnd(r.committed, r.end);
  const split = twoMembers ? `members held [${r.members.map((m) => m.assigned.length).join('+')}] partitions` : `members read [${r.members.map((m) => m.records.length).join('+')}]`;
  return `${split}, ${records.length} records once, committed = end`;
}

/** The groups a client runs: one per group protocol it speaks (Java: classic and consumer). */
function groupsOf(c) {
  return (c.features.groupProtocols ?? ['default']).map((protocol, i) => ({
    protocol,
    group: `kc-${c.name}-${protocol}`,
    topic: i === 0 ? topics(c.name).group : topics(c.name).group2,
    suffix: protocol === 'default' ? '' : ` (group.protocol=${protocol})`,
  }));
}

/**
 * Phase A: everything up to the restart. Each entry: { name, run(): detail string }.
 * `observe(what, value)` keeps answers to compare between the targets afterwards.
 */
export function beforeRestart(c, observe = () => {}) {
  const t = topics(c.name);
  const list = [];
  if (c.features.apiVersions) {
    list.push({
      name: 'api-versions',
      run: async () => {
        const r = await c.step('api-versions', {});
        observe('apiVersions', r.apis);
        const served = Object.values(r.apis).filter((v) => v !== null).length;
        return `${served} of the ${Object.keys(r.apis).length} APIs the Java client knows are served`;
      },
    });
  }
  list.push(
    {
      name: 'create-topic',
      run: async () => {
        const r = await createTopic(c, t.keyed, { list: true });
        return `${r.partitions} partitions${r.note ? `; ${r.note}` : ''}`;
      },
    },
    {
      name: 'keyed-produce',
      run: async () => {
        const want = keys('k', KEYED);
        const r = await c.step('produce', { topic: t.keyed, keys: want });
        checkExactlyOnce(r.records, want, 'produced');
        checkKeyedPartitions(r.records, PARTITIONS);
        return `${r.records.length} keys on murmur2's partitions`;
      },
    },
  );
  for (const g of groupsOf(c)) {
    list.push({
      name: `group${g.suffix}`,
      run: async () => {
        await createTopic(c, g.topic);
        const want = keys('g', GROUP);
        const r = await c.step('group', { topic: g.topic, group: g.group, protocol: g.protocol, partitions: PARTITIONS, keys: want });
        return checkGroupRun(r, want, { twoMembers: true });
      },
    });
  }
  if (c.features.compression) {
    list.push({
      name: 'compressed-produce',
      run: async () => {
        await createTopic(c, t.compressed);
        const codecs = ['gzip', 'snappy', 'lz4', 'zstd'];
        const r = await c.step('compressed', { topic: t.compressed, codecs, perCodec: 5, valueBytes: 2000 });
        // librdkafka says which codec each produced batch went out with; it turns a codec off
        // (silently, "not compressing batch") when it judges the broker's ApiVersions too old
        const bad = codecs.filter((z) => r.sentAs[z] !== z);
        if (bad.length) throw new Error(`sent uncompressed or otherwise: ${bad.map((z) => `${z} -> ${r.sentAs[z]}`).join(', ')}`);
        const want = codecs.flatMap((z) => keys(`${z}-`, 5));
        checkExactlyOnce(r.records, want, 'read back');
        checkKeyedPartitions(r.records, PARTITIONS);
        const short = r.records.filter((x) => x.valueBytes !== 2000);
        if (short.length) throw new Error(`${short.length} values not read back whole (${short[0].key}: ${short[0].valueBytes} bytes)`);
        return `${codecs.join(', ')} batches sent compressed, ${r.records.length} records read back whole`;
      },
    });
  }
  if (c.features.resetOffsets) {
    const g = groupsOf(c)[0];
    list.push({
      name: 'reset-offsets --to-earliest',
      run: async () => {
        const r = await c.step('reset-offsets', { topic: g.topic, group: g.group });
        const bad = Object.entries(r.committed).filter(([, o]) => Number(o) !== 0);
        if (Object.keys(r.committed).length !== PARTITIONS || bad.length) throw new Error(`committed after reset: ${JSON.stringify(r.committed)}`);
        return `all ${PARTITIONS} partitions back to 0`;
      },
    });
  }
  if (c.features.perf) {
    list.push({
      name: 'perf',
      run: async () => {
        await createTopic(c, t.perf);
        const r = await c.step('perf', { topic: t.perf, records: PERF_RECORDS });
        if (r.produced !== PERF_RECORDS || r.consumed !== PERF_RECORDS) throw new Error(`produced ${r.produced}, consumed ${r.consumed}, want ${PERF_RECORDS}`);
        return `${PERF_RECORDS} records: produce ${r.produceRate}, consume ${r.consumeRate}`;
      },
    });
  }
  if (c.features.txn) {
    list.push({
      name: 'transaction read_committed',
      run: async () => {
        await createTopic(c, t.txn);
        // the last committed transaction puts one record on every partition, so a reader that has
        // seen all of them has read past the aborted transaction everywhere
        const committed = [...keys('c', 20), ...keyPerPartition('f', PARTITIONS)];
        const aborted = keys('a', 20);
        const txns = [
          { keys: committed.slice(0, 20), commit: true },
          { keys: aborted, commit: false },
          { keys: committed.slice(20), commit: true },
        ];
        const r = await c.step('txn', { topic: t.txn, txns });
        checkExactlyOnce(r.readCommitted, committed, 'read_committed');
        checkKeyedPartitions(r.readCommitted, PARTITIONS);
        if (r.readUncommitted) checkExactlyOnce(r.readUncommitted, [...committed, ...aborted], 'read_uncommitted');
        return `read_committed saw the ${committed.length} committed, none of the ${aborted.length} aborted` + (r.readUncommitted ? '; read_uncommitted saw both' : '');
      },
    });
  }
  return list;
}

/** Phase B: after the broker restarted on the same data dir and port. */
export function afterRestart(c) {
  return groupsOf(c).map((g, i) => ({
    name: `restart-resume${g.suffix}`,
    run: async () => {
      const fresh = keys('r', RESUME);
      // a group whose offsets were reset to earliest reads everything again; the others resume
      const reset = i === 0 && c.features.resetOffsets;
      const want = reset ? [...keys('g', GROUP), ...fresh] : fresh;
      const r = await c.step('resume', { topic: g.topic, group: g.group, protocol: g.protocol, keys: fresh, expect: want });
      const what = checkGroupRun(r, want, { twoMembers: false });
      return `${reset ? 'from the reset offsets' : 'from the committed offsets'}: ${what}`;
    },
  }));
}
