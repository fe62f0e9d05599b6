'use strict';
// What the core's kernel gives every language, seen from Node: withOptions
// (deadline, retries, wait, headers), response metadata, and the raw call.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { useEmulator, uniq } = require('./helpers.js');
const {
  NeonClient, RawResponse, responseOf, TimeoutError, LockedError, WaitTimeoutError, NotFoundError, InvalidArgumentError,
  InvalidArgumentTypeError, ConfigError, AbortedError,
} = require('../index.js');

const ctx = useEmulator();

async function newProject(name) {
  return (await ctx.client.projects.create({ project: { name: uniq(name) } })).project;
}

/** A local server that answers every request with its method, URL and headers as JSON. */
async function echoServer() {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'x-neon-ret-request-id': 'echo-1', 'x-echo': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = new NeonClient({ apiKey: 'echo-key', baseUrl: `http://127.0.0.1:${server.address().port}/api/v2`, maxRetries: 0 });
  return { server, client, seen };
}

// ---------------------------------------------------------------- withOptions

test('withOptions({ timeoutMs }) is the whole call\'s deadline; the original client keeps its own', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 2000, times: 10 });
  try {
    const started = Date.now();
    await assert.rejects(ctx.client.withOptions({ timeoutMs: 300 }).projects.list(), (e) => e instanceof TimeoutError && e.kind === 'timeout');
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    assert.throws(() => ctx.client.withOptions({ timeoutMs: 300 }).projects.listSync(), TimeoutError);
  } finally {
    ctx.emu.clearFaults();
  }
  assert.ok(Array.isArray((await ctx.client.projects.list()).projects));
});

test('withOptions({ timeoutMs }) bounds the operation wait too', async () => {
  const p = await newProject('deadline');
  await ctx.emu.configure({ operationDurationMs: 5000 });
  try {
    const started = Date.now();
    await assert.rejects(ctx.client.withOptions({ timeoutMs: 400 }).branches.create(p.id, { branch: { name: 'slow' } }), (e) => {
      assert.ok(e instanceof WaitTimeoutError, `${e.name}: ${e.message}`);
      assert.equal(e.accepted, true);
      assert.ok(e.pendingOperations.length >= 1);
      return true;
    });
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  } finally {
    await ctx.emu.configure({ operationDurationMs: 20 });
  }
});

test('withOptions({ maxRetries: 0 }): a 423 is a LockedError after exactly one request', async () => {
  const p = await newProject('retries');
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 423, times: 1 });
  let before = ctx.emu.requestCount('getProject');
  await assert.rejects(ctx.client.withOptions({ maxRetries: 0 }).projects.get(p.id), LockedError);
  assert.equal(ctx.emu.requestCount('getProject') - before, 1);
  // The client it came from retries (one 423, then its retry).
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 423, times: 1 });
  before = ctx.emu.requestCount('getProject');
  assert.equal((await ctx.client.projects.get(p.id)).project.id, p.id);
  assert.equal(ctx.emu.requestCount('getProject') - before, 2);
  // The blocking form takes the same options.
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 423, times: 1 });
  before = ctx.emu.requestCount('getProject');
  assert.throws(() => ctx.client.withOptions({ maxRetries: 0 }).projects.getSync(p.id), LockedError);
  assert.equal(ctx.emu.requestCount('getProject') - before, 1);
});

test('withOptions({ waitForOperations: false }) returns with the operations still running', async () => {
  const p = await newProject('nowait');
  await ctx.emu.configure({ operationDurationMs: 1000 });
  try {
    const quick = ctx.client.withOptions({ waitForOperations: false });
    const r = await quick.branches.create(p.id, { branch: { name: 'quick' } });
    assert.ok(r.operations.length >= 1);
    assert.ok(r.operations.some((o) => o.status !== 'finished'), JSON.stringify(r.operations.map((o) => o.status)));
    const done = await ctx.client.operations.wait(r);
    assert.ok(done.every((o) => o.status === 'finished'));
    // The per-call { wait } still overrides the copy's setting.
    const waited = await quick.branches.create(p.id, { branch: { name: 'waited' } }, { wait: true });
    assert.ok(waited.operations.every((o) => o.status === 'finished'));
  } finally {
    await ctx.emu.configure({ operationDurationMs: 20 });
  }
});

