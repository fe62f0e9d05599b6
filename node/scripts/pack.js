#!/usr/bin/env node
'use strict';
// Packs the npm packages for a release, as napi-rs lays them out: one package per
// platform (npm/<platform>/package.json with its os/cpu/libc, plus the addon
// neonkit.<platform>.node) and the main package, whose optionalDependencies name
// every platform package of package.json's napi.targets at the same version.
// `cargo xtask dist` runs it after building the addons; the release workflow runs
// it with the addons the other platforms' jobs built.
//
//   node scripts/pack.js --out DIR [--stage DIR] [--addon <platform>=<file.node> ...] [--no-main]
//
// Writes DIR/<name>-<version>.tgz for each package (staged under --stage, default
// DIR/stage/, never in the source tree) and prints one JSON line per tarball: {name, file, size, unpackedSize}.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { TRIPLES, binaryName, packageName } = require('./platform.js');

const pkgDir = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
let out = null;
let stageRoot = null;
let main = true;
const addons = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = path.resolve(args[++i]);
  else if (args[i] === '--stage') stageRoot = path.resolve(args[++i]);
  else if (args[i] === '--addon') {
    const [id, file] = args[++i].split(/=(.*)/s);
    addons.push({ id, file: path.resolve(file) });
  } else if (args[i] === '--no-main') main = false;
  else fail(`unknown argument ${args[i]}`);
}
if (!out) fail('usage: node scripts/pack.js --out DIR [--stage DIR] [--addon <platform>=<file.node> ...] [--no-main]');

function fail(message) {
  console.error(`pack.js: ${message}`);
  process.exit(2);
}

const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const ids = (pkg.napi?.targets || []).map((t) => TRIPLES[t] || fail(`napi.targets: no platform id for ${t} in scripts/platform.js`));
stageRoot = stageRoot || path.join(out, 'stage');
fs.mkdirSync(out, { recursive: true });

function stage(name) {
  const dir = path.join(stageRoot, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function npmPack(dir) {
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) fail(`npm pack in ${dir} failed (exit ${r.status}): ${r.stderr}`);
  const [info] = JSON.parse(r.stdout);
  const line = { name: info.name, file: path.join(out, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.entryCount };
  console.log(JSON.stringify(line));
}

for (const { id, file } of addons) {
  if (!ids.includes(id)) fail(`--addon ${id}: not a platform of napi.targets (${ids.join(', ')})`);
  if (!fs.existsSync(file)) fail(`--addon ${id}: no file ${file}`);
  const template = path.join(pkgDir, 'npm', id);
  const dir = stage(packageName(id));
  const manifest = JSON.parse(fs.readFileSync(path.join(template, 'package.json'), 'utf8'));
  manifest.version = pkg.version;
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.copyFileSync(path.join(template, 'README.md'), path.join(dir, 'README.md'));
  fs.copyFileSync(file, path.join(dir, binaryName(id)));
  npmPack(dir);
}

if (main) {
  const dir = stage(pkg.name);
  // What package.json's files lists, less a local build from source (the addon comes from a platform package).
  for (const entry of pkg.files) {
    if (entry === 'neonkit.node') continue;
    const from = path.join(pkgDir, entry);
    if (!fs.existsSync(from)) fail(`package.json files: ${entry} does not exist`);
    fs.cpSync(from, path.join(dir, entry), { recursive: true });
  }
  fs.copyFileSync(path.join(pkgDir, 'README.md'), path.join(dir, 'README.md'));
  const manifest = { ...pkg };
  manifest.files = pkg.files.filter((f) => f !== 'neonkit.node');
  // The install script only: it finds the platform package and builds nothing.
  manifest.scripts = { install: pkg.scripts.install };
  manifest.optionalDependencies = Object.fromEntries(ids.map((id) => [packageName(id), pkg.version]));
  delete manifest.devDependencies;
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  npmPack(dir);
}
