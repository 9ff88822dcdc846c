// The wire side shared by the client tests' in-memory brokers (fakeBroker.ts,
// fixtures/consumer-fakeGroupBroker.ts): a `ws` server on an ephemeral port that decodes request
// frames, answers Handshake, and hands every other request to the broker's handler for its API
// (an API without one is answered UNSUPPORTED_VERSION, an undecodable frame with its error).
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  decodeRequest,
  encodeErrorResponse,
  encodeResponse,
  type ApiName,
  type DecodedRequest,
  type ResponseOf,
} from '@brook/protocol';

/** A decoded request of one API. */
export type FakeRequest<N extends ApiName> = Extract<DecodedRequest, { name: N }>;

/** The broker's answer to each API it speaks, by API name. */
export type FakeHandlers = { [N in ApiName]?: (ws: WebSocket, req: FakeRequest<N>) => void | Promise<void> };

export interface FakeServer {
  url: string;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

export interface FakeServerOptions {
  handlers: FakeHandlers;
  /** The max.message.bytes the handshake announces, read at each handshake (default 1 MiB). */
  maxMessageBytes?: () => number;
}

export async function startFakeServer({ handlers, maxMessageBytes = () => 1024 * 1024 }: FakeServerOptions): Promise<FakeServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const handle = (ws: WebSocket, req: DecodedRequest): void | Promise<void> => {
    const id = req.header.correlationId;
    if (req.name === 'Handshake') {
      const body: ResponseOf<'Handshake'> = { protocol: PROTOCOL_VERSION, brokerVersion: 'fake', apis: [], maxMessageBytes: maxMessageBytes(), maxFrameBytes: 16 * 1024 * 1024, principal: null };
      ws.send(encodeResponse('Handshake', id, body));
      return;
    }
    const handler = handlers[req.name] as ((ws: WebSocket, req: DecodedRequest) => void | Promise<void>) | undefined;
    if (handler) return handler(ws, req);
    ws.send(encodeErrorResponse(id, ErrorCode.UNSUPPORTED_VERSION, `${req.name} not in the fake broker`));
  };
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const r = decodeRequest(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!r.ok) {
        if (r.error.header) ws.send(encodeErrorResponse(r.error.header.correlationId, r.error.code, r.error.message));
        return;
      }
      void handle(ws, r.value);
    });
  });
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/** Empty partition logs for `{ topic: partitionCount }`. */
export function emptyLogs<T>(topics: Record<string, number>): Map<string, T[][]> {
  return new Map(Object.entries(topics).map(([t, n]) => [t, Array.from({ length: n }, (): T[] => [])]));
}
