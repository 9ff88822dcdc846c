/**
 * JSON Schemas of the admin API, shared by the routes. They validate requests and shape answers,
 * and @fastify/swagger publishes them at /openapi.json: they must say exactly what the broker
 * accepts and answers (`npm run test:api` holds the two to each other).
 */
import { NAME_PATTERN } from '@brook/protocol';
import { CLEANUP_POLICIES, NUMERIC_TOPIC_CONFIG_LIMITS } from '../log/topicConfig.js';

export { errorSchema } from './errors.js';

const NAME_RULE = 'ASCII letters, digits, ".", "_" and "-"; 1 to 249 characters; not "." or ".."';

export const topicName = { type: 'string', pattern: NAME_PATTERN, description: `A topic name: ${NAME_RULE}` } as const;

/** Names starting with "__" belong to internal topics: they cannot be created or deleted. */
export const userTopicName = {
  type: 'string',
  pattern: `^(?!__)${NAME_PATTERN.slice(1)}`,
  description: `A topic name: ${NAME_RULE}; not starting with "__" (reserved for internal topics)`,
} as const;

/** The broker refuses other group ids on the wire too, so none can exist. */
export const groupName = { type: 'string', pattern: NAME_PATTERN, description: `A consumer group id: ${NAME_RULE}` } as const;

export const partitionNumber = { type: 'integer', minimum: 0, maximum: 0x7fffffff } as const;

/** An offset in JSON: decimal text (64-bit offsets do not fit a JSON number everywhere). */
const offsetText = { type: 'string', pattern: '^[0-9]+$' } as const;
const nullableOffsetText = { type: ['string', 'null'], pattern: '^[0-9]+$' } as const;

export const topicParams = { type: 'object', properties: { topic: topicName }, required: ['topic'] } as const;
export const userTopicParams = { type: 'object', properties: { topic: userTopicName }, required: ['topic'] } as const;
export const partitionParams = { type: 'object', properties: { topic: topicName, partition: partitionNumber }, required: ['topic', 'partition'] } as const;
export const groupParams = { type: 'object', properties: { group: groupName }, required: ['group'] } as const;

/** Decimal text for a whole number in [min, max]; min is -1, 0 or 1. Only as many digits as always fit under max. */
function decimalText(min: number, max: number): string {
  const digits = String(max).length - 1;
  return `^(${min <= -1 ? '-1|' : ''}${min <= 0 ? '0|' : ''}[1-9][0-9]{0,${digits - 1}})$`;
}

/** Topic config overrides as sent: numbers as JSON integers or as decimal text (Kafka's configs are text). */
export const topicConfigRequest = {
  type: 'object',
  additionalProperties: false,
  properties: {
    'cleanup.policy': { type: 'string', enum: [...CLEANUP_POLICIES] },
    ...Object.fromEntries(
      Object.entries(NUMERIC_TOPIC_CONFIG_LIMITS).map(([key, { min, max }]) => [
        key,
        { oneOf: [{ type: 'integer', minimum: min, maximum: max }, { type: 'string', pattern: decimalText(min, max) }] },
      ]),
    ),
  },
} as const;

/** The effective config of a topic: every setting, numbers as JSON numbers. */
export const topicConfigResponse = {
  type: 'object',
  properties: {
    'cleanup.policy': { type: 'string', enum: [...CLEANUP_POLICIES] },
    ...Object.fromEntries(Object.keys(NUMERIC_TOPIC_CONFIG_LIMITS).map((key) => [key, { type: 'integer' }])),
  },
  required: ['cleanup.policy', ...Object.keys(NUMERIC_TOPIC_CONFIG_LIMITS)],
} as const;

const encoding = { type: ['string', 'null'], enum: ['utf8', 'base64', null] } as const;

/** One record as /records and /tail show it. */
export const recordSchema = {
  type: 'object',
  properties: {
    offset: offsetText,
    timestamp: { type: 'string', pattern: '^-?[0-9]+$' },
    key: { type: ['string', 'null'] },
    keyEncoding: encoding,
    value: { type: ['string', 'null'] },
    valueEncoding: encoding,
    headers: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    headerEncodings: { type: 'object', additionalProperties: encoding, description: 'How each header value is written: utf8 text or base64' },
  },
  required: ['offset', 'timestamp', 'key', 'keyEncoding', 'value', 'valueEncoding', 'headers', 'headerEncodings'],
} as const;

export const recordPage = {
  type: 'object',
  properties: {
    topic: { type: 'string' },
    partition: { type: 'integer' },
    records: {
      type: 'array',
      items: recordSchema,
      description: 'At most `limit` records, and no more once their keys and values pass 4 MiB (the first record is always there): read on from nextOffset',
    },
    nextOffset: offsetText,
    endOffset: offsetText,
  },
  required: ['topic', 'partition', 'records', 'nextOffset', 'endOffset'],
} as const;

export const outOfRangeSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, startOffset: offsetText, endOffset: offsetText },
  required: ['error', 'message', 'startOffset', 'endOffset'],
} as const;

const topicPartitions = {
  type: 'object',
  properties: { topic: { type: 'string' }, partitions: { type: 'array', items: { type: 'integer' } } },
  required: ['topic', 'partitions'],
} as const;

