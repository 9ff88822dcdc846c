// Produce throughput matrix: 1 and 4 producers x 100 B and 1 KiB x acks 1 and 'all' x
//  - batched: the SDK as the README tells users to use it: 100-message sends, 64 sends in flight
//    per producer (16 each with four producers); the SDK packs concurrent sends into requests;
//  - naive: `for (...) await producer.send({ messages: [one] })`, the loop people write first;
// plus one extra shape (1 producer, 100 B): single-message sends, 1,000 in flight (all batching
// left to the SDK's accumulator). 4 partitions, fresh broker per run. Failed sends are counted,
// not thrown: the rate counts acknowledged messages only.
import { startChildBroker, client, createTopic, fetchAll, fmtRate, fmt, mmm } from './lib.mjs';

export const id = 'produce';
export const title = 'Produce throughput';

const SIZES = [100, 1024];
const ACKS = [1, -1];
const ackName = (a) => (a === -1 ? 'all' : String(a));

export function cells({ quick }) {
  const out = [];
  for (const shape of ['batched', 'naive']) {
    for (const producers of [1, 4]) {
      for (const size of SIZES) {
        for (const acks of ACKS) {
          out.push({
            key: `produce/${shape}/${producers}p/${size}B/acks-${ackName(acks)}`,
            label: `${shape}, ${producers} producer${producers > 1 ? 's' : ''}, ${size === 1024 ? '1 KiB' : '100 B'}, acks ${ackName(acks)}`,
            params: { shape, producers, size, acks: ackName(acks) },
            run: (ctx) => produceRun(ctx, { shape, producers, size, acks, quick, readBack: shape === 'batched' && producers === 1 }),
          });
        }
      }
    }
  }
  for (const acks of ACKS) {
    out.push({
      key: `produce/single-in-flight/1p/100B/acks-${ackName(acks)}`,
      label: `single-message sends, 1,000 in flight, 1 producer, 100 B, acks ${ackName(acks)}`,
      params: { shape: 'single-in-flight', producers: 1, size: 100, acks: ackName(acks) },
      run: (ctx) => produceRun(ctx, { shape: 'single', producers: 1, size: 100, acks, quick, readBack: false }),
    });
  }
  return out;
}

async function produceRun(ctx, { shape, producers, size, acks, quick, readBack }) {
  const broker = await startChildBroker('brook-bench-produce-');
  try {
    const brook = client(broker.url, 'bench-produce');
    const topic = 'bench';
    await createTopic(brook, topic, 4);
    const value = 'x'.repeat(size);
    const ps = [];
    for (let i = 0; i < producers; i++) {
      const p = brook.producer();
      await p.connect();
      // The first send fetches metadata and a producer id: keep it out of the timed part.
      await p.send({ topic, acks, messages: [{ value }] });
      ps.push(p);
    }
    let acked = 0;
    let failed = 0;
    const errors = new Set();
    const note = (e) => errors.add(e?.type ?? e?.message ?? String(e));
    let result;
    if (shape === 'naive') {
      const seconds = quick ? 0.5 : 1.2;
      const t0 = performance.now();
      const end = t0 + seconds * 1000;
      const tick = setInterval(() => ctx.progress(Math.min(performance.now() - t0, seconds * 1000), seconds * 1000), 100);
      await Promise.all(
        ps.map(async (p) => {
          while (performance.now() < end) {
            try {
              await p.send({ topic, acks, messages: [{ value }] });
              acked++;
            } catch (e) {
              failed++;
              note(e);
            }
          }
        }),
      );
      clearInterval(tick);
      result = { secs: (performance.now() - t0) / 1000 };
    } else {
      const total = (size === 100 ? 300_000 : 100_000) / (quick ? 5 : 1);
      const perSend = shape === 'single' ? 1 : 100;
      const inFlight = shape === 'single' ? 1000 : producers === 1 ? 64 : 16;
      const maxMs = quick ? 10_000 : 30_000;
      const messages = Array.from({ length: perSend }, () => ({ value }));
      let claimed = 0;
      const t0 = performance.now();
      const share = total / producers;
      await Promise.all(
        ps.map(async (p) => {
          let mine = 0;
          await Promise.all(
            Array.from({ length: inFlight }, async () => {
              while (mine < share && performance.now() - t0 < maxMs) {
                mine += perSend;
                claimed += perSend;
                try {
                  await p.send({ topic, acks, messages });
                  acked += perSend;
                } catch (e) {
                  failed += perSend;
                  note(e);
                }
                ctx.progress(acked + failed, total);
              }
            }),
          );
        }),
      );
      result = { secs: (performance.now() - t0) / 1000 };
      void claimed;
    }
    for (const p of ps) await p.disconnect().catch(() => {});
    const figures = {
      msgs: acked / result.secs,
      mbs: (acked * size) / result.secs / 1e6,
      failed,
    };
    if (errors.size > 0) figures.errors = [...errors].join(', ');
    if (readBack) {
      // +producers: the untimed warm-up sends.
      const r = await fetchAll(broker.url, topic, 4, acked + producers, { onProgress: (d, t) => ctx.progress(d, t, 'reading back') });
      figures.fetchMsgs = r.msgs;
      figures.fetchMBs = r.mbs;
    }
    return figures;
  } finally {
    await broker.stop();
  }
}

export function summary(f) {
  return `${Math.round(f.msgs / 1000)}k msg/s, ${f.mbs.toFixed(1)} MB/s${f.failed ? `, ${f.failed} failed` : ''}`;
}

/** Markdown for the produce section; `raw` maps "size/sync" to the raw ws + LevelDB rate. */
export function report(rows, { rawRate }) {
  const lines = [];
  lines.push('| shape | producers | size | acks | msg/s (min-max) | MB/s | of raw ws+LevelDB | fetch back msg/s | failed sends |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const p = r.params;
    const raw = rawRate(p.size, p.acks === 'all');
    const frac = raw && r.figures.msgs?.median ? `${fmt((r.figures.msgs.median / raw) * 100, 0)}%` : '-';
    const shape = p.shape === 'batched' ? 'batched (100-msg sends, many in flight)' : p.shape === 'naive' ? 'naive (await each 1-msg send)' : 'single-msg sends, 1,000 in flight';
    const failed = r.figures.failed?.median ? `${fmtRate(r.figures.failed.median)}${r.notes.errors ? ` (${r.notes.errors})` : ''}` : '0';
    lines.push(
      `| ${shape} | ${p.producers} | ${p.size === 1024 ? '1 KiB' : '100 B'} | ${p.acks} | ${mmm(r.figures.msgs)} | ${mmm(r.figures.mbs, (x) => fmt(x, 1))} | ${frac} | ${r.figures.fetchMsgs ? mmm(r.figures.fetchMsgs) : '-'} | ${failed} |`,
    );
  }
  return lines.join('\n');
}
