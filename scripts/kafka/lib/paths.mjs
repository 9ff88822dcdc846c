// Where the harness keeps what it installs (jars, venv) and how it runs a Kafka main class.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { run } from './proc.mjs';

export const KAFKA_VERSION = '4.4.0';
export const kafkaDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const cacheDir = process.env.BROOK_KAFKA_CACHE ?? join(kafkaDir, '.cache');
export const jarDir = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'lib');
export const venvDir = join(cacheDir, 'venv');
export const venvPython = join(venvDir, 'bin', 'python');
export const javaDir = join(kafkaDir, 'java');
export const clientsDir = join(kafkaDir, 'clients');

/**
 * JVM flags for short-lived tools: C1 only and the serial collector start a tool about a second
 * sooner on two busy cores, which matters more than peak speed for 20k-record runs.
 */
const toolJvmFlags = ['-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** Runs a Kafka main class (or a single-file Java program) with the fetched jars on the classpath. */
export function javaArgs(mainOrSource, args, jvmFlags = toolJvmFlags) {
  return [...jvmFlags, `-Dlog4j2.configurationFile=${join(javaDir, 'tools-log4j2.properties')}`, '-cp', `${jarDir}/*`, mainOrSource, ...args];
}

export function runJava(mainOrSource, args, opts) {
  return run('java', javaArgs(mainOrSource, args), opts);
}
