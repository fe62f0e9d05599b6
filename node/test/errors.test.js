'use strict';
// Each error class, with its fields; argument errors before any request; panics.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const { useEmulator, uniq } = require('./helpers.js');
const neonkit = require('../index.js');
const native = require('../lib/native.js');

const {
  NeonClient, NeonError, ERROR_CLASSES, BadRequestError, AuthenticationError, PermissionDeniedError, NotFoundError,
  ConflictError, LockedError, RateLimitError, ServerError, ApiError, TimeoutError, NetworkError, DecodeError,
  InvalidArgumentError, InvalidArgumentTypeError, ConfigError, OperationFailedError, WaitTimeoutError, NeonRuntimeError,
} = neonkit;

const ctx = useEmulator();

function noRetry(extra = {}) {
  return ctx.emu.client({ maxRetries: 0, ...extra });
}

async function newProject() {
  return (await ctx.client.projects.create({ project: { name: uniq('err') } })).project;
}

function checkHttp(e, cls, kind, status) {
  assert.ok(e instanceof cls, `${e && e.name} is not a ${cls.name}`);
  assert.ok(e instanceof NeonError);
  assert.ok(e instanceof Error);
  assert.equal(e.kind, kind);
  assert.equal(e.status, status);
  assert.equal(e.name, cls.name);
  assert.equal(typeof e.code, 'string');
  assert.match(e.requestId, /\S/);
  assert.ok(e.message.length > 10, e.message);
  return true;
}

test('every kind has its class, and the classes are distinct', () => {
  assert.deepEqual(Object.keys(ERROR_CLASSES).sort(), native.errorKinds().sort());
  const seen = new Set(Object.values(ERROR_CLASSES));
  assert.equal(seen.size, Object.keys(ERROR_CLASSES).length);
  for (const [kind, cls] of Object.entries(ERROR_CLASSES)) {
    const e = new cls('x');
    assert.equal(e.kind, kind);
    assert.ok(e instanceof NeonError);
  }
});

test('not_found (404) with request id and operation', async () => {
  await assert.rejects(ctx.client.projects.get('missing-project-1'), (e) => {
    checkHttp(e, NotFoundError, 'not_found', 404);
    assert.equal(e.operation, 'getProject');
    assert.equal(e.retryable, false);
    assert.ok(!(e instanceof ConflictError));
    return true;
  });
});

test('conflict (409)', async () => {
  const p = await newProject();
  const b = (await ctx.client.branches.list(p.id)).branches[0];
  await ctx.client.roles.create(p.id, b.id, { role: { name: 'dup' } });
  await assert.rejects(ctx.client.roles.create(p.id, b.id, { role: { name: 'dup' } }), (e) => checkHttp(e, ConflictError, 'conflict', 409));
});

test('unauthorized (401): a wrong key', async () => {
  const c = new NeonClient({ apiKey: 'wrong-key-123', baseUrl: ctx.emu.baseUrl, maxRetries: 0 });
  await assert.rejects(c.projects.list(), (e) => {
    checkHttp(e, AuthenticationError, 'unauthorized', 401);
    assert.ok(!e.message.includes('wrong-key-123'));
    return true;
  });
});

const statusCases = [
  [400, BadRequestError, 'bad_request'],
  [403, PermissionDeniedError, 'forbidden'],
  [423, LockedError, 'locked'],
  [429, RateLimitError, 'rate_limited'],
  [500, ServerError, 'server'],
  [503, ServerError, 'server'],
  [422, ApiError, 'api'],
];
for (const [status, cls, kind] of statusCases) {
  test(`${kind} (${status}) from an emulator fault`, async () => {
    ctx.emu.addFault({ operation_id: 'listProjects', kind: 'status', status, times: 1, ...(status === 429 ? { retry_after: '2' } : {}) });
    await assert.rejects(noRetry().projects.list(), (e) => {
      checkHttp(e, cls, kind, status);
      if (status === 429) assert.equal(e.retryAfterMs, 2000);
      assert.equal(e.retryable, ['locked', 'rate_limited', 'server'].includes(kind));
      return true;
    });
    ctx.emu.clearFaults();
  });
}

