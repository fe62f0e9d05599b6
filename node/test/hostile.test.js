'use strict';
// What real traffic and a hostile server showed in Node: wrong shapes returned
// as they came, secrets printed by console.log, numbers coerced into ids,
// aborts that were not NeonErrors, options that overflowed. The server is a real
// HTTP server on 127.0.0.1 answering what the emulator never would.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const util = require('node:util');
const zlib = require('node:zlib');
const { useEmulator, uniq } = require('./helpers.js');
const { NeonClient, NeonError, DecodeError, ConfigError, ServerError, InvalidArgumentTypeError } = require('..');
const { startEmulator } = require('../testing.js');

const ctx = useEmulator();
const KEY = 'napi_k3y0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef';

/** A server answering each request with the next [status, body, headers]. */
async function scripted(replies) {
  const server = http.createServer((req, res) => {
    const [status, body, headers = {}] = replies.shift();
    res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, baseUrl: `http://127.0.0.1:${server.address().port}/api/v2` };
}

test('item 5: a response that is not the documented shape is a DecodeError naming the operation', async () => {
  const cases = [
    [200, '{"project": "hello"}', 'field project is a string'],
    [200, 'null', 'null'],
    [200, '', 'empty'],
    [204, '', 'empty'],
    [200, '{"project": {"id": NaN}}', 'not valid JSON'],
    [200, Buffer.from([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'not UTF-8'],
  ];
  for (const [status, body, why] of cases) {
    // (The server runs on this event loop, so only the promise form can be served here; the sync form
    // goes through the same core check.)
    const { server, baseUrl } = await scripted([[status, body]]);
    const client = new NeonClient({ apiKey: KEY, baseUrl, maxRetries: 0 });
    await assert.rejects(client.projects.get('p-1'), (e) => e instanceof DecodeError && e.operation === 'getProject' && e.message.includes(why));
    server.close();
  }
});

test('item 7: options out of range are ConfigErrors naming the option', () => {
  // Worded with the option's Node name and unit (spec/vocabulary.yaml), no longer the core's snake_case one.
  for (const [opts, text] of [
    [{ timeoutMs: 1e22 }, 'timeoutMs must be a number of milliseconds greater than 0 and at most 86400000'],
    [{ retryInitialBackoffMs: 1e22 }, 'retryInitialBackoffMs must be'],
    [{ retryMaxBackoffMs: 1e19 }, 'retryMaxBackoffMs must be'],
    [{ waitTimeoutMs: 1e22 }, 'waitTimeoutMs must be'],
    [{ maxResponseBytes: 10 }, 'maxResponseBytes must be'],
  ]) {
    assert.throws(() => new NeonClient({ apiKey: KEY, ...opts }), (e) => e instanceof ConfigError && e.message.includes(text), JSON.stringify(opts));
  }
});

test('item 10: a body over maxResponseBytes (announced or gzip-inflated) is a DecodeError', async () => {
  const big = ' '.repeat(3 << 20);
  const bomb = zlib.gzipSync(Buffer.alloc(64 << 20, 0x20));
  const { server, baseUrl } = await scripted([[200, big], [200, bomb, { 'Content-Encoding': 'gzip' }]]);
  const client = new NeonClient({ apiKey: KEY, baseUrl, maxRetries: 0, maxResponseBytes: 1 << 20 });
  for (let i = 0; i < 2; i++) {
    await assert.rejects(client.projects.get('p-1'), (e) => e instanceof DecodeError && e.message.includes('larger than max_response_bytes'));
  }
  server.close();
});

test('item 13: a wait that fails after an accepted POST is not retryable', async () => {
  const emu = await startEmulator({ operationDurationMs: 200 });
  try {
    const client = emu.client({ retryInitialBackoffMs: 5, retryMaxBackoffMs: 10, waitPollIntervalMs: 10 });
    const { project } = await client.projects.create({ project: { name: uniq('accepted') } });
    emu.addFault({ operation_id: 'getProjectOperation', kind: 'status', status: 500, times: 1000 });
    await assert.rejects(client.branches.create(project.id), (e) => {
      assert.ok(e instanceof ServerError, String(e));
      assert.equal(e.retryable, false);
      assert.equal(e.accepted, true);
      assert.match(e.message, /createProjectBranch was accepted \(branch br-/);
      assert.ok(e.pendingOperations.length > 0);
      return true;
    });
    emu.clearFaults();
    const { branches } = await client.branches.list(project.id);
    assert.equal(branches.length, 2, 'one branch made');
  } finally {
    await emu.stop();
  }
});

test('item 15: POSTs after pauses around the server idle timeout succeed (promise and sync)', async () => {
  const emu = await startEmulator({ idleTimeoutMs: 50, operationDurationMs: 0 });
  try {
    // The client's pool idle timeout below the server's: the client ends idle connections first.
    const client = emu.client({ maxRetries: 0, poolIdleTimeoutMs: 30 });
    const failures = [];
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 40 + ((i * 7) % 26)));
      try { await client.projects.create({ project: {} }); } catch (e) { failures.push(`promise ${i}: ${e.message}`); }
      await new Promise((r) => setTimeout(r, 40 + ((i * 11) % 26)));
      try { client.projects.createSync({ project: {} }); } catch (e) { failures.push(`sync ${i}: ${e.message}`); }
    }
    assert.deepEqual(failures, []);
  } finally {
    await emu.stop();
  }
});

test('item 17: inspecting a result hides its secrets; reading them still works', async () => {
  const { project, branch } = await ctx.client.projects.create({ project: { name: uniq('secrets') } });
  const role = await ctx.client.roles.create(project.id, branch.id, { role: { name: 'app' } });
  assert.match(role.role.password, /^npg_/);
  const shown = util.inspect(role, { depth: 5 });
  assert.ok(!shown.includes(role.role.password), shown);
  assert.match(shown, /<redacted>/);
  assert.match(shown, /name: 'app'/);
  assert.ok(!util.inspect(role.role).includes(role.role.password), 'a nested object printed alone hides it too');
  const made = await ctx.client.projects.create({ project: { name: uniq('uris') } });
  const shownUris = util.inspect(made.connection_uris, { depth: 5 });
  assert.ok(!shownUris.includes('npg_') && !util.inspect(made, { depth: 6 }).includes('npg_'), shownUris);
  const uri = await ctx.client.projects.getConnectionUri(project.id, { database_name: 'neondb', role_name: 'app' });
  assert.ok(!util.inspect(uri).includes(uri.uri.split('@')[0]), 'the URI with its password is hidden');
  const key = await ctx.client.apiKeys.create({ key_name: uniq('k') });
  assert.ok(key.key.length > 10 && !util.inspect(key).includes(key.key));
  assert.equal(JSON.parse(JSON.stringify(role)).role.password, role.role.password, 'the data itself is unchanged');
});

test('item 21: a number where a string id is expected is a TypeError before any request', async () => {
  const before = ctx.emu.requestCount('getProject');
  await assert.rejects(ctx.client.projects.get(123), (e) => e instanceof InvalidArgumentTypeError && e instanceof TypeError && e instanceof NeonError);
  assert.throws(() => ctx.client.projects.getSync(123), TypeError);
  assert.equal(ctx.emu.requestCount('getProject'), before);
  // Integer ids (API keys) still take numbers.
  await assert.rejects(ctx.client.apiKeys.revoke(987654), (e) => e.kind === 'not_found');
});

test('item 18: the key passed as an id never appears in the error', async () => {
  await assert.rejects(ctx.client.projects.get(ctx.emu.apiKey.length >= 8 ? ctx.emu.apiKey : KEY), (e) => !e.message.includes(ctx.emu.apiKey));
  assert.throws(() => new NeonClient({ apiKey: KEY, baseUrl: 'https://u:hunter2secret@console.neon.tech/api/v2' }), (e) => e instanceof ConfigError && !e.message.includes('hunter2secret'));
});
