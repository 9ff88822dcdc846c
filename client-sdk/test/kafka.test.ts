import { describe, expect, it } from 'vitest';
import { Brook, BrookError, CompressionTypes, Kafka, KafkaJSError, Partitioners, logLevel, Producer, Admin, brokerToUrl } from '../src/index.js';
import { transportOf } from '../src/brook.js';

describe('Kafka broker-string mapping', () => {
  it('maps host:port to ws://host:port/ws', () => {
    expect(brokerToUrl('127.0.0.1:7092')).toBe('ws://127.0.0.1:7092/ws');
    expect(brokerToUrl('broker.example.com:9092')).toBe('ws://broker.example.com:9092/ws');
    expect(brokerToUrl('[::1]:7092')).toBe('ws://[::1]:7092/ws');
    expect(brokerToUrl('example.com:443', true)).toBe('wss://example.com:443/ws');
  });

  it('keeps ws:// and wss:// URLs as they are and maps http(s) URLs', () => {
    expect(brokerToUrl('ws://10.0.0.1:7092/ws')).toBe('ws://10.0.0.1:7092/ws');
    expect(brokerToUrl('wss://brook.example.com/custom')).toBe('wss://brook.example.com/custom');
    expect(brokerToUrl('http://127.0.0.1:7092')).toBe('ws://127.0.0.1:7092/ws');
    expect(brokerToUrl('https://brook.example.com')).toBe('wss://brook.example.com/ws');
  });

  it("in Node a host:port broker list means Kafka's protocol; a ws:// entry or a url the WebSocket", () => {
    expect(transportOf({ brokers: ['h1:9092', ' h2:9092'] })).toEqual({ url: 'kafka://h1:9092,h2:9092', kafkaBrokers: ['h1:9092', 'h2:9092'] });
    expect(transportOf({ brokers: 'h1:9092' })).toMatchObject({ kafkaBrokers: ['h1:9092'] });
    expect(transportOf({ brokers: ['ws://h1:7092/ws', 'h2:9092'] })).toEqual({ url: 'ws://h1:7092/ws' });
    expect(transportOf({ url: 'ws://h1:7092/ws', brokers: ['h2:9092'] })).toEqual({ url: 'ws://h1:7092/ws' });
    expect(() => transportOf({ brokers: [] })).toThrow(BrookError);
    expect(() => transportOf({})).toThrow(/url.*or.*brokers/);
  });

  it('new Kafka({ brokers }) behaves like Brook', () => {
    const kafka = new Kafka({ clientId: 'x', brokers: ['127.0.0.1:7092', '127.0.0.1:7093'], logLevel: logLevel.NOTHING });
    expect(kafka).toBeInstanceOf(Brook);
    expect(kafka.producer()).toBeInstanceOf(Producer);
    expect(kafka.admin()).toBeInstanceOf(Admin);
    expect(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })).toBeInstanceOf(Producer);
    expect(kafka.producer({ createPartitioner: Partitioners.LegacyPartitioner })).toBeInstanceOf(Producer);
    expect(() => new Kafka({ brokers: [] })).toThrow(BrookError);
  });

  it('exports the KafkaJS compatibility names', () => {
    expect(KafkaJSError).toBe(BrookError);
    expect(CompressionTypes.None).toBe(0);
    expect(logLevel.INFO).toBe(4);
    expect(() => new Brook({ url: '' })).toThrow(BrookError);
  });
});
