// A fake Kafka cluster of several brokers (one TCP server each, on Brook's Kafka codec) whose
// answers a test scripts: leaders that move, coordinators that are not. What Brook alone (one
// node) cannot show: routing per leader, and the retries after NOT_LEADER_OR_FOLLOWER and
// NOT_COORDINATOR.
import { createServer, type Server, type Socket } from 'node:net';
import { kafka } from '@brook/protocol';

type Name = kafka.KafkaApiName;
export interface Received {
  node: number;
  api: Name;
  body: Record<string, unknown>;
}
/** A test's answer to a request (fields left out take their defaults); undefined: the default answer. */
export type Script = (node: number, api: Name, body: Record<string, unknown>) => Record<string, unknown> | undefined;

export class FakeCluster {
  readonly received: Received[] = [];
  /** Leader node id per "topic/partition". */
  readonly leaders = new Map<string, number>();
  readonly topicIds = new Map<string, string>();
  script: Script = () => undefined;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  ports: number[] = [];

  static async start(nodes: number): Promise<FakeCluster> {
    const c = new FakeCluster();
    for (let node = 0; node < nodes; node++) {
      const server = createServer((s) => c.serve(node, s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      c.servers.push(server);
      c.ports.push((server.address() as { port: number }).port);
    }
    return c;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.ports[0]}`;
  }

  topic(name: string, leaders: number[]): void {
    // 22 characters of base64 for 16 bytes: the last one carries no bits of its own.
    this.topicIds.set(name, `${kafka.ZERO_UUID.slice(0, 20)}${String.fromCharCode(66 + this.topicIds.size)}A`);
    leaders.forEach((l, p) => this.leaders.set(`${name}/${p}`, l));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }

  private serve(node: number, socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const splitter = new kafka.FrameSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        const req = kafka.decodeKafkaRequest(frame);
        if (req.kind !== 'request') throw new Error(`unsupported request ${req.header.requestApiKey}`);
        const body = req.body as Record<string, unknown>;
        this.received.push({ node, api: req.api, body });
        const answer = this.script(node, req.api, body) ?? this.defaultAnswer(req.api, body);
        if (req.api === 'Produce' && body.acks === 0) continue;
        socket.write(kafka.encodeKafkaResponse(req.api, req.header.requestApiVersion, req.header.correlationId, answer as never));
      }
    });
  }

  private defaultAnswer(api: Name, body: Record<string, unknown>): Record<string, unknown> {
    switch (api) {
      case 'ApiVersions':
        return { errorCode: 0, apiKeys: kafka.apiVersionRanges() };
      case 'Metadata': {
        const asked = (body.topics as Array<{ name: string }> | null)?.map((t) => t.name) ?? [...this.topicIds.keys()];
        return {
          brokers: this.ports.map((port, nodeId) => ({ nodeId, host: '127.0.0.1', port })),
          topics: asked.map((name) => {
            const id = this.topicIds.get(name);
            if (!id) return { errorCode: 3, name, partitions: [] };
            const parts = [...this.leaders].filter(([k]) => k.startsWith(`${name}/`)).map(([k, leaderId]) => ({ partitionIndex: Number(k.split('/')[1]), leaderId, replicaNodes: [leaderId], isrNodes: [leaderId] }));
            return { errorCode: 0, name, topicId: id, partitions: parts };
          }),
        };
      }
      case 'Produce':
        return {
          responses: (body.topicData as Array<{ name: string; partitionData: Array<{ index: number }> }>).map((t) => ({
            name: t.name,
            partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: this.leaders.get(`${t.name}/${p.index}`) === undefined ? 3 : 0, baseOffset: 0 })),
          })),
        };
      case 'FindCoordinator':
        return { coordinators: (body.coordinatorKeys as string[]).map((key) => ({ key, nodeId: 0, host: '127.0.0.1', port: this.ports[0] })) };
      case 'OffsetCommit':
        return {
          topics: (body.topics as Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
        };
      default:
        throw new Error(`the fake cluster has no default answer for ${api}`);
    }
  }
}
