// DescribeConfigs: topics (resource type 2) and the broker (4). Other resource types: INVALID_REQUEST.
import { ErrorCode } from '@brook/protocol';
import type { ConfigResourceType } from '../../../api/32_describeConfigs.js';
import type { ConfigSource } from '../../../services/configs.js';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

/** Kafka's ConfigResource.Type codes. */
export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

export function resourceType(code: number): ConfigResourceType | null {
  return code === RESOURCE_TOPIC ? 'topic' : code === RESOURCE_BROKER ? 'broker' : null;
}

/** Kafka's DescribeConfigsResponse.ConfigSource codes. */
export function configSource(s: ConfigSource): number {
  return s === 'topic' ? 1 : s === 'static-broker' ? 4 : 5;
}

export const describeConfigs: KafkaAdapter<'DescribeConfigs'> = {
  async handle(body, rc) {
    const known = body.resources.filter((r) => resourceType(r.resourceType) !== null);
    const res = await rc.handlers.DescribeConfigs({ resources: known.map((r) => ({ type: resourceType(r.resourceType)!, name: r.resourceName, keys: r.configurationKeys })) }, rc.conn);
    const results = res.results.map((r, i) => ({
      errorCode: kafkaCode(r.errorCode),
      errorMessage: r.errorMessage,
      resourceType: known[i]!.resourceType,
      resourceName: r.name,
      configs: r.configs.map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        configSource: configSource(c.source),
        isSensitive: false,
        synonyms: body.includeSynonyms ? [{ name: c.name, value: c.value, source: configSource(c.source) }] : [],
        configType: 0,
        documentation: null,
      })),
    }));
    const unknown = body.resources
      .filter((r) => resourceType(r.resourceType) === null)
      .map((r) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${r.resourceType} has no configs here`, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] }));
    return { throttleTimeMs: 0, results: [...results, ...unknown] };
  },
};
