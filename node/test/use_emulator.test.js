'use strict';
// neonkit/testing's useEmulator(): an emulator per suite, reset before each test, through node:test's hooks
// (given, or found when no runner globals exist), the globals of jest/vitest/mocha (faked here: a tiny runner),
// and the errors for hooks it cannot use. And startEmulator()'s Symbol.asyncDispose (`await using`).
const nodeTest = require('node:test');
const { test, describe, before, after, beforeEach } = nodeTest;
const assert = require('node:assert/strict');
const { NeonClient, ServerError, NetworkError } = require('../index.js');
const testing = require('../testing.js');
const { useEmulator, startEmulator, Emulator } = testing;

describe('useEmulator with node:test hooks given', () => {
  const neon = useEmulator({ operationDurationMs: 0, hooks: { before, after, beforeEach }, clientOptions: { maxRetries: 0 } });
  const seen = {};

  test('a test gets a running emulator and a client of it', async () => {
    assert.ok(neon.emulator instanceof Emulator);
    assert.ok(neon.client instanceof NeonClient);
    assert.equal(neon.client, neon.client, 'one client per test');
    seen.baseUrl = neon.emulator.baseUrl;
    seen.client = neon.client;
    await neon.client.projects.create({ project: { name: 'left-behind' } });
    assert.equal((await neon.client.projects.list()).projects.length, 1);
    neon.emulator.addFault({ operation_id: 'listProjects', kind: 'status', status: 503 });
    await neon.emulator.configure({ latencyMs: 1500, operationDurationMs: 3000 });
    neon.emulator.setClock(new Date(Date.now() - 40 * 86400000));
  });

  test('the next test starts from an empty emulator, the same one', async () => {
    assert.equal(neon.emulator.baseUrl, seen.baseUrl);
    assert.notEqual(neon.client, seen.client, 'a new client per test');
    assert.equal(neon.emulator.requestCount('createProject'), 0);
    assert.ok(Math.abs(neon.emulator.clock().getTime() - Date.now()) < 60000, 'the clock is real again');
    const started = Date.now();
    assert.deepEqual((await neon.client.projects.list()).projects, []); // no project, no fault
    await neon.client.projects.create({ project: { name: 'fresh' } }); // waits for its operations
    assert.ok(Date.now() - started < 1200, `latency and operation duration put back (${Date.now() - started} ms)`);
  });

  test('clientOptions reach the client (maxRetries: 0 does not retry a 503)', async () => {
    neon.emulator.addFault({ operation_id: 'listProjects', kind: 'status', status: 503, times: 1 });
    await assert.rejects(neon.client.projects.list(), ServerError);
    assert.equal(neon.emulator.requestCount('listProjects'), 1);
  });

  test('a test that stops the emulator', async () => {
    await neon.emulator.stop();
  });

  test('gets a new one', async () => {
    assert.notEqual(neon.emulator.baseUrl, seen.baseUrl);
    assert.deepEqual((await neon.client.projects.list()).projects, []);
  });

  describe('a nested suite with its own options', () => {
    const inner = useEmulator({ apiKey: 'inner-key', hooks: nodeTest });

    test('has its own emulator; the outer one is there too', () => {
      assert.equal(inner.emulator.apiKey, 'inner-key');
      assert.notEqual(inner.emulator.baseUrl, neon.emulator.baseUrl);
    });
  });
});

describe('useEmulator() with no hooks and no runner globals: node:test', () => {
  const neon = useEmulator();

  test('works', async () => {
    await neon.client.projects.create({ project: { name: 'a' } });
    assert.equal((await neon.client.projects.list()).projects.length, 1);
  });

  test('and resets', async () => {
    assert.deepEqual((await neon.client.projects.list()).projects, []);
  });
});

/** A fake runner: records the hooks, then runs "tests" between them as jest or vitest would. */
function fakeRunner(names) {
  const hooks = { before: [], after: [], beforeEach: [] };
  const fns = {
    [names[0]]: (fn) => hooks.before.push(fn),
    [names[1]]: (fn) => hooks.after.push(fn),
    beforeEach: (fn) => hooks.beforeEach.push(fn),
  };
  return {
    fns,
    hooks,
    async run(tests) {
      for (const h of hooks.before) await h();
      for (const t of tests) {
        for (const h of hooks.beforeEach) await h();
        await t();
      }
      for (const h of hooks.after) await h();
    },
  };
}

function withGlobals(fns, f) {
  const saved = Object.keys(fns).map((k) => [k, Object.getOwnPropertyDescriptor(globalThis, k)]);
  Object.assign(globalThis, fns);
  try {
    return f();
  } finally {
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(globalThis, k, d);
      else delete globalThis[k];
    }
  }
}

