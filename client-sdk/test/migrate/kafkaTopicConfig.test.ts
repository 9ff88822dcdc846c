// What `brook migrate` hands Kafka as a topic's config: Brook's "unset" flush settings (-1) are
// left out, since Kafka refuses -1 there; everything else goes over as text.
import { expect, it } from 'vitest';
import { kafkaTopicConfig } from '../../src/migrate/index.js';

it('drops flush.messages and flush.ms at -1 and keeps every other value as text', () => {
  expect(kafkaTopicConfig({ 'retention.ms': 60000, 'cleanup.policy': 'compact', 'flush.messages': -1, 'flush.ms': '-1' })).toEqual({
    'retention.ms': '60000',
    'cleanup.policy': 'compact',
  });
  expect(kafkaTopicConfig({ 'flush.messages': 1, 'flush.ms': 1000 })).toEqual({ 'flush.messages': '1', 'flush.ms': '1000' });
});
