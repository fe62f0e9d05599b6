'use strict';
// How a JSON body crosses into JS: as a string (an ASCII body as an external
// one-byte string over the Rust copy, anything else as UTF-8) that JSON.parse
// reads. Whatever form it takes, a result must equal JSON.parse of the bytes
// the server sent: large lists, non-ASCII text, numbers past 2^53, secrets
// still hidden, and results that outlive many garbage collections.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const util = require('node:util');
const v8 = require('node:v8');
const vm = require('node:vm');
const { useEmulator, uniq } = require('./helpers.js');
const { NeonClient, DecodeError, responseOf } = require('..');

const ctx = useEmulator({ operationDurationMs: 0 });

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** A server that answers every request with this body (200, JSON); it runs on this thread, so only
 * the promise forms can call it (a `…Sync` call would block the thread that must answer). */
async function serving(body) {
  const bytes = Buffer.from(body);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, 'X-Neon-Ret-Request-Id': 'req-1' });
    res.end(bytes);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = new NeonClient({ apiKey: 'k', baseUrl: `http://127.0.0.1:${server.address().port}/api/v2`, maxRetries: 0 });
  return { server, client };
}

test('a 400-project list decodes equal to JSON.parse of its raw body, in every form', async () => {
  const c = ctx.client;
  for (let i = 0; i < 400; i += 40) {
    await Promise.all(Array.from({ length: 40 }, (_, j) => c.projects.create({ project: { name: uniq(`list-${i + j}`) } }, { wait: false })));
  }
  const raw = await c.request('GET', '/projects', { query: { limit: 400 } });
  const expected = raw.json();
  assert.equal(expected.projects.length, 400);
  const listed = await c.projects.list({ limit: 400 });
  assert.deepStrictEqual(listed, expected);
  assert.deepStrictEqual(c.projects.listSync({ limit: 400 }), expected);
  assert.equal(JSON.stringify(listed), JSON.stringify(expected));
  const meta = responseOf(listed);
  assert.equal(meta.status, 200);
  assert.ok(meta.requestId);
  const seen = [];
  for await (const p of c.projects.iter({ limit: 150 })) seen.push(p.id);
  assert.deepStrictEqual(seen, expected.projects.map((p) => p.id));
});

test('non-ASCII text, escapes and numbers past 2^53 decode as JSON.parse decodes them', async () => {
  const body =
    '{"projects":[{"id":"p-1","name":"caf\u00e9 \u65e5\u672c \ud83d\ude80","region_id":"aws-us-east-2","created_at":"x","big":9007199254740993,' +
    '"bigger":123456789012345678901234567890,"neg":-9007199254740993,"esc":"a\\u00e9\\n\\"b\\"","f":1.5e300}],' +
    '"pagination":{"cursor":"p-1"},"applications":{},"integrations":{}}';
  const { server, client } = await serving(body);
  try {
    const expected = JSON.parse(body);
    const got = await client.projects.list();
    assert.deepStrictEqual(got, expected);
    assert.equal(got.projects[0].big, 9007199254740992, 'a number past 2^53 is the nearest double, as JSON.parse gives it');
    assert.equal(got.projects[0].name, 'caf\u00e9 \u65e5\u672c \ud83d\ude80');
    assert.equal(responseOf(got).requestId, 'req-1');
  } finally {
    server.close();
    server.closeAllConnections();
  }
});

test('an ASCII body with every byte value below 0x80 decodes as JSON.parse decodes it', async () => {
  let s = '';
  for (let b = 0x20; b < 0x7f; b++) if (b !== 0x22 && b !== 0x5c) s += String.fromCharCode(b);
  const body = JSON.stringify({ projects: [{ id: 'p-1', name: s, ctl: '\u0001\u001f\u007f' }], pagination: {}, applications: {}, integrations: {} });
  assert.ok(Buffer.from(body).every((b) => b < 0x80));
  const { server, client } = await serving(body);
  try {
    assert.deepStrictEqual(await client.projects.list(), JSON.parse(body));
  } finally {
    server.close();
    server.closeAllConnections();
  }
});

test('results outlive garbage collections of the bodies they came from', async () => {
  const c = ctx.client;
  const kept = [];
  for (let i = 0; i < 30; i++) {
    kept.push(await c.projects.list({ limit: 50 }));
    kept.push(c.projects.listSync({ limit: 50 }));
    if (i % 5 === 0) gc();
  }
  gc();
  const expected = JSON.stringify((await c.request('GET', '/projects', { query: { limit: 50 } })).json());
  for (const r of kept) assert.equal(JSON.stringify(r), expected);
});

test('secrets on list items stay hidden from util.inspect', async () => {
  const c = ctx.client;
  const { project, branch } = await c.projects.create({ project: { name: uniq('secret-list') } });
  await c.roles.create(project.id, branch.id, { role: { name: 'app' } });
  const roles = await c.roles.list(project.id, branch.id);
  const shown = util.inspect(roles, { depth: 8 });
  assert.match(shown, /<redacted>/);
  for (const r of roles.roles) if (r.password) assert.ok(!shown.includes(r.password), shown);
  const eps = c.endpoints.listSync(project.id);
  assert.ok(eps.endpoints.length >= 1);
  const shownEps = util.inspect(eps, { depth: 8 });
  for (const e of eps.endpoints) {
    assert.ok(e.host.length > 0);
    assert.ok(!shownEps.includes(e.host), shownEps);
  }
});

test('a body that is not JSON is still a DecodeError that quotes none of it', async () => {
  const { server, client } = await serving('{"projects": [ npg_secretvalue ');
  try {
    await assert.rejects(client.projects.list(), (e) => e instanceof DecodeError && !e.message.includes('npg_secretvalue'));
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
