// FindCoordinator: v0-3 ask for one key, v4+ for many; every answer is this broker.
import type { KafkaAdapter } from '../types.js';
import { kafkaCode } from '../errors.js';

export const findCoordinator: KafkaAdapter<'FindCoordinator'> = {
  async handle(body, rc) {
    const batched = rc.version >= 4;
    const res = await rc.handlers.FindCoordinator({ keyType: body.keyType, keys: batched ? body.coordinatorKeys : [body.key] }, rc.conn);
    const coordinators = res.coordinators.map((c) => ({ ...c, errorCode: kafkaCode(c.errorCode) }));
    if (batched) return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0, coordinators };
    const c = coordinators[0]!;
    return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port, coordinators: [] };
  },
  error: (body, errorCode, errorMessage, rc) =>
    rc.version >= 4
      ? { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0, coordinators: body.coordinatorKeys.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage })) }
      : { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1, coordinators: [] },
};
