/**
 * A group's lag over the last minutes, drawn with uPlot. The admin API answers the lag now; the
 * history is kept here, in the page, for as long as it stays open (one point per poll).
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LagPoint {
  at: number;
  /** Total lag of each topic at that time. */
  byTopic: Record<string, number>;
}

const KEEP_MS = 10 * 60_000;
const histories = new Map<string, LagPoint[]>();

/** Adds a point to the group's history and answers the history (kept across page visits). */
export function recordLag(groupId: string, point: LagPoint): LagPoint[] {
  const h = histories.get(groupId) ?? [];
  h.push(point);
  while (h.length > 0 && h[0]!.at < point.at - KEEP_MS) h.shift();
  histories.set(groupId, h);
  return h;
}

const COLORS = ['#2f6fde', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0c8599'];

export function LagChart({ history }: { history: LagPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const topics = [...new Set(history.flatMap((p) => Object.keys(p.byTopic)))].sort();
  const key = topics.join('\0');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 220,
      series: [{}, ...topics.map((t, i) => ({ label: t, stroke: COLORS[i % COLORS.length], width: 2 }))],
      axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } }],
      scales: {
        // Set from the history below (auto-ranging one point spans years).
        x: { time: true, auto: false },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
    };
    plot.current = new uPlot(opts, [[]], el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key]);

  useEffect(() => {
    const u = plot.current;
    const first = history[0];
    const last = history.at(-1);
    if (!u || !first || !last) return;
    u.setData([history.map((p) => p.at / 1000), ...topics.map((t) => history.map((p) => p.byTopic[t] ?? 0))]);
    // At least the last minute on the time axis.
    u.setScale('x', { min: Math.min(first.at, last.at - 60_000) / 1000, max: last.at / 1000 });
  });

  const last = history.at(-1);
  const summary = last ? topics.map((t) => `${t}: ${last.byTopic[t] ?? 0}`).join(', ') : 'no data yet';
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={`Lag over the last ${Math.round(KEEP_MS / 60_000)} minutes; now ${summary}`} />
      <figcaption class="muted small">Lag per topic, polled every 2 s while this page is open (kept for 10 minutes).</figcaption>
    </figure>
  );
}
