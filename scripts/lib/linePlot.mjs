// A line chart as a PNG, without a browser: Chart.js drawing on @napi-rs/canvas (Skia, prebuilt
// binaries from the npm registry). Used by scripts/rss.mjs.
import { writeFileSync } from 'node:fs';
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables } from 'chart.js';

Chart.register(...registerables);

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/**
 * `series`: [{ label, points: [{ x, y }] }]; `lines`: horizontal reference lines [{ label, y }].
 * Writes a width x height PNG to `file`.
 */
export function writeLinePlot(file, { title, xLabel, yLabel, series, lines = [], width = 1000, height = 500 }) {
  const canvas = createCanvas(width, height);
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const datasets = [
    ...series.map((s, i) => ({ label: s.label, data: s.points, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], pointRadius: 0, borderWidth: 2 })),
    ...lines.map((l) => ({ label: l.label, data: [{ x: x0, y: l.y }, { x: x1, y: l.y }], borderColor: '#888', borderDash: [6, 4], pointRadius: 0, borderWidth: 1 })),
  ];
  new Chart(canvas.getContext('2d'), {
    type: 'line',
    data: { datasets },
    options: {
      responsive: false,
      animation: false,
      parsing: false,
      scales: { x: { type: 'linear', title: { display: true, text: xLabel } }, y: { beginAtZero: true, title: { display: true, text: yLabel } } },
      plugins: { title: { display: true, text: title } },
    },
    // A white background: PNGs are transparent by default, unreadable on dark viewers.
    plugins: [{ id: 'background', beforeDraw: (c) => ((c.ctx.fillStyle = '#fff'), c.ctx.fillRect(0, 0, c.width, c.height)) }],
  });
  writeFileSync(file, canvas.toBuffer('image/png'));
}
