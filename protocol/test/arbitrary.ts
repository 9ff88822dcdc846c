// fast-check arbitraries derived from the codecs themselves, so every message type is covered.
import fc from 'fast-check';
import type { Codec } from '../src/schema.js';

export function arbitraryFor(codec: Codec<unknown>): fc.Arbitrary<unknown> {
  switch (codec.type) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64':
      return fc.maxSafeInteger().chain((n) => fc.constantFrom(n, -n, 0, -1));
    case 'bool':
      return fc.boolean();
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 20 });
    case 'string?':
      return fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: null });
    case 'bytes':
      return fc.uint8Array({ maxLength: 40 });
    case 'bytes?':
      return fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
  }
  if (codec.item) {
    const arr = fc.array(arbitraryFor(codec.item), { maxLength: 4 });
    return codec.type.endsWith('?') ? fc.option(arr, { nil: null }) : arr;
  }
  if (codec.fields) {
    return fc.record(Object.fromEntries(codec.fields.map((f) => [f.name, arbitraryFor(f.codec)])));
  }
  throw new Error(`no arbitrary for ${codec.type}`);
}
