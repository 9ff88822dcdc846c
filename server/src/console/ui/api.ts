/**
 * The admin API as the console calls it: same origin, JSON, and with the principal's credentials
 * on every call when the broker has auth (`Authorization: Bearer name:secret`). The console has
 * no other way in: what it shows, a script can fetch too.
 */
const CREDENTIALS_KEY = 'brook.console.credentials';

export interface Credentials {
  name: string;
  secret: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Kept for the tab's session only, never in localStorage. */
export function savedCredentials(): Credentials | null {
  try {
    const raw = sessionStorage.getItem(CREDENTIALS_KEY);
    return raw ? (JSON.parse(raw) as Credentials) : null;
  } catch {
    return null;
  }
}

export function saveCredentials(c: Credentials | null): void {
  if (c) sessionStorage.setItem(CREDENTIALS_KEY, JSON.stringify(c));
  else sessionStorage.removeItem(CREDENTIALS_KEY);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const c = savedCredentials();
  return c ? { ...extra, authorization: `Bearer ${c.name}:${c.secret}` } : extra;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
  if (!res.ok) throw new ApiError(res.status, json?.error ?? `HTTP_${res.status}`, json?.message ?? res.statusText);
  return json as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  delete: (path: string) => call<void>('DELETE', path),
};

export const enc = encodeURIComponent;

/**
 * Reads a server-sent-event stream with fetch (EventSource cannot send an Authorization header),
 * calling onEvent for each `record` event until the signal aborts.
 */
export async function streamEvents(path: string, signal: AbortSignal, onEvent: (data: string) => void, onOpen?: () => void): Promise<void> {
  const res = await fetch(path, { headers: headers(), signal });
  if (!res.ok || !res.body) {
    const json = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
    throw new ApiError(res.status, json?.error ?? `HTTP_${res.status}`, json?.message ?? res.statusText);
  }
  // The broker sends the status once it has chosen where the stream starts.
  onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = event
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (/^event: record$/m.test(event) && data) onEvent(data);
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

// The shapes the admin API answers (see /openapi.json).
export interface Rates {
  produceRecords: number;
  produceBytes: number;
  fetchRecords: number;
  fetchBytes: number;
}
export interface BrokerOverview {
  version: string;
  clusterId: string;
  startedAt: string;
  uptimeSeconds: number;
  listeners: { http: number; kafka: number | null };
  authEnabled: boolean;
  topics: number;
  partitions: number;
  records: number;
  sizeBytes: number;
  rates: Rates;
  groups: { total: number; byState: Record<string, number> };
  worstLag: { groupId: string; topic: string; partition: number; lag: string } | null;
}
export interface Whoami {
  authEnabled: boolean;
  principal: string | null;
  admin: boolean;
}
export interface TopicSummary {
  name: string;
  partitions: number;
  internal: boolean;
  records: number;
  sizeBytes: number;
  rates: Rates;
}
export interface TopicDetail {
  name: string;
  internal: boolean;
  partitions: Array<{ partition: number; startOffset: string; endOffset: string; records: number; sizeBytes: number }>;
  config: Record<string, string | number>;
  rates: Rates;
}
export type Encoding = 'utf8' | 'base64' | null;
export interface RecordJson {
  offset: string;
  timestamp: string;
  key: string | null;
  keyEncoding: Encoding;
  value: string | null;
  valueEncoding: Encoding;
  headers: Record<string, string | null>;
  headerEncodings?: Record<string, Encoding>;
}
export interface RecordPage {
  records: RecordJson[];
  nextOffset: string;
  endOffset: string;
}
export interface GroupSummary {
  groupId: string;
  state: string;
  members: number;
  assignor?: string;
  totalLag: string;
}
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}
export interface GroupDetail {
  groupId: string;
  state: string;
  epoch: number;
  assignor: string;
  memberCount: number;
  totalLag: string;
  members: Array<{ memberId: string; instanceId: string | null; clientId: string; host: string; memberEpoch: number; state: string; assignment: TopicPartitions[] }>;
  offsets: Array<{ topic: string; partition: number; committedOffset: string | null; endOffset: string; lag: string | null; memberId: string | null; clientId: string | null }>;
}
export interface ResetResult {
  dryRun: boolean;
  offsets: Array<{ partition: number; previousOffset: string | null; newOffset: string }>;
}
