'use strict';
// neonkit/testing: the neonkit emulator (a local, in-memory Neon API), started
// in this process on 127.0.0.1 and served by the core's runtime.
const native = require('./lib/native.js');
const { NeonClient } = require('./lib/client.js');
const { fromNative, typeError } = require('./lib/errors.js');

class Emulator {
  constructor(n) {
    Object.defineProperty(this, '_native', { value: n });
    /** `http://127.0.0.1:PORT/api/v2` */
    this.baseUrl = n.baseUrl;
    /** The port on 127.0.0.1. */
    this.port = n.port;
    /** The API key the emulator accepts. */
    Object.defineProperty(this, 'apiKey', { value: n.apiKey, enumerable: false });
  }

  /** A NeonClient for this emulator (options are passed on). */
  client(options = {}) {
    return new NeonClient({ apiKey: this.apiKey, baseUrl: this.baseUrl, ...options });
  }

  /** Adds a fault: `{ operation_id?, kind: 'status' | 'drop_connection' | 'truncate_body' | 'latency' | 'fail_operation', status?, retry_after?, ms?, error?, times? }`. */
  addFault(fault) {
    if (!fault || typeof fault !== 'object') throw typeError('addFault takes a fault object');
    try { this._native.addFault(JSON.stringify(fault)); } catch (e) { throw fromNative(e); }
  }

  clearFaults() { try { this._native.clearFaults(); } catch (e) { throw fromNative(e); } }

  /**
   * Seeds projects with their branches, databases, roles, endpoints and operations from a fixture (an object or its
   * JSON text, `{ projects: [...] }` in the API's field names). All or nothing: a bad fixture throws an
   * InvalidArgumentError naming the field's path. Returns the ids given.
   */
  seed(fixture) {
    let text;
    if (typeof fixture === 'string') text = fixture;
    else if (fixture && typeof fixture === 'object' && !Array.isArray(fixture)) text = JSON.stringify(fixture);
    else throw typeError('seed takes a fixture object ({ projects: [...] }) or its JSON text');
    try { return JSON.parse(this._native.seed(text)); } catch (e) { throw fromNative(e); }
  }

  /**
   * Changes, while it runs, what can change: `{ operationDurationMs, locking, rateLimits, latencyMs }` (the names of
   * startEmulator; any other option is a ConfigError). Fault rates stay with the admin API (`PATCH /_emulator/config`).
   */
  async configure(options) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw typeError('configure takes an options object');
    try { this._native.configure(options); } catch (e) { throw fromNative(e); }
  }

  /** Empties all state (projects, faults, counters); the clock goes back to the real time. */
  reset() { try { this._native.reset(); } catch (e) { throw fromNative(e); } }

  /**
   * Sets the emulator's clock, where every timestamp it writes comes from (created_at, updated_at, operation
   * times, …): a Date or an RFC 3339 string. It runs on from there; operation durations stay on real time.
   * Returns the clock's time as a Date.
   */
  setClock(when) {
    let text;
    if (when instanceof Date) {
      if (Number.isNaN(when.getTime())) throw typeError('setClock takes a valid Date (this one is Invalid Date)');
      text = when.toISOString();
    } else if (typeof when === 'string') {
      text = when;
    } else {
      throw typeError(`setClock takes a Date or an RFC 3339 string, not ${when === null ? 'null' : typeof when}`);
    }
    try { return new Date(this._native.setClock(text)); } catch (e) { throw fromNative(e); }
  }

  /** Moves the emulator's clock forward by `seconds` (zero or more). Returns the clock's time as a Date. */
  advanceClock(seconds) {
    if (typeof seconds !== 'number') throw typeError(`advanceClock takes a number of seconds, not ${seconds === null ? 'null' : typeof seconds}`);
    try { return new Date(this._native.advanceClock(seconds)); } catch (e) { throw fromNative(e); }
  }

  /** Puts the emulator's clock back on the real time (reset() does too). Returns its time as a Date. */
  realClock() { try { return new Date(this._native.realClock()); } catch (e) { throw fromNative(e); } }

  /** The emulator's clock now, as a Date. */
  clock() { try { return new Date(this._native.clock()); } catch (e) { throw fromNative(e); } }

  /** Requests received for that operationId. */
  requestCount(operationId) { try { return this._native.requestCount(operationId); } catch (e) { throw fromNative(e); } }

  /** Stops the server. */
  async stop() { this._native.stop(); }

  async [Symbol.asyncDispose || Symbol.for('Symbol.asyncDispose')]() { this._native.stop(); }
}

/**
 * Starts an emulator: `{ port, apiKey, operationDurationMs, locking, rateLimits, latencyMs, seed, idleTimeoutMs, postgres,
 * postgresUrl, noPooler }`, all
 * optional, under the names of spec/vocabulary.yaml; the core checks them (a bad one is a ConfigError).
 */
async function startEmulator(options) {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw typeError('startEmulator takes an options object');
  }
  if (typeof native.startEmulator !== 'function') {
    throw new Error('neonkit/testing: this build of the addon has no emulator (built without the `emulator` feature)');
  }
  let n;
  try {
    n = await native.startEmulator(options);
  } catch (e) {
    throw fromNative(e);
  }
  return new Emulator(n);
}

