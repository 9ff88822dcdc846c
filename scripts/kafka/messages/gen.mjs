#!/usr/bin/env node
// Writes protocol/src/kafka/messages/*.ts from Kafka's own JSON message specs, so every field's
// versions, nullable versions, tags and defaults are Kafka's, copied by a program rather than by
// hand. Usage: node gen.mjs <dir with Kafka's common/message/*.json> <kafka version label>
// (gen.sh extracts that directory from the kafka-clients jar).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [specDir, kafkaVersion] = process.argv.slice(2);
if (!specDir || !kafkaVersion) throw new Error('usage: gen.mjs <spec dir> <kafka version>');
const outDir = fileURLToPath(new URL('../../../protocol/src/kafka/messages/', import.meta.url));

// The APIs Brook speaks (Kafka spec names without Request/Response), in priority order.
const APIS = [
  'ApiVersions', 'Metadata', 'Produce', 'Fetch', 'ListOffsets', 'FindCoordinator', 'CreateTopics', 'DeleteTopics',
  'InitProducerId', 'OffsetCommit', 'OffsetFetch', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup',
  'ConsumerGroupHeartbeat', 'ListGroups', 'DescribeGroups', 'SaslHandshake', 'SaslAuthenticate', 'AddPartitionsToTxn',
  'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit', 'DescribeConfigs', 'DeleteGroups', 'DescribeCluster',
  'CreatePartitions', 'DeleteRecords', 'IncrementalAlterConfigs', 'OffsetDelete', 'ConsumerGroupDescribe',
];

const PRIMITIVES = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records']);

function loadSpec(name) {
  const text = readFileSync(join(specDir, `${name}.json`), 'utf8');
  // Kafka's specs carry // comments (the licence, notes on versions); JSON.parse does not.
  return JSON.parse(text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n'));
}

const camel = (s) => s[0].toLowerCase() + s.slice(1);

function literal(type, def) {
  if (def === null || def === 'null') return 'null';
  const s = String(def);
  if (type === 'bool') return s === 'true' ? 'true' : 'false';
  if (type === 'string') return JSON.stringify(s);
  if (/^int|^uint/.test(type)) {
    if (s === '9223372036854775807') return 'Number.MAX_SAFE_INTEGER /* Kafka: Long.MAX_VALUE, beyond a JS number */';
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new Error(`default ${s} for ${type}`);
    return String(n);
  }
  if (type === 'float64') return String(Number(s));
  throw new Error(`no default literal for ${type} = ${s}`);
}

function doc(about, indent) {
  if (!about) return '';
  return `${indent}/** ${about.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim()} */\n`;
}

/** Emits the structs of one message, children before parents, and returns the message body. */
function emitMessage(spec, out, taken) {
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s]));
  const idOf = new Map(); // struct name -> const identifier in this file

  function typeExpr(type) {
    if (type.startsWith('[]')) return `array(${typeExpr(type.slice(2))})`;
    if (PRIMITIVES.has(type)) return type;
    if (!idOf.has(type)) {
      const c = common.get(type);
      if (!c) throw new Error(`${spec.name}: unknown type ${type}`);
      emitStruct(type, c.fields);
    }
    return idOf.get(type);
  }

  function fieldsBody(fields, indent) {
    let s = '';
    for (const f of fields) {
      const base = f.type.replace(/^\[\]/, '');
      if (f.fields) emitStruct(base, f.fields);
      const opts = [];
      if (f.nullableVersions) opts.push(`nullable: '${f.nullableVersions}'`);
      if (f.default !== undefined) opts.push(`default: ${literal(base, f.default)}`);
      if (f.tag !== undefined) opts.push(`tag: ${f.tag}`, `tagged: '${f.taggedVersions}'`);
      if (f.ignorable) opts.push('ignorable: true');
      if (f.flexibleVersions === 'none') opts.push(`flexible: 'none'`);
      const o = opts.length ? `, { ${opts.join(', ')} }` : '';
      s += doc(f.about, indent) + `${indent}${camel(f.name)}: field(${typeExpr(f.type)}, '${f.versions}'${o}),\n`;
    }
    return s;
  }

  function emitStruct(name, fields) {
    if (idOf.has(name)) return;
    let id = name;
    if (taken.has(id)) id = `${spec.name.endsWith('Response') ? 'Response' : 'Request'}${name}`;
    taken.add(id);
    idOf.set(name, id);
    const body = fieldsBody(fields, '  ');
    out.push(`const ${id} = struct('${name}', {\n${body}});\n`);
  }

  return fieldsBody(spec.fields, '  ');
}

function emitFile(file, specs, header) {
  const out = [];
  const taken = new Set(specs.map((s) => s.name));
  const exports = [];
  for (const spec of specs) {
    const body = emitMessage(spec, out, taken);
    const key = spec.apiKey !== undefined ? `apiKey: ${spec.apiKey}, ` : '';
    let note = '';
    if (spec.latestVersionUnstable) note = `// Kafka marks the latest version (${spec.validVersions}) unstable: brokers do not advertise it.\n`;
    exports.push(
      `${note}export const ${spec.name} = message('${spec.name}', { ${key}validVersions: '${spec.validVersions}', flexibleVersions: '${spec.flexibleVersions}' }, {\n${body}});\nexport type ${spec.name} = Infer<typeof ${spec.name}>;\n`,
    );
  }
  const code = [...out, ...exports].join('\n');
  // Imports: the names the declarations use, doc comments aside.
  const bare = code.split('\n').filter((l) => !/^\s*\/\*\*/.test(l)).join('\n');
  const used = ['array', 'field', 'struct', ...PRIMITIVES].filter((n) => new RegExp(`\\b${n}\\b`).test(bare));
  const fromTypes = used.filter((n) => PRIMITIVES.has(n) || n === 'array').sort();
  const fromSchema = used.filter((n) => n === 'field' || n === 'struct').sort();
  const text =
    `${header}\n// Generated from Kafka ${kafkaVersion}'s ${specs.map((s) => `${s.name}.json`).join(' and ')} by\n` +
    `// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.\n` +
    `import { message } from '../message.js';\n` +
    `import { ${[...fromSchema, 'type Infer'].join(', ')} } from '../schema.js';\n` +
    (fromTypes.length ? `import { ${fromTypes.join(', ')} } from '../types.js';\n` : '') +
    `\n${code}`;
  writeFileSync(join(outDir, file), text);
  return text.split('\n').length;
}

for (const api of APIS) {
  const req = loadSpec(`${api}Request`);
  const res = loadSpec(`${api}Response`);
  const lines = emitFile(`${camel(api)}.ts`, [req, res], `// ${api} (API key ${req.apiKey}).`);
  console.log(`${api}: ${lines} lines`);
}
console.log(`headers: ${emitFile('headers.ts', [loadSpec('RequestHeader'), loadSpec('ResponseHeader')], '// Request and response headers.')} lines`);