for (const [runner, names] of [
  ['jest / vitest (globals: true)', ['beforeAll', 'afterAll']],
  ['mocha', ['before', 'after']],
]) {
  test(`useEmulator() registers on the globals of ${runner}`, async () => {
    const fake = fakeRunner(names);
    const neon = withGlobals(fake.fns, () => useEmulator({ operationDurationMs: 0 }));
    assert.deepEqual([fake.hooks.before.length, fake.hooks.after.length, fake.hooks.beforeEach.length], [1, 1, 1]);
    assert.throws(() => neon.emulator, /inside tests and hooks of the suite that called useEmulator/);
    let emu;
    await fake.run([
      async () => {
        emu = neon.emulator;
        await neon.client.projects.create({ project: { name: 'x' } });
      },
      async () => {
        assert.equal(neon.emulator, emu);
        assert.deepEqual((await neon.client.projects.list()).projects, []);
      },
    ]);
    assert.throws(() => neon.client, /useEmulator/);
    // stopped after the suite: its port refuses
    await assert.rejects(emu.client({ maxRetries: 0 }).projects.list(), NetworkError);
  });
}

test('the hooks given win over the globals; a module namespace works', async () => {
  const fake = fakeRunner(['beforeAll', 'afterAll']);
  const mod = fakeRunner(['before', 'after']);
  withGlobals(fake.fns, () => useEmulator({ hooks: Object.freeze({ ...mod.fns }) }));
  assert.equal(fake.hooks.before.length, 0);
  assert.equal(mod.hooks.before.length, 1);
  await mod.run([]);
});

test('hooks it cannot use are InvalidArgumentTypeErrors (TypeErrors) saying what to pass', () => {
  assert.throws(() => useEmulator({ hooks: { before, after } }), {
    name: 'InvalidArgumentTypeError',
    message: /hooks lacks beforeEach \(a function\); pass \{ hooks: \{ before, after, beforeEach \} \} with those of 'node:test'/,
  });
  assert.throws(() => useEmulator({ hooks: {} }), /hooks lacks before or beforeAll, after or afterAll, beforeEach/);
  assert.throws(() => useEmulator({ hooks: null }), TypeError);
  assert.throws(() => useEmulator('fast'), /useEmulator takes an options object/);
  assert.throws(() => useEmulator({ hooks: nodeTest, clientOptions: 3 }), /clientOptions must be an options object/);
});

for (const [env, message] of [
  ['VITEST', /vitest has no global hooks here.*from 'vitest'/],
  ['JEST_WORKER_ID', /jest has no global hooks here.*from '@jest\/globals'/],
]) {
  test(`under ${env} without globals it asks for the hooks instead of using node:test's`, () => {
    const saved = process.env[env];
    process.env[env] = '1';
    try {
      assert.throws(() => useEmulator(), { name: 'InvalidArgumentTypeError', message });
    } finally {
      if (saved === undefined) delete process.env[env];
      else process.env[env] = saved;
    }
  });
}

test('a bad emulator option fails the suite with the core ConfigError', async () => {
  const fake = fakeRunner(['beforeAll', 'afterAll']);
  useEmulator({ hooks: fake.fns, operationDurationMs: -1 });
  await assert.rejects(fake.run([]), { name: 'ConfigError', message: /operationDurationMs/ });
});

test('startEmulator(): Symbol.asyncDispose (what `await using` calls) stops it', async () => {
  const emu = await startEmulator();
  assert.equal(typeof emu[Symbol.asyncDispose], 'function');
  const client = emu.client({ maxRetries: 0 });
  await client.projects.list();
  await emu[Symbol.asyncDispose]();
  await assert.rejects(client.projects.list(), NetworkError);
});

test('neonkit/testing exports useEmulator from both entry points', async () => {
  const esm = await import('../testing.mjs');
  assert.equal(esm.useEmulator, useEmulator);
  assert.equal(esm.default.useEmulator, useEmulator);
  assert.equal(require('neonkit/testing').useEmulator, useEmulator);
});

test("the README's node:test example runs", () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { spawnSync } = require('node:child_process');
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.split('#### `useEmulator()`')[1];
  const code = section.match(/```js\n([\s\S]*?)```/)[1]
    .replace("require('neonkit/testing')", `require(${JSON.stringify(path.join(__dirname, '..', 'testing.js'))})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neonkit-readme-'));
  const file = path.join(dir, 'example.test.js');
  fs.writeFileSync(file, code);
  try {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // a test runner of its own, reporting to its stdout
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { encoding: 'utf8', timeout: 60000, env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /# pass 2/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
