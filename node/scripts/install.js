#!/usr/bin/env node
'use strict';
// The package's install script. It never runs cargo when the prebuilt addon of
// this platform (neonkit-<platform>, an optionalDependency) is installed: then it
// only says so. Without one, it builds the addon from source (scripts/build.js:
// cargo) if the source tree is there (an install from a clone: `npm install ./node`,
// or `npm ci` inside node/); else it warns, naming the platform, and
// `require('neonkit')` fails with the same explanation.
const fs = require('node:fs');
const path = require('node:path');
const { PREBUILT, platformId, packageName } = require('./platform.js');

const pkgDir = path.resolve(__dirname, '..');
const id = platformId();
const pkg = packageName(id);

let prebuilt = null;
try {
  prebuilt = require.resolve(`${pkg}/package.json`, { paths: [pkgDir] });
} catch {
  // not installed
}
if (prebuilt) {
  console.log(`neonkit: using the prebuilt addon ${pkg} (${path.dirname(prebuilt)}); nothing to build`);
} else if (process.env.NEONKIT_NODE_ADDON) {
  console.log('neonkit: NEONKIT_NODE_ADDON is set; nothing to build');
} else if (fs.existsSync(path.join(pkgDir, '..', 'bindings', 'node', 'Cargo.toml'))) {
  require('./build.js');
} else if (fs.existsSync(path.join(pkgDir, 'neonkit.node'))) {
  console.log('neonkit: using the local build neonkit.node');
} else {
  const why = PREBUILT.includes(id) ? `${pkg} is not installed (optional dependencies omitted?)` : 'neonkit publishes none for it';
  console.warn(`neonkit: no prebuilt addon for ${id}: ${why}, and no source tree to build one from; require('neonkit') will fail`);
}
