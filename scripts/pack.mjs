#!/usr/bin/env node
// `npm run pack` (after `tsc -b`): writes brook-client-0.1.0.tgz and brook-server-0.1.0.tgz to
// the folder given (default ./packages), each installable into any project with
// `npm install <tarball>`.
//
// Both depend on @brook/protocol, which is not on the npm registry. Each tarball carries it inside
// (bundleDependencies), so one tarball is all a project needs, and an unrelated @brook/protocol
// on a registry can never be picked instead. npm does not bundle a workspace's symlinked
// dependency, so each package is staged outside the workspace with the protocol package copied
// into its node_modules, then packed there.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'packages'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The files `npm pack` would put in a workspace package's tarball (its `files`, package.json, README). */
function packedFiles(dir) {
  const json = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(json)[0].files.map((f) => f.path);
}

function copyPackage(from, to) {
  for (const file of packedFiles(from)) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(from, file), join(to, file));
  }
}

const stage = mkdtempSync(join(tmpdir(), 'brook-pack-'));
try {
  mkdirSync(out, { recursive: true });
  for (const name of ['client-sdk', 'server']) {
    const dir = join(stage, name);
    copyPackage(join(root, name), dir);
    copyPackage(join(root, 'protocol'), join(dir, 'node_modules', '@brook', 'protocol'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    pkg.bundleDependencies = ['@brook/protocol'];
    // The bundled protocol's own dependencies (its compression codecs) are installed beside the
    // package, where Node's resolution finds them from node_modules/@brook/protocol too.
    const protocol = JSON.parse(readFileSync(join(root, 'protocol', 'package.json'), 'utf8'));
    pkg.dependencies = { ...protocol.dependencies, ...pkg.dependencies };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const [packed] = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }));
    console.log(join(out, packed.filename));
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
