'use strict';
// Shared test setup: one in-process emulator per test file.
const { before, after } = require('node:test');
const { startEmulator } = require('../testing.js');

/** Starts an emulator before the file's tests and stops it after; `ctx.emu`, `ctx.client` are set. */
function useEmulator(emulatorOptions = {}, clientOptions = {}) {
  const ctx = {};
  before(async () => {
    ctx.emu = await startEmulator(emulatorOptions);
    ctx.client = ctx.emu.client({ retryInitialBackoffMs: 10, retryMaxBackoffMs: 50, ...clientOptions });
  });
  after(async () => {
    if (ctx.emu) await ctx.emu.stop();
  });
  return ctx;
}

let n = 0;
function uniq(prefix) {
  n += 1;
  return `${prefix}-${process.pid}-${n}`;
}

module.exports = { useEmulator, uniq };