test('withOptions({ waitTimeoutMs }) bounds the wait alone', async () => {
  const p = await newProject('waittimeout');
  await ctx.emu.configure({ operationDurationMs: 3000 });
  try {
    await assert.rejects(ctx.client.withOptions({ waitTimeoutMs: 150 }).branches.create(p.id, { branch: { name: 'w' } }), WaitTimeoutError);
  } finally {
    await ctx.emu.configure({ operationDurationMs: 20 });
  }
});

test('headers reach the server: the emulator echoes X-Request-Id as the request id', async () => {
  const traced = ctx.client.withOptions({ headers: { 'X-Request-Id': 'my-trace' } });
  const result = await traced.projects.list();
  assert.equal(responseOf(result).requestId, 'my-trace');
  assert.equal(responseOf(traced.projects.listSync()).requestId, 'my-trace');
  // A later withOptions replaces a header of the same name.
  assert.equal(responseOf(traced.withOptions({ headers: { 'x-request-id': 'second' } }).projects.listSync()).requestId, 'second');
  // Client-level headers too.
  const c = ctx.emu.client({ headers: { 'X-Request-Id': 'from-the-client' } });
  assert.equal(responseOf(await c.projects.list()).requestId, 'from-the-client');
  assert.notEqual(responseOf(await ctx.client.projects.list()).requestId, 'my-trace');
});

test('bad withOptions values are ConfigErrors before any request', () => {
  assert.throws(() => ctx.client.withOptions({ timeoutMs: 0 }), (e) => e instanceof ConfigError && /timeoutMs/.test(e.message));
  assert.throws(() => ctx.client.withOptions({ headers: { Authorization: 'Bearer x' } }), (e) => e instanceof ConfigError && /Authorization cannot be set/.test(e.message));
  assert.throws(() => ctx.client.withOptions({ headers: { 'X-N': 5 } }), ConfigError);
  assert.throws(() => ctx.client.withOptions({ connectTimeoutMs: 5 }), (e) => e instanceof ConfigError && /client option/.test(e.message));
  assert.throws(() => ctx.client.withOptions('fast'), InvalidArgumentTypeError);
  assert.ok(ctx.client.withOptions() instanceof NeonClient);
});

// ---------------------------------------------------------------- response metadata

test('responseOf gives the status, request id and headers of a call\'s response', async () => {
  const p = await newProject('meta');
  for (const r of [await ctx.client.projects.get(p.id), ctx.client.projects.getSync(p.id)]) {
    const m = responseOf(r);
    assert.equal(m.status, 200);
    assert.match(m.requestId, /\S/);
    assert.ok(m.headers.some(([k, v]) => k === 'content-type' && v.startsWith('application/json')), JSON.stringify(m.headers));
    assert.ok(m.headers.some(([k, v]) => k === 'x-neon-ret-request-id' && v === m.requestId));
    assert.equal(responseOf(r), m, 'the same object each time');
    assert.ok(Object.isFrozen(m));
  }
  const created = await ctx.client.projects.create({ project: { name: uniq('meta201') } });
  assert.equal(responseOf(created).status, 201);
  for (const v of [null, undefined, 42, 'x', {}, [], p]) assert.equal(responseOf(v), null);
});

// ---------------------------------------------------------------- the raw call

test('request: GET and POST through the pipeline, async and blocking', async () => {
  const p = await newProject('raw');
  const r = await ctx.client.request('GET', `/projects/${p.id}`);
  assert.ok(r instanceof RawResponse);
  assert.equal(r.status, 200);
  assert.match(r.requestId, /\S/);
  assert.equal(r.header('X-Neon-Ret-Request-Id'), r.requestId);
  assert.match(r.header('content-type'), /^application\/json/);
  assert.equal(r.header('x-no-such-header'), null);
  assert.ok(Buffer.isBuffer(r.body));
  assert.equal(r.json().project.id, p.id);
  assert.equal(JSON.parse(r.text()).project.id, p.id);
  assert.equal(responseOf(r).status, 200);
  const s = ctx.client.requestSync('GET', `/projects/${p.id}`);
  assert.equal(s.status, 200);
  assert.equal(s.json().project.id, p.id);
  const made = await ctx.client.request('POST', `/projects/${p.id}/branches`, { body: { branch: { name: 'from-raw' } } });
  assert.equal(made.status, 201);
  assert.equal(made.json().branch.name, 'from-raw');
  const madeSync = ctx.client.requestSync('post', `/projects/${p.id}/branches`, { body: { branch: { name: 'from-raw-sync' } } });
  assert.equal(madeSync.status, 201);
  // The same retries as any call: one 423 and its retry.
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 423, times: 1 });
  const before = ctx.emu.requestCount('getProject');
  assert.equal((await ctx.client.request('GET', `/projects/${p.id}`)).status, 200);
  assert.equal(ctx.emu.requestCount('getProject') - before, 2);
});