test('retries absorb transient faults', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'status', status: 503, times: 2 });
  const before = ctx.emu.requestCount('listProjects');
  const r = await ctx.emu.client({ maxRetries: 3, retryInitialBackoffMs: 5, retryMaxBackoffMs: 10 }).projects.list();
  assert.ok(Array.isArray(r.projects));
  assert.equal(ctx.emu.requestCount('listProjects') - before, 3);
});

test('timeout: the call deadline passes', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 1500, times: 1 });
  await assert.rejects(noRetry({ timeoutMs: 200 }).projects.list(), (e) => {
    assert.ok(e instanceof TimeoutError);
    assert.equal(e.kind, 'timeout');
    assert.equal(e.status, null);
    assert.equal(e.retryable, true);
    return true;
  });
  ctx.emu.clearFaults();
});

test('network: a dropped connection, and nothing listening', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'drop_connection', times: 1 });
  await assert.rejects(noRetry().projects.list(), (e) => e instanceof NetworkError && e.kind === 'network' && e.status === null);
  const dead = new NeonClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/api/v2', maxRetries: 0 });
  await assert.rejects(dead.projects.list(), NetworkError);
});

test('a truncated body is a network error (not retried for a POST)', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'truncate_body', times: 1 });
  await assert.rejects(noRetry().projects.list(), (e) => e instanceof NetworkError && e.kind === 'network');
});

test('decode: a success response that is not JSON', async () => {
  // The emulator always answers JSON, so a two-line local server answers garbage.
  const http = require('node:http');
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"projects": [ npg_secretvalue');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const c = new NeonClient({ apiKey: 'k', baseUrl: `http://127.0.0.1:${server.address().port}/api/v2`, maxRetries: 0 });
    await assert.rejects(c.projects.list(), (e) => {
      assert.ok(e instanceof DecodeError);
      assert.equal(e.kind, 'decode');
      assert.equal(e.operation, 'listProjects');
      assert.ok(!e.message.includes('npg_secretvalue'), e.message);
      return true;
    });
  } finally {
    server.close();
  }
});

test('operation_failed: the operation a call waits for fails', async () => {
  const p = await newProject();
  ctx.emu.addFault({ operation_id: 'createProjectBranch', kind: 'fail_operation', error: 'disk quota exceeded', times: 1 });
  await assert.rejects(ctx.client.branches.create(p.id, { branch: { name: 'doomed' } }), (e) => {
    assert.ok(e instanceof OperationFailedError);
    assert.equal(e.kind, 'operation_failed');
    assert.equal(e.status, null);
    assert.match(e.message, /disk quota exceeded/);
    assert.equal(e.pendingOperations.length, 1);
    assert.equal(e.operation, 'createProjectBranch');
    return true;
  });
});

test('wait_timeout: operations outlast the wait', async () => {
  const p = await newProject();
  await ctx.emu.configure({ operationDurationMs: 3000 });
  try {
    const c = ctx.emu.client({ waitTimeoutMs: 150, waitPollIntervalMs: 20 });
    await assert.rejects(c.branches.create(p.id, { branch: { name: 'slow' } }), (e) => {
      assert.ok(e instanceof WaitTimeoutError);
      assert.equal(e.kind, 'wait_timeout');
      assert.ok(e.pendingOperations.length >= 1);
      for (const id of e.pendingOperations) assert.match(id, /^[0-9a-f-]{36}$/);
      return true;
    });
  } finally {
    await ctx.emu.configure({ operationDurationMs: 20 });
  }
});

test('config: an empty or missing API key', () => {
  assert.throws(() => new NeonClient({ apiKey: '' }), (e) => e instanceof ConfigError && e.kind === 'config');
  const saved = process.env.NEON_API_KEY;
  delete process.env.NEON_API_KEY;
  try {
    assert.throws(() => new NeonClient({ baseUrl: ctx.emu.baseUrl }), ConfigError);
  } finally {
    if (saved !== undefined) process.env.NEON_API_KEY = saved;
  }
  assert.throws(() => new NeonClient({ apiKey: 'k', baseUrl: 'ftp://x' }), ConfigError);
});

