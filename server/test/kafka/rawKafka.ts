// A bare Kafka protocol client on the codec: for tests that choose exactly the bytes and versions
// they send, and see the answers in the order they arrive.
import { connect, type Socket } from 'node:net';
import { kafka } from '@brook/protocol';

type Name = kafka.KafkaApiName;

export class RawKafka {
  private nextId = 1;
  private readonly splitter = new kafka.FrameSplitter(1 << 30);
  private readonly pending = new Map<number, { name: Name; version: number; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Correlation ids in the order their answers arrived. */
  readonly arrived: number[] = [];
  /** Frames that matched no request (for tests that send raw bytes). */
  readonly stray: Uint8Array[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(new Uint8Array(chunk))) this.onFrame(frame);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        for (const p of this.pending.values()) p.reject(new Error('connection closed'));
        this.pending.clear();
        resolve();
      }),
    );
    socket.on('error', () => {});
  }

  static async connect(address: string): Promise<RawKafka> {
    const [host, port] = splitAddress(address);
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawKafka(socket);
  }

  private onFrame(frame: Uint8Array): void {
    const correlationId = new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
    this.arrived.push(correlationId);
    const p = this.pending.get(correlationId);
    if (!p) {
      this.stray.push(frame);
      return;
    }
    this.pending.delete(correlationId);
    try {
      p.resolve(kafka.decodeKafkaResponse(p.name, p.version, frame).body);
    } catch (e) {
      p.reject(e as Error);
    }
  }

  /** Sends a request; resolves with its decoded answer. */
  request<N extends Name>(name: N, version: number, body: Partial<kafka.KafkaRequestOf<N>>): Promise<kafka.KafkaResponseOf<N>> {
    const id = this.nextId++;
    const full = { ...kafka.KafkaApis[name].request.defaults(), ...body } as kafka.KafkaRequestOf<N>;
    const frame = kafka.encodeKafkaRequest(name, version, id, 'raw-kafka-test', full);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, version, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(frame);
    });
  }

  /** Sends a request that gets no answer (Produce with acks 0); returns its correlation id. */
  send<N extends Name>(name: N, version: number, body: Partial<kafka.KafkaRequestOf<N>>): number {
    const id = this.nextId++;
    const full = { ...kafka.KafkaApis[name].request.defaults(), ...body } as kafka.KafkaRequestOf<N>;
    this.socket.write(kafka.encodeKafkaRequest(name, version, id, 'raw-kafka-test', full));
    return id;
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
