#!/usr/bin/env node
// Renders the byte layout of every message from the codecs themselves into protocol/README.md,
// between the GENERATED markers, so the docs cannot drift from the code.
// Usage: node scripts/gen-protocol-docs.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as p from '../protocol/dist/index.js';

const readme = fileURLToPath(new URL('../protocol/README.md', import.meta.url));
const BEGIN = '<!-- GENERATED: message layouts (scripts/gen-protocol-docs.mjs) -->';
const END = '<!-- END GENERATED -->';

function structs(codec, seen, out) {
  const c = codec.item ?? codec;
  if (!c.fields || seen.has(c.name)) return;
  seen.add(c.name);
  out.push(c);
  for (const f of c.fields) structs(f.codec, seen, out);
}

function render() {
  const lines = [];
  for (const [name, api] of Object.entries(p.Apis)) {
    lines.push(`### ${name} (API key ${api.key}, v${api.minVersion}-v${api.maxVersion})`, '', api.doc, '');
    for (const root of [api.request, api.response]) {
      const list = [];
      structs(root, new Set(), list);
      for (const s of list) {
        lines.push(`**${s.name}**`, '', '| field | type | notes |', '| --- | --- | --- |');
        for (const f of s.fields) lines.push(`| ${f.name} | \`${f.codec.type}\` | ${f.doc.replace(/\|/g, '\\|')} |`);
        lines.push('');
      }
    }
  }
  lines.push('### Pushes', '');
  lines.push('**HeartbeatNowPush** (push type 1)', '', '| field | type | notes |', '| --- | --- | --- |');
  for (const f of p.HeartbeatNowPush.fields) lines.push(`| ${f.name} | \`${f.codec.type}\` | ${f.doc} |`);
  lines.push('', '### Error codes', '', '| code | name | retriable | meaning |', '| --- | --- | --- | --- |');
  for (const e of p.allErrors()) lines.push(`| ${e.code} | ${e.name} | ${e.retriable ? 'yes' : 'no'} | ${e.message} |`);
  return lines.join('\n');
}

const text = readFileSync(readme, 'utf8');
const start = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (start < 0 || end < 0) throw new Error('markers missing in protocol/README.md');
const next = `${text.slice(0, start + BEGIN.length)}\n\n${render()}\n\n${text.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('protocol/README.md is out of date: run node scripts/gen-protocol-docs.mjs');
    process.exit(1);
  }
} else writeFileSync(readme, next);
