'use strict';
// The vocabulary's parity data (tests/parity/vocabulary.json, generated from
// spec/vocabulary.yaml): every error kind is exported under its Node class name
// with that kind, every option is accepted under its Node name, and every bad
// value gives exactly the message every language gives.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { useEmulator } = require('./helpers.js');
const neonkit = require('../index.js');
const { startEmulator } = require('../testing.js');

const { NeonClient, NeonError, ConfigError, ERROR_CLASSES } = neonkit;
const parity = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'parity', 'vocabulary.json'), 'utf8'));

const ctx = useEmulator();

/** A good value of an option, by its Node name (what the client accepts). */
const GOOD = {
  apiKey: 'parity-key', baseUrl: 'http://127.0.0.1:9/api/v2', orgId: 'org-parity-1', timeoutMs: 5000, connectTimeoutMs: 1000,
  maxRetries: 2, retryInitialBackoffMs: 10, retryMaxBackoffMs: 100, waitForOperations: false, waitTimeoutMs: 1000,
  waitPollIntervalMs: 10, waitMaxPollIntervalMs: 100, poolIdleTimeoutMs: 1000, maxResponseBytes: 1 << 20, headers: { 'X-Parity': 'yes' },
  userAgent: 'parity/1.0',
};

function configError(message) {
  return (e) => {
    assert.ok(e instanceof ConfigError, `${e && e.name}: ${e && e.message}`);
    assert.ok(e instanceof NeonError);
    assert.equal(e.kind, 'config');
    assert.equal(e.message, message);
    return true;
  };
}

test('every error kind is exported under its Node class name, with its kind', () => {
  for (const row of parity.errors) {
    const cls = neonkit[row.node];
    assert.equal(typeof cls, 'function', `${row.node} is not exported`);
    assert.equal(cls.name, row.node);
    assert.equal(ERROR_CLASSES[row.kind], cls);
    const e = new cls('x');
    assert.equal(e.kind, row.kind);
    assert.equal(e.name, row.node);
    assert.ok(e instanceof NeonError);
  }
  assert.equal(Object.keys(ERROR_CLASSES).length, parity.errors.length);
});

test('every client option is accepted under its Node name', () => {
  for (const row of parity.options.filter((o) => o.client)) {
    const name = row.node.name;
    assert.ok(name in GOOD, `no good value for ${name} in this test`);
    assert.doesNotThrow(() => new NeonClient({ apiKey: 'parity-key', [name]: GOOD[name] }), name);
  }
});

test('every call option is accepted by withOptions under its Node name', () => {
  const c = new NeonClient({ apiKey: 'parity-key' });
  for (const row of parity.options.filter((o) => o.call)) {
    const name = row.node.name;
    const copy = c.withOptions({ [name]: GOOD[name] });
    assert.ok(copy instanceof NeonClient, name);
  }
});

test('a client-only option given to withOptions is a ConfigError', () => {
  const c = new NeonClient({ apiKey: 'parity-key' });
  for (const row of parity.options.filter((o) => o.client && !o.call)) {
    assert.throws(() => c.withOptions({ [row.node.name]: GOOD[row.node.name] }), ConfigError, row.node.name);
  }
});

test('every bad client option value is a ConfigError with the vocabulary message', () => {
  for (const row of parity.options.filter((o) => o.client)) {
    for (const bad of row.node.bad) {
      assert.throws(() => new NeonClient({ apiKey: 'parity-key', [row.node.name]: bad.value }), configError(bad.message), `${row.node.name}=${JSON.stringify(bad.value)}`);
    }
  }
});

test('every bad call option value, through withOptions, is a ConfigError with the vocabulary message', () => {
  const c = new NeonClient({ apiKey: 'parity-key' });
  for (const row of parity.options.filter((o) => o.call)) {
    for (const bad of row.node.bad) {
      assert.throws(() => c.withOptions({ [row.node.name]: bad.value }), configError(bad.message), `${row.node.name}=${JSON.stringify(bad.value)}`);
    }
  }
});

test('an unknown option is a ConfigError that lists the known ones', () => {
  const names = parity.options.filter((o) => o.client).map((o) => o.node.name);
  assert.throws(() => new NeonClient({ apiKey: 'k', retries: 3 }), configError(`unknown option "retries" (the options are: ${names.join(', ')})`));
});

test('every emulator option is accepted under its Node name', async () => {
  const good = { port: 0, apiKey: 'parity-emulator-key', operationDurationMs: 5, locking: false, rateLimits: false, latencyMs: 0, seed: 7, idleTimeoutMs: 5000, postgres: false, noPooler: false };
  // stateFile keeps the state in a file: test/fixtures.test.js
  // postgresUrl attaches to a running server: test/postgres.test.js
  const elsewhere = new Set(['postgresUrl', 'stateFile']);
  for (const row of parity.emulator_options) assert.ok(row.node.name in good || elsewhere.has(row.node.name), `no good value for ${row.node.name}`);
  const emu = await startEmulator(good);
  try {
    assert.equal(emu.apiKey, 'parity-emulator-key');
    assert.ok(emu.port > 0);
    const r = await emu.client().projects.list();
    assert.ok(Array.isArray(r.projects));
  } finally {
    await emu.stop();
  }
});

test('every bad emulator option value is a ConfigError with the vocabulary message', async () => {
  for (const row of parity.emulator_options) {
    for (const bad of row.node.bad) {
      await assert.rejects(startEmulator({ [row.node.name]: bad.value }), configError(bad.message), `${row.node.name}=${JSON.stringify(bad.value)}`);
    }
  }
});

test('a call through a copy with every call option but orgId set works', async () => {
  const options = {};
  for (const row of parity.options.filter((o) => o.call && o.node.name !== 'orgId')) options[row.node.name] = GOOD[row.node.name];
  const r = await ctx.client.withOptions(options).projects.list();
  assert.ok(Array.isArray(r.projects));
});