test('the API key falls back to NEON_API_KEY', async () => {
  process.env.NEON_API_KEY = ctx.emu.apiKey;
  try {
    const c = new NeonClient({ baseUrl: ctx.emu.baseUrl });
    assert.ok(Array.isArray((await c.projects.list()).projects));
  } finally {
    delete process.env.NEON_API_KEY;
  }
});

test('invalid arguments are RangeError/TypeError, before any request', async () => {
  const before = ctx.emu.requestCount('getProject');
  const beforeOps = ctx.emu.requestCount('getProjectOperation');
  await assert.rejects(ctx.client.projects.get('Bad/Id'), (e) => {
    assert.ok(e instanceof RangeError);
    assert.ok(e instanceof InvalidArgumentError);
    assert.ok(e instanceof NeonError);
    assert.equal(e.kind, 'invalid_argument');
    assert.equal(e.status, null);
    assert.match(e.message, /project_id/);
    return true;
  });
  await assert.rejects(ctx.client.projects.get(''), RangeError);
  await assert.rejects(ctx.client.projects.get(42.5), TypeError);
  await assert.rejects(ctx.client.projects.get({}), (e) => e instanceof TypeError && e instanceof InvalidArgumentTypeError && e instanceof NeonError);
  await assert.rejects(ctx.client.projects.list({ nope: 1 }), (e) => e instanceof RangeError && /nope/.test(e.message));
  await assert.rejects(ctx.client.projects.list({ limit: {} }), TypeError);
  await assert.rejects(ctx.client.projects.list('limit=1'), TypeError);
  await assert.rejects(ctx.client.projects.create('body'), TypeError);
  await assert.rejects(ctx.client.projects.list({}, { wait: 'yes' }), TypeError);
  await assert.rejects(ctx.client.projects.list({}, { signal: 'x' }), TypeError);
  await assert.rejects(ctx.client.operations.get('proj-1', 'not-a-uuid'), RangeError);
  assert.throws(() => ctx.client.projects.getSync(null), TypeError);
  assert.throws(() => ctx.client.projects.iter({ limit: NaN }), RangeError);
  assert.equal(ctx.emu.requestCount('getProject'), before);
  assert.equal(ctx.emu.requestCount('getProjectOperation'), beforeOps);
  // Bad option values are the core's to check and word: ConfigError (they were RangeError/TypeError).
  assert.throws(() => new NeonClient({ apiKey: 'k', timeoutMs: -1 }), ConfigError);
  assert.throws(() => new NeonClient({ apiKey: 'k', maxRetries: 1.5 }), ConfigError);
  assert.throws(() => new NeonClient({ apiKey: 'k', maxRetries: '3' }), ConfigError);
  assert.throws(() => new NeonClient({ apikey: 'k' }), (e) => e instanceof ConfigError && /apikey/.test(e.message));
  assert.throws(() => new NeonClient('k'), TypeError);
});

test('a Rust panic becomes a NeonRuntimeError, the process goes on', async () => {
  const { fromNative } = require('../lib/errors.js');
  assert.throws(() => { try { native.testPanic(false); } catch (e) { throw fromNative(e); } }, (e) => e instanceof NeonRuntimeError && /panic/.test(e.message));
  await assert.rejects(native.testPanic(true).catch((e) => { throw fromNative(e); }), (e) => e instanceof NeonRuntimeError && /test panic \(async\)/.test(e.message));
  assert.ok(Array.isArray((await ctx.client.projects.list()).projects));
});

test('secrets stay out of messages and inspection', async () => {
  const secret = 'super-secret-key-value-123';
  const c = new NeonClient({ apiKey: secret, baseUrl: ctx.emu.baseUrl, maxRetries: 0 });
  assert.ok(!util.inspect(c, { showHidden: true, depth: 5 }).includes(secret));
  assert.ok(!JSON.stringify(c).includes(secret));
  const e = await c.projects.list().catch((x) => x);
  assert.ok(e instanceof AuthenticationError);
  assert.ok(!util.inspect(e).includes(secret));
  assert.ok(!e.message.includes(secret));
});
