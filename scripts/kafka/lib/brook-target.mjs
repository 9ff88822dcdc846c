// A fresh Brook broker (server/dist) with its Kafka listener, in a temp data dir. Restart stops it
// (SIGTERM) and starts it again on the same data dir and the same Kafka port.
import { createInterface } from 'node:readline';
import { exitReason, start, tail } from './proc.mjs';
import { launcherEnv, launcherNodeFlags, serverCli } from '../../lib/broker.mjs';

/** The Kafka port a Brook log line names, whatever shape the listener logs it in. */
export function kafkaPortOf(line) {
  let j;
  try {
    j = JSON.parse(line);
  } catch {
    return null;
  }
  if (Number.isInteger(j.kafkaPort) && j.kafkaPort > 0) return j.kafkaPort;
  const addr = j.kafkaAddress ?? j.kafka;
  if (typeof addr === 'string') {
    const m = /:(\d+)$/.exec(addr);
    if (m) return Number(m[1]);
  }
  if (addr && Number.isInteger(addr.port)) return addr.port;
  return null;
}

export async function createBrookTarget(dataDir) {
  let proc = null;
  let kafkaPort = 0;
  let wsPort = 0;
  let starts = 0;
  let earlierLogs = ''; // what the broker printed before its last restart

  async function startBroker() {
    starts++;
    // the environment and node flags the brook-server launcher sets, as users start it
    proc = start(process.execPath, [...launcherNodeFlags(), serverCli, '--port', '0', '--kafka-port', String(kafkaPort), '--data-dir', dataDir, '--log-level', 'info'], { env: { ...launcherEnv(), ...process.env } });
    const p = proc;
    const found = await new Promise((resolve) => {
      const lines = createInterface({ input: p.child.stdout });
      const timer = setTimeout(() => resolve(null), 60_000);
      lines.on('line', (l) => {
        const port = kafkaPortOf(l);
        if (port) {
          wsPort = JSON.parse(l).port ?? wsPort;
          clearTimeout(timer);
          resolve(port);
        }
      });
      void p.exited.then(() => resolve(null));
    });
    if (!found) {
      p.stop('SIGKILL');
      throw new Error(`Brook did not log a Kafka port (--kafka-port ${kafkaPort}): ${tail(p.output.stderr + p.output.stdout)}`);
    }
    kafkaPort = found;
  }

  async function stopBroker() {
    if (!proc) return;
    const p = proc;
    proc = null;
    p.stop('SIGTERM');
    const t = setTimeout(() => p.stop('SIGKILL'), 30_000);
    await p.exited;
    clearTimeout(t);
    earlierLogs += p.output.stdout + p.output.stderr;
  }

  await startBroker();
  return {
    name: 'brook',
    bootstrap: `127.0.0.1:${kafkaPort}`,
    logs: dataDir,
    /** Brook's WebSocket door. */
    get url() {
      return `ws://127.0.0.1:${wsPort}/ws`;
    },
    get pid() {
      return proc?.child.pid;
    },
    restart: async () => {
      await stopBroker();
      await startBroker();
    },
    stop: stopBroker,
    get starts() {
      return starts;
    },
    /** Why the broker is gone (it exited by itself), or null while it runs. */
    died: () => exitReason(proc, 'Brook'),
    /** Everything the broker printed (its JSON log), for results/. */
    logText: () => earlierLogs + (proc ? proc.output.stdout + proc.output.stderr : ''),
  };
}
