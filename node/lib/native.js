'use strict';
// Loads the native addon, the first of:
//   1. NEONKIT_NODE_ADDON, a file to load (a cargo output such as target/…/libneonkit_node.so);
//   2. the prebuilt package of this platform, neonkit-<platform> (an optionalDependency,
//      laid out as napi-rs lays them out; see scripts/platform.js);
//   3. a local build from source, ./neonkit.node (scripts/build.js writes it; the install script
//      runs it only when no prebuilt package is installed and the source tree is there).
// Otherwise it throws an error that names the platform.
const fs = require('node:fs');
const path = require('node:path');
const { PREBUILT, platformId, packageName } = require('../scripts/platform.js');

const local = path.join(__dirname, '..', 'neonkit.node');

function dlopen(file, what) {
  try {
    // dlopen, not require: NEONKIT_NODE_ADDON may name a cargo output (`lib….so`).
    const m = { exports: {} };
    process.dlopen(m, file);
    return m.exports;
  } catch (e) {
    throw new Error(`neonkit: could not load the native addon ${file} (${what}): ${e.message}`, { cause: e });
  }
}

function load() {
  if (process.env.NEONKIT_NODE_ADDON) return dlopen(process.env.NEONKIT_NODE_ADDON, 'NEONKIT_NODE_ADDON');
  const id = platformId();
  const pkg = packageName(id);
  let resolved = null;
  try {
    resolved = require.resolve(pkg);
  } catch {
    // not installed: try a local build
  }
  if (resolved) {
    try {
      return require(resolved);
    } catch (e) {
      // Installed but unloadable (another libc or CPU, too old a glibc): say so, never fall back quietly.
      throw new Error(`neonkit: the prebuilt addon ${pkg} (${resolved}) does not load on ${id}: ${e.message}`, { cause: e });
    }
  }
  if (fs.existsSync(local)) return dlopen(local, 'the local build from source');
  const why = PREBUILT.includes(id)
    ? `its prebuilt package ${pkg} is not installed (an install with --omit=optional or --no-optional leaves it out: reinstall neonkit without that flag)`
    : `neonkit publishes no prebuilt addon for it (prebuilt: ${PREBUILT.join(', ')})`;
  throw new Error(
    `neonkit: no native addon for this platform, ${id} (Node ${process.version}): ${why}, and there is no local build ` +
      `(${path.basename(local)}). To build one from source, install neonkit from a clone of its repository with a Rust ` +
      'toolchain (`npm install ./node`).',
  );
}

module.exports = load();
