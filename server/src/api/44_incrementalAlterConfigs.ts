// IncrementalAlterConfigs: set or remove topic config overrides; the broker's settings are fixed
// at start-up. Unknown settings and bad values: INVALID_CONFIG.
import { BrookError, ErrorCode } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { authorize } from './acl.js';
import { toErrorCode } from './errors.js';
import type { ConfigResourceType } from './32_describeConfigs.js';

export interface IncrementalAlterConfigsRequest {
  resources: Array<{ type: ConfigResourceType; name: string; changes: Array<{ name: string; op: 'set' | 'delete' | 'append' | 'subtract'; value: string | null }> }>;
  validateOnly: boolean;
}
export interface IncrementalAlterConfigsResponse {
  results: Array<{ type: ConfigResourceType; name: string; errorCode: number; errorMessage: string | null }>;
}

export function incrementalAlterConfigs(ctx: BrokerContext): ServerHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> {
  return async (req, conn) => ({
    results: await Promise.all(
      req.resources.map(async (r) => {
        try {
          authorize(ctx, conn, 'cluster', '', 'admin');
          if (r.type !== 'topic') throw new BrookError(ErrorCode.INVALID_REQUEST, 'broker settings are fixed at start-up');
          const changes: Record<string, string | null> = {};
          for (const c of r.changes) {
            if (c.op === 'append' || c.op === 'subtract') throw new BrookError(ErrorCode.INVALID_CONFIG, `${c.name} is not a list setting`);
            if (c.op === 'set' && c.value === null) throw new BrookError(ErrorCode.INVALID_CONFIG, `${c.name}: a value is needed`);
            changes[c.name] = c.op === 'set' ? c.value : null;
          }
          await ctx.topics.alterConfigs(r.name, changes, { validateOnly: req.validateOnly });
          return { type: r.type, name: r.name, errorCode: 0, errorMessage: null };
        } catch (e) {
          return { type: r.type, name: r.name, ...toErrorCode(e, ctx.logger) };
        }
      }),
    ),
  });
}
