// DescribeConfigs: topic settings (with where each comes from) and the broker's, read-only.
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { allowed } from './acl.js';
import { toErrorCode } from './errors.js';
import { brokerConfigs, topicConfigs, type ConfigEntry } from '../services/configs.js';

export type ConfigResourceType = 'topic' | 'broker';

export interface DescribeConfigsRequest {
  resources: Array<{ type: ConfigResourceType; name: string; /** null: every setting */ keys: string[] | null }>;
}
export interface DescribeConfigsResponse {
  results: Array<{ type: ConfigResourceType; name: string; errorCode: number; errorMessage: string | null; configs: ConfigEntry[] }>;
}

export function describeConfigs(ctx: BrokerContext): ServerHandler<DescribeConfigsRequest, DescribeConfigsResponse> {
  return async (req, conn) => ({
    results: req.resources.map((r) => {
      const refuse = (errorCode: number, errorMessage: string) => ({ type: r.type, name: r.name, errorCode, errorMessage, configs: [] });
      const permitted = r.type === 'topic' ? allowed(ctx, conn, 'topic', r.name, 'describe') : allowed(ctx, conn, 'cluster', '', 'admin');
      if (!permitted) {
        return r.type === 'topic' ? refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not allowed to describe ${r.name}`) : refuse(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'describing the broker needs cluster admin');
      }
      try {
        const all = r.type === 'topic' ? topicConfigs(ctx, r.name) : brokerConfigs(ctx, r.name);
        return { type: r.type, name: r.name, errorCode: 0, errorMessage: null, configs: r.keys === null ? all : all.filter((c) => r.keys!.includes(c.name)) };
      } catch (e) {
        return refuse(toErrorCode(e, ctx.logger).errorCode, toErrorCode(e, ctx.logger).errorMessage);
      }
    }),
  });
}
