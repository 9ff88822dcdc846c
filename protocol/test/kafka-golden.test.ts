// Golden bytes from Apache Kafka's own serializer (scripts/kafka/golden-messages/generate.sh):
// for each request and response, Brook's encoder must write exactly Kafka's bytes from the
// values, and Brook's decoder must read exactly those values back from Kafka's bytes.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kafka } from '../src/index.js';

interface Golden {
  api: kafka.KafkaApiName;
  apiKey: number;
  side: 'request' | 'response';
  version: number;
  correlationId: number;
  clientId?: string;
  headerVersion: number;
  /** Kafka's freshly constructed message: every field at its default. */
  defaults?: boolean;
  header: string;
  body: string;
  value: Record<string, unknown>;
}

const dir = new URL('./fixtures/kafka-messages/', import.meta.url);
const read = (f: string) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown;
// Hand-picked values, one file each, and a sweep over every API and version Brook serves.
const picked = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && f !== 'all-versions.json')
  .map((f) => read(f) as Golden);
const sweep = read('all-versions.json') as Golden[];

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
const unbase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Kafka's JSON (Kafka's JsonConverter) to Brook's value: bytes from base64, absent fields at their default. */
function fromJson(type: kafka.KType<unknown>, json: unknown): unknown {
  if (json === null) return null;
  switch (type.kind) {
    case 'bytes':
    case 'records':
      return unbase64(json as string);
    case 'array':
      return (json as unknown[]).map((x) => fromJson(type.item!, x));
    case 'struct': {
      const s = type as kafka.KStruct<unknown>;
      const o = json as Record<string, unknown>;
      const known = new Set(s.fields.map((f) => f.name));
      for (const k of Object.keys(o)) if (!known.has(k)) throw new Error(`${s.name} has no field ${k}`);
      return Object.fromEntries(s.fields.map((f) => [f.name, f.name in o ? fromJson(f.type, o[f.name]) : kafka.defaultOf(f)]));
    }
    default:
      return json;
  }
}

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('Kafka golden messages (bytes from kafka-clients 4.4.0)', () => {
  it('covers requests and responses, old and flexible versions', () => {
    expect(picked.length).toBeGreaterThanOrEqual(40);
    expect(picked.some((g) => g.headerVersion === 2)).toBe(true);
    expect(picked.some((g) => g.headerVersion === 1 && g.side === 'request')).toBe(true);
  });

  it('sweeps every API and version of the table, both sides', () => {
    const seen = new Set(sweep.map((g) => `${g.api} ${g.version} ${g.side}`));
    for (const [name, a] of Object.entries(kafka.KafkaApis)) {
      for (let v = a.minVersion; v <= a.maxVersion; v++) {
        expect(seen.has(`${name} ${v} request`) && seen.has(`${name} ${v} response`), `${name} v${v}`).toBe(true);
      }
    }
  });

  for (const [set, g] of [...picked.map((g) => ['picked', g] as const), ...sweep.map((g) => ['sweep', g] as const)]) {
    describe(`${set}: ${g.api} v${g.version} ${g.side}${g.defaults ? ' (defaults)' : ''}`, () => {
      const msg = kafka.KafkaApis[g.api][g.side] as kafka.KMessage<unknown>;
      const value = fromJson(msg, g.value);

      if (g.defaults) {
        it('has Kafka’s defaults', () => {
          expect(plain(msg.defaults())).toEqual(plain(value));
        });
      }

      it('encodes to Kafka’s bytes', () => {
        expect(hex(msg.encode(g.version, value))).toBe(g.body);
      });

      it('decodes Kafka’s bytes to the values', () => {
        expect(plain(msg.decode(g.version, unhex(g.body)))).toEqual(plain(value));
      });

      it('frames with the header version Kafka uses', () => {
        const frameHex = (n: number) => n.toString(16).padStart(8, '0') + g.header + g.body;
        const size = (g.header.length + g.body.length) / 2;
        if (g.side === 'request') {
          expect(kafka.requestHeaderVersion(g.apiKey, g.version)).toBe(g.headerVersion);
          const frame = kafka.encodeKafkaRequest(g.api, g.version, g.correlationId, g.clientId ?? null, value as never);
          expect(hex(frame)).toBe(frameHex(size));
          const d = kafka.decodeKafkaRequest(frame.subarray(4));
          expect(d.kind).toBe('request');
          expect(d.header).toEqual({ requestApiKey: g.apiKey, requestApiVersion: g.version, correlationId: g.correlationId, clientId: g.clientId });
          if (d.kind === 'request') expect(plain(d.body)).toEqual(plain(value));
        } else {
          expect(kafka.responseHeaderVersion(g.apiKey, g.version)).toBe(g.headerVersion);
          const frame = kafka.encodeKafkaResponse(g.api, g.version, g.correlationId, value as never);
          expect(hex(frame)).toBe(frameHex(size));
          const d = kafka.decodeKafkaResponse(g.api, g.version, frame.subarray(4));
          expect(d.correlationId).toBe(g.correlationId);
          expect(plain(d.body)).toEqual(plain(value));
        }
      });
    });
  }
});
