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
    it(`${name}: valid messages with bytes changed raise only ProtocolError`, () => {
      const a = kafka.KafkaApis[name];
      for (const side of ['request', 'response'] as const) {
        const msg = a[side] as kafka.KMessage<unknown>;
        const arb = fc.integer({ min: a.minVersion, max: a.maxVersion }).chain((v) =>
          fc.tuple(fc.constant(v), structAt(msg, v), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })),
        );
        fc.assert(
          fc.property(arb, ([v, value, edits]) => {
            const bytes = msg.encode(v, value).slice();
            for (const [at, b] of edits) if (bytes.length > 0) bytes[at % bytes.length] = b;
            onlyProtocolErrors(() => msg.decode(v, bytes));
          }),
          { numRuns: 60, seed: 13 },
        );
      }
    });

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

  it('request frames of random bytes after a valid api key and version raise only ProtocolError', () => {
    const keys = Object.values(kafka.KafkaApis).map((a) => [a.key, a.minVersion, a.maxVersion] as const);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.nat(), fc.uint8Array({ maxLength: 80 }), ([key, lo, hi], v, rest) => {
        const frame = new Uint8Array(4 + rest.length);
        const dv = new DataView(frame.buffer);
        dv.setInt16(0, key);
        dv.setInt16(2, lo + (v % (hi - lo + 1)));
        frame.set(rest, 4);
        onlyProtocolErrors(() => kafka.decodeKafkaRequest(frame));
      }),
      { numRuns: 2000, seed: 17 },
    );
  });
});
