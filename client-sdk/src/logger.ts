/** KafkaJS-style logging: `logLevel` and `logCreator` options are accepted. */
export const logLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;
export type LogLevel = (typeof logLevel)[keyof typeof logLevel];

export interface LogEntry {
  namespace: string;
  level: LogLevel;
  label: string;
  log: { message: string; timestamp: string; [k: string]: unknown };
}
export type LogCreator = (level: LogLevel) => (entry: LogEntry) => void;

export interface Logger {
  error(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  debug(message: string, extra?: Record<string, unknown>): void;
  namespace(ns: string): Logger;
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' };

export const defaultLogCreator: LogCreator = () => (entry) => {
  const { message, ...rest } = entry.log;
  const line = JSON.stringify({ level: entry.label, ns: entry.namespace, message, ...rest });
  if (entry.level <= logLevel.ERROR) console.error(line);
  else console.log(line);
};

export function createLogger(level: LogLevel = logLevel.INFO, creator: LogCreator = defaultLogCreator, ns = 'Brook'): Logger {
  const sink = creator(level);
  const emit = (l: LogLevel, message: string, extra?: Record<string, unknown>) => {
    if (l > level || level === logLevel.NOTHING) return;
    sink({ namespace: ns, level: l, label: LABELS[l] ?? 'INFO', log: { ...extra, message, timestamp: new Date().toISOString() } });
  };
  return {
    error: (m, e) => emit(logLevel.ERROR, m, e),
    warn: (m, e) => emit(logLevel.WARN, m, e),
    info: (m, e) => emit(logLevel.INFO, m, e),
    debug: (m, e) => emit(logLevel.DEBUG, m, e),
    namespace: (n) => createLogger(level, creator, n),
  };
}
