// The real Kafka clients: how each is installed (into scripts/kafka/.cache or from Debian), which
// optional scenarios it can do, and how one scenario step is run. Every step is its own process:
// `<client script> STEP '<json params>'` (the target's bootstrap in $BOOTSTRAP) prints one line
// `RESULT <json>` on stdout; anything else it prints is kept for the failure reason.
import { existsSync, readFileSync, writeFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cacheDir, clientsDir, jarDir, javaDir, KAFKA_VERSION, repoRoot, venvDir, venvPython } from './paths.mjs';
import { run, tail } from './proc.mjs';

const STEP_TIMEOUT_MS = Number(process.env.KAFKA_CLIENTS_STEP_TIMEOUT_MS ?? 150_000);

async function has(cmd) {
  return (await run('sh', ['-c', `command -v ${cmd}`], { timeoutMs: 10_000 })).code === 0;
}

/** Kafka's jars from Maven Central (about 45 s and 54 MB the first time): the Java client and the Kafka target. */
export async function installJars() {
  if (!(await has('java'))) return 'no java on PATH';
  if (existsSync(join(jarDir, `kafka_2.13-${KAFKA_VERSION}.jar`))) return null;
  if (!(await has('mvn'))) return 'no mvn on PATH to fetch the Kafka jars';
  const tmp = `${jarDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  console.log(`installing Kafka ${KAFKA_VERSION} jars into ${jarDir} (mvn dependency:copy-dependencies)...`);
  const r = await run('mvn', ['-B', '-q', '-f', join(javaDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'], { timeoutMs: 600_000 });
  if (r.code !== 0) return `mvn could not fetch the Kafka jars: ${tail(r.stdout + r.stderr, 3)}`;
  renameSync(tmp, jarDir);
  return null;
}

/** A venv with the pinned kafka-python and confluent-kafka; reinstalled when requirements.txt changes. */
let venvReady = null;
function installVenv() {
  venvReady ??= (async () => {
    const reqFile = join(clientsDir, 'requirements.txt');
    const req = readFileSync(reqFile, 'utf8');
    const stamp = join(venvDir, 'requirements.installed');
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === req) return null;
    if (!(await has('python3'))) return 'no python3 on PATH';
    console.log(`installing ${req.trim().split('\n').join(', ')} into ${venvDir}...`);
    mkdirSync(cacheDir, { recursive: true });
    let r = await run('python3', ['-m', 'venv', '--clear', venvDir], { timeoutMs: 120_000 });
    if (r.code !== 0 && (await aptInstall('python3-venv')) === null) {
      // Debian's python3 ships venv without ensurepip unless python3-venv is installed
      r = await run('python3', ['-m', 'venv', '--clear', venvDir], { timeoutMs: 120_000 });
    }
    if (r.code !== 0) return `python3 -m venv failed: ${tail(r.stdout + r.stderr, 3)}`;
    r = await run(venvPython, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', reqFile], { timeoutMs: 600_000 });
    if (r.code !== 0) return `pip install failed: ${tail(r.stdout + r.stderr, 3)}`;
    writeFileSync(stamp, req);
    return null;
  })();
  return venvReady;
}

/** A Debian package (apt-get as root; `apt-get update` first if the lists do not know it yet). */
async function aptInstall(pkg) {
  if (!(await has('apt-get'))) return `no apt-get to install ${pkg}`;
  if (process.getuid?.() !== 0) return `not root to apt-get install ${pkg}`;
  console.log(`installing ${pkg} (apt-get install -y ${pkg})...`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  let r = await run('apt-get', ['install', '-y', '-q', pkg], { env, timeoutMs: 300_000 });
  if (r.code !== 0) {
    await run('apt-get', ['update', '-q'], { env, timeoutMs: 300_000 });
    r = await run('apt-get', ['install', '-y', '-q', pkg], { env, timeoutMs: 300_000 });
  }
  return r.code === 0 ? null : `apt-get install ${pkg} failed: ${tail(r.stdout + r.stderr, 3)}`;
}

/** kcat from Debian's packages, unless it is on PATH already. */
async function installKcat() {
  if (await has('kcat')) return null;
  return aptInstall('kcat');
}

/** KafkaJS is a devDependency of the repo (npm ci installs it). */
async function checkKafkajs() {
  try {
    createRequire(join(repoRoot, 'package.json')).resolve('kafkajs');
    return null;
  } catch {
    return 'kafkajs is not installed (npm ci installs it as a devDependency)';
  }
}

const node = process.execPath;
const script = (f) => join(clientsDir, f);

/** name -> { install(): null | skip reason, command, features } */
export const clientDefs = {
  java: {
    install: installJars,
    command: [node, script('java-tools.mjs')],
    features: { apiVersions: true, groupProtocols: ['classic', 'consumer'], resetOffsets: true, perf: true, txn: true },
  },
  'kafka-python': {
    install: installVenv,
    command: [venvPython, script('kafka_python_client.py')],
    features: { txn: true },
  },
  'confluent-kafka': {
    install: installVenv,
    command: [venvPython, script('confluent_client.py')],
    // librdkafka 2.16 speaks the KIP-848 consumer protocol too
    features: { groupProtocols: ['classic', 'consumer'], compression: true, txn: true },
  },
  kafkajs: {
    install: checkKafkajs,
    command: [node, script('kafkajs-client.mjs')],
    features: { txn: true },
  },
  kcat: {
    // kcat's committed offsets are read with kafka-python's admin client (kcat cannot show them)
    install: async () => (await installKcat()) ?? (await installVenv()),
    command: [node, script('kcat-client.mjs')],
    features: { compression: true, txn: false },
  },
};

/**
 * What a failed step said, without stack frames: from the Node scripts' closing `error:` line on,
 * else the last lines (a Python traceback ends with the exception and its message).
 */
function reason(output) {
  const lines = output.split('\n').filter((l) => l.trim() && !l.startsWith('RESULT '));
  const at = lines.findLastIndex((l) => l.startsWith('error: '));
  return at >= 0 ? lines.slice(at).join('\n').slice(7) : tail(lines.join('\n'), 2);
}

/** A client bound to one target: `step(name, params)` resolves to the step's RESULT or throws. */
export function bindClient(name, bootstrap, log) {
  const def = clientDefs[name];
  return {
    name,
    features: def.features,
    async step(step, params) {
      const [cmd, ...args] = def.command;
      const r = await run(cmd, [...args, step, JSON.stringify(params)], {
        timeoutMs: STEP_TIMEOUT_MS,
        env: { BOOTSTRAP: bootstrap, BROOK_KAFKA_JARS: jarDir, BROOK_KAFKA_VENV_PYTHON: venvPython },
      });
      log(`--- ${name} ${step} exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n${r.stdout}${r.stderr}`);
      const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (r.code === 0 && line) return JSON.parse(line.slice(7));
      const why = r.timedOut ? `timed out after ${STEP_TIMEOUT_MS / 1000} s` : `exit ${r.code}`;
      throw new Error(`${step} ${why}: ${reason(r.stderr + '\n' + r.stdout)}`);
    },
  };
}
