export { startBroker, type Broker, type StartOptions } from './broker.js';
export { defaultOptions, type BrokerOptions } from './config.js';
