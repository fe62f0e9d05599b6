#!/usr/bin/env node
'use strict';
// Builds the native addon from source (the neonkit-node crate in bindings/node) with cargo
// and copies it to ./neonkit.node. scripts/install.js runs it when no prebuilt
// addon package (neonkit-<platform>) is installed and the source tree is there, so
// `npm install` (inside node/) or `npm install ./node` (at the repository
// root) builds it from a fresh clone.
//
//   NEONKIT_NODE_PROFILE=dev|release   cargo profile (default release)
//   NEONKIT_NODE_SKIP_BUILD=1          keep an existing ./neonkit.node

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const repo = path.resolve(pkgDir, '..');
const out = path.join(pkgDir, 'neonkit.node');

if (process.env.NEONKIT_NODE_SKIP_BUILD === '1' && fs.existsSync(out)) {
  console.log('neonkit: NEONKIT_NODE_SKIP_BUILD=1, keeping neonkit.node');
  process.exit(0);
}
if (!fs.existsSync(path.join(repo, 'bindings', 'node', 'Cargo.toml'))) {
  if (fs.existsSync(out)) process.exit(0);
  console.error('neonkit: no prebuilt neonkit.node and no source tree (bindings/node) to build it from');
  process.exit(1);
}

const profile = process.env.NEONKIT_NODE_PROFILE || 'release';
const args = ['build', '-p', 'neonkit-node', '--message-format=json-render-diagnostics'];
if (profile === 'release') args.push('--release');
else if (profile !== 'dev') args.push('--profile', profile);

console.log(`neonkit: cargo ${args.join(' ')}`);
const r = spawnSync('cargo', args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
if (r.error) {
  console.error(`neonkit: could not run cargo (${r.error.message}); install a Rust toolchain (https://rustup.rs)`);
  process.exit(1);
}
if (r.status !== 0) {
  console.error(`neonkit: cargo build failed (exit ${r.status})`);
  process.exit(r.status || 1);
}
let lib = null;
for (const line of r.stdout.split('\n')) {
  if (!line.startsWith('{')) continue;
  let msg;
  try { msg = JSON.parse(line); } catch { continue; }
  if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === 'neonkit_node' && msg.target.kind.includes('cdylib')) {
    lib = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || lib;
  }
}
if (!lib) {
  console.error('neonkit: cargo did not report the neonkit-node library');
  process.exit(1);
}
// Copy to a temporary name and rename: a running process may have the old file mapped.
const tmp = `${out}.${process.pid}.tmp`;
fs.copyFileSync(lib, tmp);
fs.renameSync(tmp, out);
console.log(`neonkit: built ${path.relative(pkgDir, out)} (${profile}) from ${path.relative(repo, lib)}`);
