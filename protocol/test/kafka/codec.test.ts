// Round trips over every Kafka API and every version Brook serves, with values generated from the
// declarations, and decoder robustness: random bytes and truncations only ever raise ProtocolError.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '../../src/io.js';
import { kafka } from '../../src/index.js';
import { structAt } from './arbitrary.js';

const names = Object.keys(kafka.KafkaApis) as kafka.KafkaApiName[];

function versionsOf(name: kafka.KafkaApiName): number[] {
  const a = kafka.KafkaApis[name];
  return Array.from({ length: a.maxVersion - a.minVersion + 1 }, (_, i) => a.minVersion + i);
}

// Views and copies of bytes compare by content.
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function onlyProtocolErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

describe('Kafka messages round-trip in every version', () => {
  for (const name of names) {
    for (const side of ['request', 'response'] as const) {
      it(`${name} ${side}`, () => {
        const msg = kafka.KafkaApis[name][side] as kafka.KMessage<unknown>;
        for (const v of versionsOf(name)) {
          fc.assert(
            fc.property(structAt(msg, v), (value) => {
              const bytes = msg.encode(v, value);
              expect(plain(msg.decode(v, bytes))).toEqual(plain(value));
              // A strict prefix is refused, with a ProtocolError and nothing else.
              if (bytes.length > 0) expect(() => msg.decode(v, bytes.subarray(0, bytes.length >> 1))).toThrow(ProtocolError);
              expect(() => msg.decode(v, new Uint8Array([...bytes, 0]))).toThrow(ProtocolError);
            }),
            { numRuns: 25, seed: 7 + v },
          );
        }
      });
    }
  }
});

describe('Kafka decoders on hostile bytes', () => {
  for (const name of names) {
    it(`${name}: random bytes raise only ProtocolError`, () => {
      const a = kafka.KafkaApis[name];
      fc.assert(
        fc.property(fc.integer({ min: a.minVersion, max: a.maxVersion }), fc.uint8Array({ maxLength: 64 }), (v, bytes) => {
          onlyProtocolErrors(() => a.request.decode(v, bytes));
          onlyProtocolErrors(() => a.response.decode(v, bytes));
        }),
        { numRuns: 150, seed: 11 },
      );
    });
  }
});
