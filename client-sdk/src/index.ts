/**
 * @brook/client: the Brook SDK for Node and browsers, shaped like KafkaJS.
 *
 *   import { Brook } from '@brook/client';
 *   const brook = new Brook({ url: 'ws://127.0.0.1:7092/ws', clientId: 'orders-svc' });
 */
export * from './common.js';
