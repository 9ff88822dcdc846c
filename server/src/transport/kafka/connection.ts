/**
 * One Kafka client connection over TCP (or TLS): splits the byte stream into size-prefixed frames
 * (refusing oversized ones before allocating), decodes each request, and answers in request
 * order, as Kafka does. Requests start at once, in the order they arrive, so a slow long-poll
 * Fetch holds back only the later answers of its own connection; the finished answers wait in a
 * queue behind it. Reading stops while too many requests or bytes are outstanding or the client
 * is not reading its answers. Bad input closes the connection with a log line, never the broker.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ErrorCode, ProtocolError, kafka } from '@brook/protocol';
import type { Principal } from '../../auth/authorizer.js';
import type { BrokerContext } from '../../api/types.js';
import type { BrokerHandlers } from '../../api/index.js';
import { servedVersionRanges } from './apis/index.js';
import { toKafkaError } from './errors.js';
import type { SaslSession } from '../../auth/sasl.js';
import type { KafkaAdapter, KafkaAdapters, KafkaApiName, KafkaConnectionInfo, KafkaRequestContext } from './types.js';
import { TickCork } from '../tickCork.js';
import { ConnectionShare, MAX_IN_FLIGHT_REQUEST_BYTES, type AnswerMemory, type RequestMemory } from '../../services/answerMemory.js';
import { DispatchGate } from '../../api/turns.js';

/** Answers written but not yet taken by the client, before the broker stops reading. */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
/**
 * A Fetch runs only once the answers the client has not taken yet (written or waiting their turn)
 * are under this: a client that sends fetches and never reads gets no more results (each up to
 * its maxBytes) piled up in memory. Fetches run one at a time per connection, as Kafka's do.
 */
const FETCH_ROOM_BYTES = 1024 * 1024;
/** Before authentication only these may be sent (Kafka closes the connection on anything else). */
const BEFORE_AUTH = new Set<KafkaApiName>(['ApiVersions', 'SaslHandshake', 'SaslAuthenticate']);

export interface KafkaConnectionDeps {
  ctx: BrokerContext;
  handlers: BrokerHandlers;
  adapters: KafkaAdapters;
  logger: Logger;
  maxFrameBytes: number;
  maxInFlight: number;
  onClose(c: KafkaConnection): void;
}

/**
 * One answer in request order; `frame` null: the request has no answer (Produce with acks 0).
 * A frame comes in pieces (record sets are not copied into it); `frameBytes` is their total.
 */
interface Slot {
  done: boolean;
  frame: Uint8Array[] | null;
  frameBytes: number;
  size: number;
}

let nextId = 1;

export class KafkaConnection implements KafkaConnectionInfo {
  readonly connectionId = `k${nextId++}`;
  clientId = '';
  handshaken = true;
  principal: Principal | null = null;
  authenticated: boolean;
  sasl: SaslSession | null = null;
  readonly clientHost: string;
  private readonly splitter: kafka.FrameSplitter;
  private readonly slots: Slot[] = [];
  /** Request bytes read and not yet answered, in the broker-wide count. */
  private readonly requests: ConnectionShare<RequestMemory>;
  /** Its answers not yet handed to the kernel, in the broker-wide count (services/answerMemory.ts). */
  private readonly answers: ConnectionShare<AnswerMemory>;
  /** Bytes of finished answers waiting in `slots` behind an earlier one. */
  private queuedAnswerBytes = 0;
  /** Settles when the last Fetch's answer is queued: fetches of one connection run one at a time (see FETCH_ROOM_BYTES). */
  private fetchChain: Promise<void> = Promise.resolve();
  /** Wakes the fetch waiting for room (on drain, on flush, on close). */
  private roomWaiter: (() => void) | null = null;
  private paused = false;
  private closed = false;
  /** Shutting down: no new requests are read; the connection ends once its answers are out. */
  private draining = false;
  private ended = false;
  private readonly abort = new AbortController();
  /** The answers written in one tick leave in one writev. */
  private readonly writes: TickCork;

