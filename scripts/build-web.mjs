#!/usr/bin/env node
// The browser half of `npm run build` (after `tsc -b`), with esbuild:
// - the SDK's browser build: client-sdk/src/browser.ts -> client-sdk/dist/browser/brook.js, one ES
//   module with @brook/protocol inside, no Node built-ins and no `ws` (the package's `browser` export);
// - the web console: server/src/console/ui -> server/dist/ui (index.html and hashed assets), which
//   the broker serves at /ui. Everything is bundled: no CDN, works offline.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (...a) => quiet || console.log(...a);

/** Fails the build on any Node built-in: the browser bundles must not need one. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:|(fs|path|os|net|tls|crypto|events|buffer|stream|util|child_process|zlib|http|https|url)$)/ }, (args) => ({
      errors: [{ text: `${args.path} is a Node built-in, imported by ${args.importer}: the browser build cannot carry it` }],
    }));
    build.onResolve({ filter: /^ws$/ }, (args) => ({ errors: [{ text: `ws must never be bundled for browsers (imported by ${args.importer})` }] }));
  },
};

/**
 * Browsers never speak Kafka's protocol (there a `host:port` broker means its WebSocket: brook.ts
 * `transportOf`), so the Kafka cluster client that context.ts imports for Node stays out of the
 * browser bundles: about 70 kB.
 */
const noKafkaCluster = {
  name: 'no-kafka-cluster',
  setup(build) {
    build.onResolve({ filter: /^\.\/cluster\/kafkaCluster\.js$/ }, (args) =>
      /[\\/]context\.ts$/.test(args.importer) ? { path: 'kafka-cluster', namespace: 'brook-browser-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'brook-browser-stub' }, () => ({
      loader: 'js',
      contents: `export class KafkaCluster { constructor() { throw new Error("Kafka's protocol needs Node: in a browser a broker address means its WebSocket"); } }`,
    }));
  },
};

/** What both browser bundles are built with. */
const browserBundle = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  plugins: [noNodeBuiltins, noKafkaCluster],
};

const sdkOut = join(root, 'client-sdk/dist/browser/brook.js');
await esbuild.build({
  ...browserBundle,
  entryPoints: [join(root, 'client-sdk/src/browser.ts')],
  outfile: sdkOut,
  logLevel: 'warning',
});
const sdk = readFileSync(sdkOut);
log(`client-sdk/dist/browser/brook.js: ${(sdk.length / 1024).toFixed(1)} kB, ${(gzipSync(sdk).length / 1024).toFixed(1)} kB gzipped`);

const uiDir = join(root, 'server/src/console/ui');
const outDir = join(root, 'server/dist/ui');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'assets'), { recursive: true });
const result = await esbuild.build({
  entryPoints: { console: join(uiDir, 'main.tsx') },
  outdir: join(outDir, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  ...browserBundle,
  splitting: true, // the playground (with the SDK) loads only when opened
  jsx: 'automatic',
  jsxImportSource: 'preact',
  alias: { '@brook/client': join(root, 'client-sdk/src/browser.ts') },
  metafile: true,
  logLevel: 'warning',
});
const main = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
if (!main || !main[1].cssBundle) throw new Error('esbuild did not produce the console entry and its stylesheet');
const html = readFileSync(join(uiDir, 'index.html'), 'utf8').replace('%JS%', basename(main[0])).replace('%CSS%', basename(main[1].cssBundle));
writeFileSync(join(outDir, 'index.html'), html);
const total = Object.entries(result.metafile.outputs)
  .filter(([f]) => !f.endsWith('.map'))
  .reduce((s, [, o]) => s + o.bytes, 0);
log(`server/dist/ui: the console, ${(total / 1024).toFixed(1)} kB of scripts and styles`);
