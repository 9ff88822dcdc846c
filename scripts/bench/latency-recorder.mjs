// The measuring half of the latency bench's consumer workers (Brook's, bench-latency-worker.mjs,
// and Redis's, redis-latency-worker.mjs): each message's receive time minus the send time written
// in its first 20 bytes (values starting with "W" are warm-up, counted only), this thread's
// event-loop delay, and the parent's messages: 'stop', 'reset' (the loop delay, once warm-up is
// over) and { expect } (stop after that many measured messages).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

/** `onDone` runs when the parent says 'stop' or `expect` measured messages have arrived (maybe more than once). */
export function latencyRecorder(onDone = () => {}) {
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const latencies = [];
  let warmup = 0;
  let expect = Infinity;
  let stopped = false;
  parentPort.on('message', (m) => {
    if (m === 'stop') {
      stopped = true;
      onDone();
    } else if (m === 'reset') loopDelay.reset();
    else if (m && typeof m.expect === 'number') {
      expect = m.expect;
      if (latencies.length >= expect) onDone();
    }
  });
  return {
    get done() {
      return stopped || latencies.length >= expect;
    },
    /** A message's value (a Buffer), received at `now` (ms since the epoch, sub-millisecond). */
    record(value, now) {
      if (value[0] === 87 /* W */) warmup++;
      else {
        latencies.push(now - Number(value.toString('latin1', 0, 20)));
        if (latencies.length >= expect) onDone();
      }
    },
    /** Posts the figures to the parent (the loop delay beyond the 1 ms timer's due time). */
    report() {
      parentPort.postMessage({ latencies, warmup, delayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - 1) });
    },
  };
}
