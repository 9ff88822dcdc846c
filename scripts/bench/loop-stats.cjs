// Preloaded into a bench broker (`node --require loop-stats.cjs`): its event-loop delay (1 ms
// resolution) and GC pauses, from SIGUSR2 (sent when the measured part starts) until the process
// exits; written as JSON to $BROOK_LOOP_STATS at exit. CommonJS so that --require can load it.
'use strict';
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');

const out = process.env.BROOK_LOOP_STATS;
if (out) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let pauses = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    delay.reset();
    pauses = [];
  });
  process.on('exit', () => {
    writeFileSync(
      out,
      JSON.stringify({
        // the histogram counts from the 1 ms timer's due time: subtract it to get the delay
        delayP99Ms: Math.max(0, delay.percentile(99) / 1e6 - 1),
        delayMaxMs: Math.max(0, delay.max / 1e6 - 1),
        gcPauses: pauses.length,
        gcTotalMs: pauses.reduce((a, b) => a + b, 0),
        gcMaxMs: Math.max(0, ...pauses),
      }),
    );
  });
}
