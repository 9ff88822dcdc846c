// fast-check values for a Kafka declaration at one version, built from the declaration itself:
// fields the version lacks hold their default (what decoding yields), null only where nullable.
import fc from 'fast-check';
import { Reader } from '../../src/io.js';
import { kafka } from '../../src/index.js';

const uuidCodec = kafka.uuid.codec(0, false, false);

function valueOf(type: kafka.KType<unknown>, version: number): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64':
      return fc.oneof(fc.maxSafeInteger(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'uvarint':
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case 'varint':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'bool':
      return fc.boolean();
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => uuidCodec.read(new Reader(b)));
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 12 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 });
    case 'array':
      return fc.array(valueOf(type.item!, version), { maxLength: 3 });
    case 'struct':
      return structAt(type as kafka.KStruct<unknown>, version);
  }
}

export function structAt(s: kafka.KStruct<unknown>, version: number): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of s.fields) {
    if (!kafka.inVersions(f.versions, version)) {
      parts[f.name] = fc.constant(null).map(() => kafka.defaultOf(f));
      continue;
    }
    const v = valueOf(f.type, version);
    parts[f.name] = kafka.inVersions(f.nullable, version) ? fc.option(v, { nil: null, freq: 4 }) : v;
  }
  return fc.record(parts);
}