test('request: query pairs are encoded, arrays repeat the name; headers of withOptions go along', async () => {
  const { server, client, seen } = await echoServer();
  try {
    const r = await client.withOptions({ headers: { 'X-Trace': 't-1' } }).request('GET', '/projects', { query: { search: 'a b&c=d/é', limit: 5, ok: true, tag: ['x', 'y'], none: undefined } });
    assert.equal(r.status, 200);
    assert.equal(r.requestId, 'echo-1');
    assert.equal(r.header('X-Echo'), 'yes');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, '/api/v2/projects?search=a%20b%26c%3Dd%2F%C3%A9&limit=5&ok=true&tag=x&tag=y');
    assert.equal(seen[0].headers['x-trace'], 't-1');
    assert.equal(seen[0].headers.authorization, 'Bearer echo-key');
    // (async: a blocking call would block the event loop this server answers on)
    await client.request('PATCH', '/projects/p-1', { body: { project: { name: 'n' } } });
    assert.equal(seen[1].method, 'PATCH');
    assert.equal(seen[1].headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen[1].body), { project: { name: 'n' } });
    // A bad path, method or query is refused before any request.
    await assert.rejects(client.request('GET', 'projects'), (e) => e instanceof InvalidArgumentError && /must start with '\/'/.test(e.message));
    assert.throws(() => client.requestSync('GET', 'projects'), InvalidArgumentError);
    await assert.rejects(client.request('GET', '/projects/../api_keys'), InvalidArgumentError);
    await assert.rejects(client.request('TRACE', '/projects'), InvalidArgumentError);
    await assert.rejects(client.request('GET', '/projects', { query: { limit: {} } }), InvalidArgumentTypeError);
    await assert.rejects(client.request('GET', 42), InvalidArgumentTypeError);
    assert.equal(seen.length, 2);
  } finally {
    server.close();
  }
});

test('request: a 404 is a NotFoundError with its request id; an aborted one is an AbortedError', async () => {
  await assert.rejects(ctx.client.request('GET', '/projects/no-such-project-1'), (e) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.status, 404);
    assert.match(e.requestId, /\S/);
    assert.equal(e.operation, 'request');
    return true;
  });
  assert.throws(() => ctx.client.requestSync('GET', '/projects/no-such-project-2'), (e) => e instanceof NotFoundError && e.requestId !== null);
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 2000, times: 1 });
  try {
    await assert.rejects(ctx.client.request('GET', '/projects', { signal: AbortSignal.timeout(100) }), AbortedError);
  } finally {
    ctx.emu.clearFaults();
  }
});

// ---------------------------------------------------------------- the emulator handle

test('emulator.configure changes what can change while it runs, by the vocabulary names', async () => {
  await ctx.emu.configure({ latencyMs: 0, locking: true, rateLimits: false, operationDurationMs: 20 });
  await assert.rejects(ctx.emu.configure({ port: 1 }), (e) => e instanceof ConfigError && /port is set when the emulator starts/.test(e.message));
  await assert.rejects(ctx.emu.configure({ latencyMs: -1000 }), (e) => e instanceof ConfigError && e.message === 'latencyMs must be a number of milliseconds from 0 to 3600000 (got -1000)');
  await assert.rejects(ctx.emu.configure({ operation_duration_ms: 5 }), (e) => e instanceof ConfigError && /unknown emulator option/.test(e.message));
  await assert.rejects(ctx.emu.configure('fast'), InvalidArgumentTypeError);
});
