'use strict';
// Loads the native addon built from bindings/node (see scripts/build.js).
const path = require('node:path');

const file = process.env.NEONKIT_NODE_ADDON || path.join(__dirname, '..', 'neonkit.node');
let native;
try {
  // dlopen, not require: NEONKIT_NODE_ADDON may name a cargo output (`lib….so`).
  const m = { exports: {} };
  process.dlopen(m, file);
  native = m.exports;
} catch (e) {
  const err = new Error(
    `neonkit: could not load the native addon ${path.basename(file)} (${e.message}). ` +
      'Build it with `npm run build` in the neonkit package (needs a Rust toolchain).',
    { cause: e },
  );
  throw err;
}
module.exports = native;