export const groupDescription = {
  type: 'object',
  properties: {
    groupId: { type: 'string' },
    // KIP-848 groups use the consumer protocol's state names, classic groups Kafka's classic ones.
    state: { type: 'string', enum: ['empty', 'assigning', 'reconciling', 'stable', 'dead', 'Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'] },
    protocolType: { type: 'string', description: "Classic groups only: the protocol type their members joined with ('consumer', 'connect', ...)" },
    epoch: { type: 'integer' },
    assignmentEpoch: { type: 'integer' },
    assignor: { type: 'string' },
    memberCount: { type: 'integer' },
    totalLag: offsetText,
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          memberId: { type: 'string' },
          instanceId: { type: ['string', 'null'] },
          clientId: { type: 'string' },
          host: { type: 'string' },
          memberEpoch: { type: 'integer' },
          state: { type: 'string', enum: ['stable', 'unrevoked_partitions', 'unreleased_partitions', 'awaiting_join', 'awaiting_sync'] },
          subscribedTopics: { type: 'array', items: { type: 'string' } },
          assignment: { type: 'array', items: topicPartitions },
          targetAssignment: { type: 'array', items: topicPartitions },
        },
        required: ['memberId', 'instanceId', 'clientId', 'host', 'memberEpoch', 'state', 'subscribedTopics', 'assignment', 'targetAssignment'],
      },
    },
    offsets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          topic: { type: 'string' },
          partition: { type: 'integer' },
          committedOffset: nullableOffsetText,
          endOffset: offsetText,
          lag: nullableOffsetText,
          memberId: { type: ['string', 'null'] },
          clientId: { type: ['string', 'null'] },
          host: { type: ['string', 'null'] },
        },
        required: ['topic', 'partition', 'committedOffset', 'endOffset', 'lag', 'memberId', 'clientId', 'host'],
      },
    },
  },
  required: ['groupId', 'state', 'epoch', 'assignmentEpoch', 'assignor', 'memberCount', 'totalLag', 'members', 'offsets'],
} as const;

export const offsetResetBody = {
  type: 'object',
  additionalProperties: false,
  required: ['topic', 'to'],
  properties: {
    topic: topicName,
    to: {
      description: 'earliest, latest, an absolute offset, the first offset at or after a timestamp (ms or RFC 3339), or a shift from the committed offset',
      oneOf: [
        { type: 'string', enum: ['earliest', 'latest'] },
        { type: 'object', additionalProperties: false, required: ['offset'], properties: { offset: { oneOf: [offsetText, { type: 'integer', minimum: 0 }] } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['timestamp'],
          properties: { timestamp: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', format: 'date-time' }] } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['shiftBy'],
          properties: { shiftBy: { oneOf: [{ type: 'string', pattern: '^-?[0-9]+$' }, { type: 'integer' }] } },
        },
      ],
    },
    partitions: { type: 'array', items: partitionNumber },
    dryRun: { type: 'boolean', default: false },
  },
} as const;

export const offsetResetResult = {
  type: 'object',
  properties: {
    groupId: { type: 'string' },
    topic: { type: 'string' },
    dryRun: { type: 'boolean' },
    offsets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { partition: { type: 'integer' }, previousOffset: nullableOffsetText, newOffset: offsetText },
        required: ['partition', 'previousOffset', 'newOffset'],
      },
    },
  },
  required: ['groupId', 'topic', 'dryRun', 'offsets'],
} as const;

/** Per-second produce and fetch rates over the last few seconds. */
export const ratesSchema = {
  type: 'object',
  description: 'Records and bytes per second over the last 5 s: appended by producers, served to fetches',
  properties: {
    produceRecords: { type: 'number' },
    produceBytes: { type: 'number' },
    fetchRecords: { type: 'number' },
    fetchBytes: { type: 'number' },
  },
  required: ['produceRecords', 'produceBytes', 'fetchRecords', 'fetchBytes'],
} as const;

/** The ports of both doors, as /health names them. */
export const listenersSchema = {
  type: 'object',
  properties: { http: { type: 'integer' }, kafka: { type: ['integer', 'null'], description: 'The Kafka protocol port; null when that listener is off' } },
  required: ['http', 'kafka'],
} as const;

/** GET /api/broker: what the console's overview shows, over the topics and groups the caller may describe. */
export const brokerOverview = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    clusterId: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    uptimeSeconds: { type: 'number' },
    listeners: listenersSchema,
    authEnabled: { type: 'boolean' },
    topics: { type: 'integer', description: 'Topics, internal ones included' },
    partitions: { type: 'integer' },
    records: { type: 'integer', description: 'Records stored (compaction and retention remove some)' },
    sizeBytes: { type: 'integer', description: 'Record bytes stored' },
    rates: ratesSchema,
    groups: {
      type: 'object',
      properties: { total: { type: 'integer' }, byState: { type: 'object', additionalProperties: { type: 'integer' } } },
      required: ['total', 'byState'],
    },
    worstLag: {
      type: ['object', 'null'],
      description: 'The partition with the largest lag over all groups; null when no group has committed offsets',
      properties: { groupId: { type: 'string' }, topic: { type: 'string' }, partition: { type: 'integer' }, lag: offsetText },
      required: ['groupId', 'topic', 'partition', 'lag'],
    },
  },
  required: ['version', 'clusterId', 'startedAt', 'uptimeSeconds', 'listeners', 'authEnabled', 'topics', 'partitions', 'records', 'sizeBytes', 'rates', 'groups', 'worstLag'],
} as const;

/** GET /api/whoami: who the credentials name and whether they may change things. */
export const whoamiSchema = {
  type: 'object',
  properties: {
    authEnabled: { type: 'boolean' },
    principal: { type: ['string', 'null'], description: 'The authenticated principal; null with auth off' },
    admin: { type: 'boolean', description: 'May create and delete topics, reset offsets, delete groups (cluster admin)' },
  },
  required: ['authEnabled', 'principal', 'admin'],
} as const;
