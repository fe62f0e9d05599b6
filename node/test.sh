#!/usr/bin/env bash
# The Node suite: installs the dev dependencies, builds the native addon (the
# package's install script runs cargo), type-checks the typed example with
# `tsc --strict`, and runs `node --test` (and vitest, for neonkit/testing's useEmulator)
# against in-process emulators.
#   NEONKIT_NODE_PROFILE=release bash node/test.sh   to test an optimized build
set -euo pipefail
cd "$(dirname "$0")"
export NEONKIT_NODE_PROFILE="${NEONKIT_NODE_PROFILE:-dev}"

echo "==> npm ci (builds the addon: cargo build -p neonkit-node, profile $NEONKIT_NODE_PROFILE)"
npm ci --no-audit --no-fund

echo "==> biome lint (biome.json: correctness rules; 'use strict' is kept, these are CommonJS files)"
npx --no-install biome lint .

echo "==> tsc --noEmit --strict on the typed examples (test/types/)"
npx --no-install tsc -p test/types/tsconfig.json

echo "==> the typed examples, compiled and run against the emulator"
rm -rf test/types/out
npx --no-install tsc -p test/types/tsconfig.run.json
node test/types/out/example.js
node test/types/out/example-esm.mjs
node test/types/out/kernel.js

echo "==> useEmulator in a typed node:test file (tsc --strict, then node --test; await using)"
npx --no-install tsc -p test/types/tsconfig.testing.json
node --test --test-timeout=120000 test/types/out/use-emulator.js

echo "==> vitest: useEmulator with the hooks imported from 'vitest', then found as globals (--globals)"
npx --no-install vitest run --root test/vitest hooks.test.mjs
npx --no-install vitest run --root test/vitest --globals globals.test.mjs

echo "==> node --test"
node --test --test-timeout=120000 test/*.test.js
