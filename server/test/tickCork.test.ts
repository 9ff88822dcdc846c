// The answers finished in one tick leave in one write: TickCork corks a socket at the first write
// of a turn and uncorks once that turn's microtasks (where handlers resolve) have run.
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TickCork } from '../src/transport/tickCork.js';

describe('TickCork', () => {
  it('corks once per tick and uncorks after the microtasks of that tick', async () => {
    const calls: string[] = [];
    const cork = new TickCork({ cork: () => calls.push('cork'), uncork: () => calls.push('uncork') });
    cork.cork();
    cork.cork();
    await Promise.resolve().then(() => {
      cork.cork(); // an answer resolved in a microtask of the same turn: same write
      calls.push('write in a microtask');
    });
    expect(calls).toEqual(['cork', 'write in a microtask']);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['cork', 'write in a microtask', 'uncork']);
    cork.cork(); // the next turn corks again
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['cork', 'write in a microtask', 'uncork', 'cork', 'uncork']);
  });

  it('on a TCP socket, the frames of one tick arrive together, in order', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    const sock = await accepted;
    const writes: number[] = [];
    // Count the chunks handed to the kernel: one _writev (or _write) per uncork.
    const orig = sock._writev!.bind(sock);
    sock._writev = (chunks, cb) => {
      writes.push(chunks.length);
      orig(chunks, cb);
    };
    const cork = new TickCork(sock);
    const received: Buffer[] = [];
    const all = new Promise<void>((resolve) => client.on('data', (d: Buffer) => (received.push(d), Buffer.concat(received).length === 30 && resolve())));
    for (let i = 0; i < 3; i++) {
      await Promise.resolve();
      cork.cork();
      sock.write(Buffer.alloc(10, 65 + i));
    }
    await all;
    expect(writes).toEqual([3]);
    expect(Buffer.concat(received).toString()).toBe('A'.repeat(10) + 'B'.repeat(10) + 'C'.repeat(10));
    client.destroy();
    sock.destroy();
    await new Promise((r) => server.close(r));
  });
});
