/**
 * One client WebSocket: decodes frames, enforces the handshake and the in-flight limit, runs
 * requests concurrently (responses carry correlation ids, so order does not matter), and applies
 * backpressure by pausing the socket while too much is in flight or unsent.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import {
  ErrorCode,
  BrookError,
  decodeRequest,
  encodeErrorResponse,
  encodeResponse,
  type ApiName,
  type DecodedRequest,
} from '@brook/protocol';
import type { ApiHandlers, ConnectionInfo } from '../api/types.js';
import type { BrokerMetrics } from '../metrics.js';
import type { Principal } from '../auth/authorizer.js';
import { TickCork } from './tickCork.js';
import { ConnectionShare, MAX_IN_FLIGHT_REQUEST_BYTES, type AnswerMemory, type RequestMemory } from '../services/answerMemory.js';
import { DispatchGate } from '../api/turns.js';

const HIGH_WATER_BYTES = 8 * 1024 * 1024;
/**
 * A Fetch runs only once the bytes the client has not taken yet are under this: a client that
 * sends fetches and never reads gets no more results (each up to its maxBytes) piled up.
 */
const FETCH_ROOM_BYTES = 1024 * 1024;

let nextId = 1;

export class ClientConnection implements ConnectionInfo {
  readonly connectionId = `c${nextId++}`;
  clientId = '';
  handshaken = false;
  principal: Principal | null = null;
  readonly clientHost: string;
  private inFlight = 0;
  /** Request bytes read and not yet answered, in the broker-wide count. */
  private readonly requests: ConnectionShare<RequestMemory>;
  /** A timer polls bufferedAmount while reading is paused. */
  private polling = false;
  /** Fetches of one connection run one at a time (as Kafka clients send them), bounding their memory. */
  private fetchChain: Promise<unknown> = Promise.resolve();
  private paused = false;
  private closed = false;
  private readonly abort = new AbortController();
  /** The TCP socket under the WebSocket, corked per tick (null if `ws` ever stops exposing it). */
  private readonly writes: TickCork | null;
  /** Its answers not yet handed to the kernel, in the broker-wide count. */
  private readonly answers: ConnectionShare<AnswerMemory>;

  constructor(
    private readonly socket: WebSocket,
    remoteAddress: string,
    private readonly handlers: ApiHandlers,
    private readonly logger: Logger,
    private readonly maxInFlight: number,
    private readonly metrics: BrokerMetrics,
    answerMemory: AnswerMemory,
    requestMemory: RequestMemory,
    private readonly onClose: (c: ClientConnection) => void,
  ) {
    this.answers = new ConnectionShare(answerMemory);
    this.requests = new ConnectionShare(requestMemory);
    this.clientHost = remoteAddress;
    const tcp = (socket as unknown as { _socket?: Socket })._socket;
    this.writes = tcp ? new TickCork(tcp) : null;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    socket.on('close', () => this.handleClose());
    socket.on('error', (err) => this.logger.debug({ err, connectionId: this.connectionId }, 'socket error'));
  }

