'use strict';
// Loads the native addon built from bindings/node (see scripts/build.js).
const path = require('node:path');

const file = process.env.NEONKIT_NODE_ADDON || path.join(__dirname, '..', 'neonkit.node');
let native;
try {
  native = require(file);
} catch (e) {
  const err = new Error(
    `neonkit: could not load the native addon ${path.basename(file)} (${e.message}). ` +
      'Build it with `npm run build` in the neonkit package (needs a Rust toolchain).',
    { cause: e },
  );
  throw err;
}
module.exports = native;
