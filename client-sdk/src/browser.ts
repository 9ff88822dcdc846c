/**
 * @brook/client in browsers (the package's `browser` export condition): the WebSocket client only.
 * No Node built-ins and no `ws` (the browser's own WebSocket is used); Kafka's TCP transport is
 * Node only and never imported from here. Keys and values arrive as Uint8Array (a Buffer in
 * Node): read text with `new TextDecoder().decode(message.value)`.
 *
 *   import { Brook } from '@brook/client';
 *   const brook = new Brook({ url: `ws://${location.host}/ws`, clientId: 'web' });
 */
export * from './common.js';