  /** True while requests are being processed (shutdown waits for them). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Aborted when the connection closes, so long polls stop waiting. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  push(frame: Uint8Array): void {
    if (!this.closed) this.send(frame);
  }
  readonly pushes = true;
  readonly dispatch = new DispatchGate();

  /** Every frame to the client goes out here: the frames of one tick share a write. */
  private send(frame: Uint8Array): void {
    this.writes?.cork();
    this.socket.send(frame, this.answers.hold(frame.length));
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.answers.releaseAll();
    this.requests.releaseAll();
    this.abort.abort();
    this.onClose(this);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.socket.close(1003, 'Brook speaks binary frames only');
      return;
    }
    const buf = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const decoded = decodeRequest(buf);
    if (!decoded.ok) {
      const { header, code, message } = decoded.error;
      this.metrics.requestErrors.inc({ api: 'malformed', listener: 'ws' });
      if (header === null) {
        this.socket.close(1002, message.slice(0, 120));
        return;
      }
      this.logger.debug({ connectionId: this.connectionId, err: message }, 'bad request');
      this.send(encodeErrorResponse(header.correlationId, code, message));
      return;
    }
    const req = decoded.value;
    if (!this.handshaken && req.name !== 'Handshake') {
      this.send(encodeErrorResponse(req.header.correlationId, ErrorCode.HANDSHAKE_REQUIRED, 'send Handshake first'));
      return;
    }
    this.inFlight++;
    this.requests.add(buf.length);
    this.updateBackpressure();
    void this.run(req, buf.length);
  }

  private async run(req: DecodedRequest, size: number): Promise<void> {
    const end = this.metrics.latencyOf(req.name).startTimer();
    const { correlationId } = req.header;
    try {
      // Behind an earlier request of this connection that is still starting its partitions.
      if (!this.dispatch.open) await this.dispatch.wait();
      const handler = this.handlers[req.name] as (body: unknown, conn: ClientConnection) => Promise<unknown>;
      let res: unknown;
      if (req.name === 'Fetch') {
        const turn = this.fetchChain.then(async () => {
          // A client that does not read its answers gets no new fetch results piled on top.
          while (this.socket.bufferedAmount > FETCH_ROOM_BYTES && !this.closed) await new Promise((r) => setTimeout(r, 5));
          return handler(req.body, this);
        });
        this.fetchChain = turn.catch(() => undefined);
        res = await turn;
      } else res = await handler(req.body, this);
      if (res !== null && !this.closed) {
        this.send(encodeResponse(req.name as ApiName, correlationId, res as never));
      }
    } catch (e) {
      const err = e instanceof BrookError ? e : null;
      if (!err) this.logger.error({ err: e, api: req.name }, 'request failed');
      this.metrics.requestErrors.inc({ api: req.name, listener: 'ws' });
      if (!this.closed) {
        this.send(
          encodeErrorResponse(correlationId, err?.code ?? ErrorCode.UNKNOWN_SERVER_ERROR, err?.message ?? 'internal error'),
        );
      }
    } finally {
      end();
      this.inFlight--;
      this.requests.add(-size);
      this.updateBackpressure();
    }
  }

  /** Called when a request arrives or is answered: pause reading over the limits, resume (with some hysteresis) below them. */
  private updateBackpressure(): void {
    if (this.closed) return;
    if (this.paused) {
      // Resume as soon as answers went out: a producer pausing on its in-flight bytes must not
      // wait for the timer (FINDINGS.md, 2026-12-01, third session).
      if (this.canResume()) this.resume();
      return;
    }
    const own = this.requests.bytes;
    const over =
      this.inFlight >= this.maxInFlight || own > MAX_IN_FLIGHT_REQUEST_BYTES || this.requests.memory.full(own) || this.socket.bufferedAmount > HIGH_WATER_BYTES;
    if (!over) return;
    this.paused = true;
    this.socket.pause();
    // bufferedAmount has no drain event: while paused, also poll until the client reads (one
    // poller per connection, however often it pauses).
    if (this.polling) return;
    this.polling = true;
    const tick = () => {
      if (this.closed || !this.paused) {
        this.polling = false;
        return;
      }
      if (this.canResume()) {
        this.polling = false;
        this.resume();
      } else setTimeout(tick, 5).unref();
    };
    setTimeout(tick, 5).unref();
  }

  private canResume(): boolean {
    const own = this.requests.bytes;
    return (
      this.inFlight < this.maxInFlight &&
      own <= MAX_IN_FLIGHT_REQUEST_BYTES / 2 &&
      this.requests.memory.roomFor(own) &&
      this.socket.bufferedAmount <= HIGH_WATER_BYTES / 2
    );
  }

  private resume(): void {
    this.paused = false;
    this.socket.resume();
  }
}
