// Test helpers: temp data dirs, a broker on an ephemeral port, a raw protocol client, and a
// broker in a child process (for SIGKILL / SIGTERM tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { expect } from 'vitest';
import {
  BrookError,
  PROTOCOL_VERSION,
  decodeBatches,
  decodeResponseBody,
  decodeServerFrame,
  encodeRequest,
  type ApiName,
  type RequestOf,
  type ResponseOf,
} from '@brook/protocol';
import { startBroker, type Broker, type StartOptions } from '@brook/server';

import { removeDir, tempDir } from './tmp.js';
export { removeDir, tempDir };

export async function testBroker(opts: StartOptions = {}): Promise<Broker & { dataDir: string; stop(): Promise<void> }> {
  const dataDir = opts.dataDir ?? (await tempDir());
  const broker = await startBroker({ port: 0, logLevel: 'silent', ...opts, dataDir });
  return Object.assign(broker, {
    dataDir,
    async stop() {
      await broker.close();
      if (!opts.dataDir) await removeDir(dataDir);
    },
  });
}

/** A bare protocol client over `ws`: for tests that need to send exactly the bytes they choose. */
export class RawClient {
  private next = 1;
  private readonly pending = new Map<number, { name: ApiName; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const f = decodeServerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!f.ok || f.value.kind !== 'response') return;
      const p = this.pending.get(f.value.correlationId);
      if (!p) return;
      this.pending.delete(f.value.correlationId);
      if (f.value.errorCode !== 0) return p.reject(new BrookError(f.value.errorCode, f.value.errorMessage));
      const body = decodeResponseBody(p.name, f.value.body, f.value.bodyStart);
      if (body.ok) p.resolve(body.value);
      else p.reject(new Error(body.error));
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        for (const p of this.pending.values()) p.reject(new Error(`connection closed (${code})`));
        this.pending.clear();
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on('error', () => {});
  }

  static async connect(url: string, handshake = true): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const c = new RawClient(ws);
    if (handshake) {
      await c.request('Handshake', { clientId: 'raw-test', clientSoftware: 'test', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
    }
    return c;
  }

  request<N extends ApiName>(name: N, body: RequestOf<N>): Promise<ResponseOf<N>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(encodeRequest(name, id, body));
    });
  }

  /** Sends raw bytes as a frame with the given correlation id expectation; resolves with the raw reply. */
  sendRaw(bytes: Uint8Array | string): Promise<{ correlationId: number; errorCode: number; errorMessage: string | null } | 'closed'> {
    return new Promise((resolve) => {
      const onMsg = (data: Buffer) => {
        const f = decodeServerFrame(new Uint8Array(data));
        if (f.ok && f.value.kind === 'response') {
          this.ws.off('message', onMsg);
          resolve({ correlationId: f.value.correlationId, errorCode: f.value.errorCode, errorMessage: f.value.errorMessage });
        }
      };
      this.ws.on('message', onMsg);
      void this.closed.then(() => resolve('closed'));
      this.ws.send(bytes);
    });
  }

  close(): void {
    this.ws.close();
  }
}

export const serverCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface ChildBroker {
  proc: ChildProcess;
  port: number;
  url: string;
  httpUrl: string;
  exited: Promise<number | null>;
}

/** Runs the built broker (`npm test` builds first) and waits for its "listening" log line. */
export async function spawnBroker(dataDir: string, port = 0, extra: string[] = []): Promise<ChildBroker> {
  const proc = spawn(process.execPath, [serverCli, '--port', String(port), '--kafka-port', '0', '--data-dir', dataDir, '--log-level', 'info', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: proc.stdout! });
  const got = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in 20 s: ${stderr}`)), 20_000);
    lines.on('line', (line) => {
      try {
        const j = JSON.parse(line) as { port?: number; msg?: string };
        if (j.msg?.startsWith('Brook listening') && j.port) {
          clearTimeout(timer);
          resolve(j.port);
        }
      } catch {
        /* not JSON */
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}: ${stderr}`));
    });
  });
  return { proc, port: got, url: `ws://127.0.0.1:${got}/ws`, httpUrl: `http://127.0.0.1:${got}`, exited };
}

/** Every record of a partition (offset and UTF-8 value) up to the end, with raw Fetch requests. */
export async function readPartition(c: RawClient, topic: string, partition: number): Promise<{ records: Array<{ offset: number; value: string }>; highWatermark: number }> {
  const out: Array<{ offset: number; value: string }> = [];
  let offset = 0;
  for (let i = 0; i < 10_000; i++) {
    const f = await c.request('Fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 4 << 20,
      isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 4 << 20 }] }],
    });
    const p = f.topics[0]!.partitions[0]!;
    expect(p.errorCode).toBe(0);
    const recs = decodeBatches(p.records).flatMap((b) => b.records).filter((r) => r.offset >= offset);
    if (recs.length === 0) return { records: out, highWatermark: p.highWatermark };
    for (const r of recs) out.push({ offset: r.offset, value: new TextDecoder().decode(r.value!) });
    offset = recs[recs.length - 1]!.offset + 1;
  }
  throw new Error('read did not finish');
}
