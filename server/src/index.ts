// @brook/server: the broker (startBroker) and its options; the CLI is cli.ts.
export { startBroker, type Broker, type StartOptions } from './broker.js';
export { defaultOptions, type BrokerOptions } from './config.js';
