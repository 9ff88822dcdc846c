/** Prometheus metrics (prom-client), one registry per broker so tests can run brokers side by side. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly requestLatency = new Histogram({
    name: 'brook_request_duration_seconds',
    help: 'Time to answer a request, per API',
    labelNames: ['api'],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly requestErrors = new Counter({
    name: 'brook_request_errors_total',
    help: 'Requests answered with a frame-level error, per API',
    labelNames: ['api'],
    registers: [this.registry],
  });
  readonly bytesIn = new Counter({
    name: 'brook_topic_bytes_in_total',
    help: 'Record bytes appended, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly recordsIn = new Counter({
    name: 'brook_topic_records_in_total',
    help: 'Records appended, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly bytesOut = new Counter({
    name: 'brook_topic_bytes_out_total',
    help: 'Record bytes served by fetches, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly connections = new Gauge({
    name: 'brook_connections',
    help: 'Open client WebSocket connections',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'brook_process_' });
  }
}
