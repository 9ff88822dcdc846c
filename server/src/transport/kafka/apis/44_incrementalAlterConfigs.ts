// IncrementalAlterConfigs: topic config overrides (SET 0, DELETE 1; APPEND 2 and SUBTRACT 3 have
// no list settings to act on). Unknown settings: INVALID_CONFIG.
import { ErrorCode } from '@brook/protocol';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';
import { resourceType } from './32_describeConfigs.js';

const OPS = ['set', 'delete', 'append', 'subtract'] as const;

export const incrementalAlterConfigs: KafkaAdapter<'IncrementalAlterConfigs'> = {
  async handle(body, rc) {
    const known = body.resources.filter((r) => resourceType(r.resourceType) !== null && r.configs.every((c) => OPS[c.configOperation] !== undefined));
    const res = await rc.handlers.IncrementalAlterConfigs(
      {
        validateOnly: body.validateOnly,
        resources: known.map((r) => ({ type: resourceType(r.resourceType)!, name: r.resourceName, changes: r.configs.map((c) => ({ name: c.name, op: OPS[c.configOperation]!, value: c.value })) })),
      },
      rc.conn,
    );
    const responses = res.results.map((r, i) => ({ errorCode: kafkaCode(r.errorCode), errorMessage: r.errorMessage, resourceType: known[i]!.resourceType, resourceName: r.name }));
    const refused = body.resources
      .filter((r) => !known.includes(r))
      .map((r) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'unknown resource type or config operation', resourceType: r.resourceType, resourceName: r.resourceName }));
    return { throttleTimeMs: 0, responses: [...responses, ...refused] };
  },
};