  constructor(
    private readonly socket: Socket,
    private readonly deps: KafkaConnectionDeps,
  ) {
    this.writes = new TickCork(socket);
    this.answers = new ConnectionShare(deps.ctx.answers);
    this.requests = new ConnectionShare(deps.ctx.requests);
    this.clientHost = socket.remoteAddress ?? 'unknown';
    this.authenticated = deps.ctx.auth === null;
    this.splitter = new kafka.FrameSplitter(deps.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => {
      this.wakeFetch();
      this.updateBackpressure();
    });
    socket.on('close', () => this.handleClose());
    socket.on('error', (err) => deps.logger.debug({ err: err.message, connectionId: this.connectionId }, 'kafka socket error'));
  }

  /** True while requests are being processed or answers wait to be written. */
  get busy(): boolean {
    return this.slots.length > 0;
  }

  /** Aborted when the connection closes, so long polls stop waiting. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Kafka has no server pushes: members heartbeat on their interval instead. */
  push(): void {}
  readonly pushes = false;
  readonly dispatch = new DispatchGate();

  /** Closes once the answers already queued are written (Kafka answers a failed login, then closes). */
  close(_code?: number, reason = 'closed by the broker'): void {
    this.deps.logger.debug({ connectionId: this.connectionId, reason }, 'closing kafka connection');
    this.drain();
  }

  /** Closes at once. */
  destroy(reason: string): void {
    if (this.closed) return;
    this.deps.logger.debug({ connectionId: this.connectionId, reason }, 'kafka connection cut off');
    this.socket.destroy();
    this.handleClose();
  }

