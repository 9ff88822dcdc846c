import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NAME_PATTERN, validateName } from '../src/index.js';

// The admin API's OpenAPI document publishes NAME_PATTERN; the wire handlers use validateName.
// They must accept exactly the same names, or the API refuses names the broker takes (or the reverse).
describe('topic and group names', () => {
  const pattern = new RegExp(NAME_PATTERN, 'u');
  const legal = fc.constantFrom(...'abcXYZ019._-');
  const any = fc.oneof(legal, fc.constantFrom('/', ' ', 'é', '\u0000', '\n', '$', '\u{1F600}'));
  const names = fc.oneof(
    fc.string({ unit: legal, maxLength: 260 }),
    fc.string({ unit: any, maxLength: 12 }),
    fc.constantFrom('', '.', '..', '...', '.a', 'a'.repeat(249), 'a'.repeat(250), 'café', '__consumer_offsets'),
  );

  it('NAME_PATTERN accepts exactly what validateName accepts', () => {
    fc.assert(
      fc.property(names, (name) => {
        expect(pattern.test(name), JSON.stringify(name)).toBe(validateName('topic', name) === null);
      }),
      { numRuns: 2000 },
    );
  });
});
