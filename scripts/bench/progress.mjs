// Progress for the benchmark suite, on stderr: two cli-progress bars on a TTY (the whole suite,
// and the run in progress); when stderr is not a TTY, one plain line per finished run instead.
import cliProgress from 'cli-progress';

export function createProgress(totalRuns) {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  if (!tty) {
    let done = 0;
    return {
      startRun() {},
      update() {},
      endRun(label, summary) {
        done++;
        const secs = ((performance.now() - started) / 1000).toFixed(0);
        process.stderr.write(`[bench ${done}/${totalRuns}, ${secs}s] ${label}${summary ? `: ${summary}` : ''}\n`);
      },
      log(line) {
        process.stderr.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      clearOnComplete: false,
      hideCursor: true,
      autopadding: true,
      barsize: 30,
      fps: 10,
      format: '{bar} {percentage}% | {label}',
    },
    cliProgress.Presets.shades_classic,
  );
  const overall = multi.create(totalRuns, 0, { label: 'suite' });
  const run = multi.create(1, 0, { label: '' });
  let runLabel = '';
  let done = 0;
  return {
    startRun(label) {
      runLabel = label;
      run.setTotal(1);
      run.update(0, { label });
    },
    update(value, total, what) {
      if (!(total > 0)) return;
      run.setTotal(total);
      run.update(Math.min(value, total), { label: what ? `${runLabel} (${what})` : runLabel });
    },
    endRun(label, summary) {
      done++;
      run.update(run.getTotal());
      const secs = ((performance.now() - started) / 1000).toFixed(0);
      overall.update(done, { label: `suite: ${done}/${totalRuns} runs, ${secs}s` });
      multi.log(`${label}${summary ? `: ${summary}` : ''}\n`);
    },
    log(line) {
      multi.log(`${line}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
