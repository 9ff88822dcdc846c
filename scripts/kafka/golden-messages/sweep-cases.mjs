#!/usr/bin/env node
// Writes the sweep cases (to the path given, default target/sweep-cases.json): for every API in Brook's Kafka table and every version it serves, one
// request and one response with values drawn (seeded, so reproducible) from Brook's declarations.
// GoldenMessages.java then has Kafka's own serializer write them: Kafka reads only the fields its
// spec has for that version, so a field Brook declares wrongly shows up as different bytes (or as
// a missing mandatory field, which Kafka's reader refuses); '@defaults' cases have Kafka write
// a freshly constructed message. Needs `npx tsc -b` (protocol/dist).
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { Reader, kafka } from '../../../protocol/dist/index.js';

const out = process.argv[2] ?? new URL('./target/sweep-cases.json', import.meta.url);
const word = fc.stringMatching(/^[a-z0-9._-]{0,8}$/);
const base64 = (b) => btoa(String.fromCharCode(...b));
const uuidOf = (b) => kafka.uuid.codec(0, false, false).read(new Reader(b));

function valueOf(type, v) {
  switch (type.kind) {
    case 'int8': return fc.integer({ min: -128, max: 127 });
    case 'int16': return fc.integer({ min: -32768, max: 32767 });
    case 'int32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64': return fc.maxSafeInteger();
    case 'uint16': return fc.integer({ min: 0, max: 0xffff });
    case 'float64': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'bool': return fc.boolean();
    case 'uuid': return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => uuidOf(b));
    case 'string': return word;
    case 'bytes': return fc.uint8Array({ maxLength: 8 }).map(base64);
    case 'records': return fc.constant('@batch');
    case 'array': return fc.array(valueOf(type.item, v), { maxLength: 2 });
    case 'struct': return structAt(type, v);
  }
  throw new Error(`no values for ${type.kind}`);
}

/** Only the fields the version has, as Kafka's JSON converter expects them. */
function structAt(s, v) {
  const parts = {};
  for (const f of s.fields) {
    if (!kafka.inVersions(f.versions, v)) continue;
    const a = valueOf(f.type, v);
    parts[f.name] = kafka.inVersions(f.nullable, v) ? fc.option(a, { nil: null, freq: 3 }) : a;
  }
  return fc.record(parts);
}

const cases = [];
let seed = 1;
for (const [api, a] of Object.entries(kafka.KafkaApis)) {
  for (let v = a.minVersion; v <= a.maxVersion; v++) {
    const [request] = fc.sample(structAt(a.request, v), { seed: seed++, numRuns: 1 });
    const [response] = fc.sample(structAt(a.response, v), { seed: seed++, numRuns: 1 });
    cases.push({ api, version: v, request, response });
    // Kafka's defaults for every field of the version (checks Brook's `default`s and that
    // tagged fields at their default are left out).
    cases.push({ api, version: v, request: '@defaults', response: '@defaults' });
  }
}
writeFileSync(out, JSON.stringify(cases, null, 1) + '\n');
console.log(`wrote ${cases.length} sweep cases`);
