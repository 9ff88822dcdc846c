// FindCoordinator: the one broker coordinates every group and transactional id. Answered with
// the Kafka listener's endpoint; COORDINATOR_NOT_AVAILABLE while that listener is off.
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { allowed } from './acl.js';
import { NODE_ID } from '../services/cluster.js';

export interface FindCoordinatorRequest {
  /** 0: groups, 1: transactional ids (Kafka's CoordinatorType). */
  keyType: number;
  keys: string[];
}
export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface FindCoordinatorResponse {
  coordinators: Coordinator[];
}

export function findCoordinator(ctx: BrokerContext): ServerHandler<FindCoordinatorRequest, FindCoordinatorResponse> {
  return async (req, conn) => ({
    coordinators: req.keys.map((key) => {
      const refuse = (errorCode: number, errorMessage: string) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage });
      if (req.keyType !== 0 && req.keyType !== 1) return refuse(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${req.keyType}`);
      const ok = req.keyType === 0 ? allowed(ctx, conn, 'group', key, 'use') : allowed(ctx, conn, 'transactionalId', key, 'write');
      if (!ok) {
        return req.keyType === 0
          ? refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, `not allowed to use group ${key}`)
          : refuse(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, `not allowed to use transactional id ${key}`);
      }
      const at = ctx.cluster.kafkaEndpoint;
      if (!at) return refuse(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the Kafka listener is off');
      return { key, nodeId: NODE_ID, host: at.host, port: at.port, errorCode: 0, errorMessage: null };
    }),
  });
}