// ---------------------------------------------------------------- useEmulator: hooks of a test runner

const HOOKS_EXAMPLE = "{ hooks: { before, after, beforeEach } } with those of 'node:test', or { hooks: { beforeAll, afterAll, beforeEach } } with those of 'vitest'";

function hookOf(source, names) {
  for (const name of names) {
    if (typeof source[name] === 'function') return source[name];
  }
  return undefined;
}

/** The runner's hooks: given, else the globals (jest, vitest with `globals: true`, mocha), else node:test's. */
function resolveHooks(hooks) {
  if (hooks !== undefined) {
    if (hooks === null || (typeof hooks !== 'object' && typeof hooks !== 'function')) {
      throw typeError(`useEmulator: hooks must be an object of the runner's hook functions, e.g. ${HOOKS_EXAMPLE}`);
    }
    const found = {
      before: hookOf(hooks, ['beforeAll', 'before']),
      after: hookOf(hooks, ['afterAll', 'after']),
      beforeEach: hookOf(hooks, ['beforeEach']),
    };
    const missing = [['before', 'before or beforeAll'], ['after', 'after or afterAll'], ['beforeEach', 'beforeEach']]
      .filter(([key]) => !found[key])
      .map(([, label]) => label);
    if (missing.length) throw typeError(`useEmulator: hooks lacks ${missing.join(', ')} (a function); pass ${HOOKS_EXAMPLE}`);
    return found;
  }
  const g = globalThis;
  if (typeof g.beforeAll === 'function' && typeof g.afterAll === 'function' && typeof g.beforeEach === 'function') {
    return { before: g.beforeAll, after: g.afterAll, beforeEach: g.beforeEach }; // jest, vitest (globals), jasmine, bun
  }
  if (typeof g.before === 'function' && typeof g.after === 'function' && typeof g.beforeEach === 'function') {
    return { before: g.before, after: g.after, beforeEach: g.beforeEach }; // mocha
  }
  if (process.env.VITEST) {
    throw typeError("useEmulator: vitest has no global hooks here (globals: false); pass { hooks: { beforeAll, afterAll, beforeEach } } imported from 'vitest'");
  }
  if (process.env.JEST_WORKER_ID) {
    throw typeError("useEmulator: jest has no global hooks here (injectGlobals: false); pass { hooks: { beforeAll, afterAll, beforeEach } } imported from '@jest/globals'");
  }
  const nodeTest = require('node:test');
  return { before: nodeTest.before, after: nodeTest.after, beforeEach: nodeTest.beforeEach };
}

/** GETs (body undefined) or PATCHes the emulator's runtime configuration (`/_emulator/config`), which reset() keeps. */
async function adminConfig(emu, body) {
  const url = `${new URL(emu.baseUrl).origin}/_emulator/config`;
  const res = await fetch(url, body === undefined ? {} : { method: 'PATCH', body, headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`neonkit/testing: ${url} answered ${res.status}`);
  return res.text();
}

function notStarted(what) {
  return new Error(
    `neonkit/testing: useEmulator(): .${what} is there inside tests and hooks of the suite that called useEmulator ` +
      '(its emulator starts in that suite\'s before/beforeAll hook and stops in its after/afterAll)',
  );
}

/**
 * Starts an emulator for the suite (file or describe block) it is called in and resets it before each of its tests;
 * returns `{ emulator, client }`, read inside tests. Options: those of startEmulator, and `hooks` (the runner's
 * `before`/`beforeAll`, `after`/`afterAll`, `beforeEach`: needed for node:test's imports when there are no globals,
 * found by themselves under jest and vitest with globals), `clientOptions` (for `client`).
 */
function useEmulator(options = {}) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw typeError('useEmulator takes an options object');
  }
  const { hooks, clientOptions, ...emulatorOptions } = options;
  if (clientOptions !== undefined && (clientOptions === null || typeof clientOptions !== 'object' || Array.isArray(clientOptions))) {
    throw typeError('useEmulator: clientOptions must be an options object (those of NeonClient)');
  }
  const { before, after, beforeEach } = resolveHooks(hooks);
  let emu;
  let config;
  let client;

  async function start() {
    emu = await startEmulator(emulatorOptions);
    config = await adminConfig(emu);
  }

  before(start);
  beforeEach(async () => {
    client = undefined;
    if (!emu) return start();
    try {
      emu.reset();
      await adminConfig(emu, config);
    } catch {
      // stopped by a test (or broken): start another one
      const old = emu;
      emu = undefined;
      await old.stop().catch(() => {});
      await start();
    }
  });
  after(async () => {
    const e = emu;
    emu = undefined;
    client = undefined;
    if (e) await e.stop();
  });

  return Object.freeze({
    get emulator() {
      if (!emu) throw notStarted('emulator');
      return emu;
    },
    get client() {
      if (!emu) throw notStarted('client');
      if (!client) client = emu.client(clientOptions);
      return client;
    },
  });
}

module.exports = { startEmulator, Emulator, useEmulator };
