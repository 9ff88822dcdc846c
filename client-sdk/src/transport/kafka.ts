/**
 * Kafka's TCP protocol in Node: the socket opener the cluster (cluster/kafkaCluster.ts) runs on,
 * with node:net, or node:tls when `ssl` is set. Node only: never imported statically by the SDK's
 * entry (context.ts loads it when the first Kafka connection is made), so browser builds leave it out.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import type { ByteSocket, SocketOpener } from '../cluster/socket.js';

function wrap(socket: Socket): ByteSocket {
  let closed = false;
  const s: ByteSocket = {
    write: (bytes) => {
      socket.write(bytes);
    },
    get bufferedAmount() {
      return socket.writableLength;
    },
    close: () => socket.destroy(),
    onData: null,
    onClose: null,
  };
  socket.on('data', (chunk: Buffer) => s.onData?.(chunk));
  const done = (err?: Error) => {
    if (closed) return;
    closed = true;
    s.onClose?.(err);
  };
  socket.on('error', done);
  socket.on('close', () => done());
  return s;
}

export const openTcpSocket: SocketOpener = (host, port, opts) =>
  new Promise<ByteSocket>((resolve, reject) => {
    const tls = opts.tls;
    let socket: Socket;
    const ready = () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(wrap(socket));
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    if (tls) {
      const options: ConnectionOptions = { host, port, ...(typeof tls === 'object' ? tls : {}) } as ConnectionOptions;
      // SNI takes host names only.
      if (options.servername === undefined && isIP(host) === 0) options.servername = host;
      socket = tlsConnect(options, ready);
    } else {
      socket = netConnect({ host, port }, ready);
    }
    const timer = setTimeout(() => fail(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    socket.once('error', fail);
  });
