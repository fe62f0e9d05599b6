'use strict';
// Which prebuilt addon fits this machine, named as napi-rs names them: the
// platform id `<os>-<arch>[-<abi>]` (linux-x64-gnu, linux-arm64-gnu,
// linux-x64-musl, darwin-arm64, darwin-x64, win32-x64-msvc), the package
// `neonkit-<id>` (an optionalDependency of neonkit, with os/cpu/libc so npm
// installs only the one that fits) and the file `neonkit.<id>.node` in it.
// Used by lib/native.js (the loader) and scripts/install.js (the install script).
const fs = require('node:fs');

/** Rust target triple -> platform id, for the targets of package.json's napi.targets. */
const TRIPLES = {
  'x86_64-unknown-linux-gnu': 'linux-x64-gnu',
  'aarch64-unknown-linux-gnu': 'linux-arm64-gnu',
  'x86_64-unknown-linux-musl': 'linux-x64-musl',
  'aarch64-apple-darwin': 'darwin-arm64',
  'x86_64-apple-darwin': 'darwin-x64',
  'x86_64-pc-windows-msvc': 'win32-x64-msvc',
};
/** The ids neonkit publishes a package for. */
const PREBUILT = Object.values(TRIPLES);

function isMusl() {
  // As napi-rs's loader: ldd names its libc; else the process report says which glibc runs (none on musl).
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    // no ldd there (a minimal image): ask the report
  }
  try {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
    const header = typeof report === 'string' ? JSON.parse(report).header : report?.header;
    return !header?.glibcVersionRuntime;
  } catch {
    return false;
  }
}

function platformId() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

const packageName = (id) => `neonkit-${id}`;
const binaryName = (id) => `neonkit.${id}.node`;

module.exports = { TRIPLES, PREBUILT, isMusl, platformId, packageName, binaryName };