  /** Stop reading requests; end the connection once every answer is written. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.socket.pause();
    if (this.slots.length === 0) this.end();
  }

  /** Ends the connection after what is written; a client that does not close its side is cut off. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.end();
    setTimeout(() => this.destroy('did not close after the broker ended the connection'), 5000).unref();
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.answers.releaseAll();
    this.requests.releaseAll();
    this.abort.abort();
    this.wakeFetch();
    this.deps.onClose(this);
  }

  /**
   * Kafka's answer to a request it cannot or will not parse: the connection is closed, with a log
   * line. Nothing more is read; the answers to earlier requests still go out first.
   */
  private refuse(api: string, reason: string): void {
    this.deps.ctx.metrics.requestErrors.inc({ api, listener: 'kafka' });
    this.deps.logger.warn({ connectionId: this.connectionId, clientHost: this.clientHost, clientId: this.clientId, reason }, 'closing kafka connection');
    this.drain();
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.draining) return;
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      this.refuse('malformed', `bad frame: ${(e as Error).message} (the largest request accepted is ${this.deps.maxFrameBytes} bytes)`);
      return;
    }
    for (const frame of frames) {
      if (this.closed || this.draining) return;
      this.onFrame(frame);
    }
    this.updateBackpressure();
  }

  private onFrame(frame: Uint8Array): void {
    let req: kafka.DecodedKafkaRequest;
    try {
      req = kafka.decodeKafkaRequest(frame);
    } catch (e) {
      if (!(e instanceof ProtocolError) && !(e instanceof kafka.UnsupportedVersionError) && !(e instanceof RangeError)) {
        this.deps.logger.error({ err: e }, 'kafka request decoding failed');
      }
      this.refuse('malformed', `malformed request: ${(e as Error).message}`);
      return;
    }
    const { header } = req;
    if (header.clientId) this.clientId = header.clientId;
    if (req.kind === 'unsupported') {
      if (req.apiName === 'ApiVersions') {
        // Kafka's answer to a newer ApiVersions than it knows: v0, UNSUPPORTED_VERSION and its ranges.
        void this.enqueue(frame.length, 'ApiVersions', 0, header.correlationId, () =>
          Promise.resolve({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: servedVersionRanges(), throttleTimeMs: 0 }),
        );
        return;
      }
      this.refuse(req.apiName ?? 'unknown', `unsupported request: api key ${header.requestApiKey} version ${header.requestApiVersion}`);
      return;
    }
    const adapter = this.deps.adapters[req.api] as KafkaAdapter<KafkaApiName> | undefined;
    if (!adapter) {
      this.refuse(req.api, `${req.api} is not served by this broker yet`);
      return;
    }
    if (!this.authenticated && !BEFORE_AUTH.has(req.api)) {
      this.refuse(req.api, `${req.api} before SASL authentication`);
      return;
    }
    const rc: KafkaRequestContext = { version: header.requestApiVersion, conn: this, ctx: this.deps.ctx, handlers: this.deps.handlers };
    const body = req.body as never;
    // Behind an earlier request of this connection that is still starting its partitions.
    const handle = () => (this.dispatch.open ? adapter.handle(body, rc) : this.dispatch.wait().then(() => adapter.handle(body, rc)));
    const fetch = req.api === 'Fetch';
    const settled = this.enqueue(frame.length, req.api, rc.version, header.correlationId, fetch ? this.fetchTurn(handle) : handle, (code, message) => adapter.error?.(body, code, message, rc));
    if (fetch) this.fetchChain = settled;
  }

  /**
   * A Fetch runs after the previous one's answer is queued or written, and once the answers the
   * client has not taken are under FETCH_ROOM_BYTES.
   */
  private fetchTurn(run: () => Promise<unknown>): () => Promise<unknown> {
    const previous = this.fetchChain;
    return async () => {
      await previous;
      while (!this.closed && this.socket.writableLength + this.queuedAnswerBytes > FETCH_ROOM_BYTES) {
        await new Promise<void>((resolve) => (this.roomWaiter = resolve));
      }
      return run();
    };
  }

  private wakeFetch(): void {
    const wake = this.roomWaiter;
    this.roomWaiter = null;
    wake?.();
  }

  /**
   * Starts a request now (in arrival order) and queues its answer behind the earlier ones.
   * `error` builds Kafka's error answer for a request that failed as a whole.
   */
  private enqueue(
    size: number,
    api: KafkaApiName,
    version: number,
    correlationId: number,
    run: () => Promise<unknown>,
    error?: (code: number, message: string) => unknown,
  ): Promise<void> {
    const slot: Slot = { done: false, frame: null, frameBytes: 0, size };
    this.slots.push(slot);
    this.requests.add(size);
    const end = this.deps.ctx.metrics.latencyOf(api, 'kafka').startTimer();
    let started: Promise<unknown>;
    try {
      started = run();
    } catch (e) {
      started = Promise.reject(e);
    }
    return started
      .catch((e: unknown) => {
        const { errorCode, errorMessage } = toKafkaError(e, this.deps.logger);
        this.deps.ctx.metrics.requestErrors.inc({ api, listener: 'kafka' });
        const answer = error?.(errorCode, errorMessage);
        if (answer === undefined) throw new Error(`${api} failed: ${errorMessage}`);
        return answer;
      })
      .then((res) => {
        if (res !== null) {
          slot.frame = kafka.encodeKafkaResponseChunks(api, version, correlationId, res as never);
          for (const c of slot.frame) slot.frameBytes += c.length;
          this.queuedAnswerBytes += slot.frameBytes;
        }
      })
      .catch((e: unknown) => {
        this.deps.logger.warn({ connectionId: this.connectionId, api, version, err: (e as Error).message }, 'kafka request failed without an answer; closing the connection');
        this.destroy('request failed');
      })
      .finally(() => {
        end();
        slot.done = true;
        this.flush();
      });
  }

  /** Writes the finished answers at the head of the queue, in request order. */
  private flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      this.requests.add(-slot.size);
      this.queuedAnswerBytes -= slot.frameBytes;
      if (slot.frame && !this.closed) {
        this.writes.cork();
        const written = this.answers.hold(slot.frameBytes);
        const last = slot.frame.length - 1;
        for (let i = 0; i < last; i++) this.socket.write(slot.frame[i]!);
        this.socket.write(slot.frame[last]!, written);
      }
    }
    // Written answers now count in writableLength until the client takes them ('drain').
    if (this.socket.writableLength <= FETCH_ROOM_BYTES) this.wakeFetch();
    if (this.draining && this.slots.length === 0 && !this.closed) this.end();
    this.updateBackpressure();
  }

  private updateBackpressure(): void {
    if (this.closed || this.draining) return;
    const own = this.requests.bytes;
    const over =
      this.slots.length >= this.deps.maxInFlight || own > MAX_IN_FLIGHT_REQUEST_BYTES || this.requests.memory.full(own) || this.socket.writableLength > HIGH_WATER_BYTES;
    if (over && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!over && this.paused && this.requests.memory.roomFor(own)) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
