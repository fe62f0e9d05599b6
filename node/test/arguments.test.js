'use strict';
// Arguments of the wrong JS type, refused before any request: a number for a string id in every path
// parameter of every operation, every typed query parameter and every typed workflow argument (the
// kinds are generated from the spec into generated/client.js), as InvalidArgumentTypeError; and a body
// field of the wrong type, refused by the core with the field's path, as InvalidArgumentError.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, uniq } = require('./helpers.js');
const { NeonError, InvalidArgumentError, InvalidArgumentTypeError } = require('..');
const { OPS, WORKFLOWS } = require('../generated/client.js');

const ctx = useEmulator();

/** The arguments of a call of `op`: valid strings for the path, then `body`, `query`. */
function args(op, path, body, query) {
  const out = [...path];
  if (op.body) out.push(body);
  if (op.queryNames.length) out.push(query);
  return out;
}

function isTypeRefusal(e, id, what) {
  return e instanceof InvalidArgumentTypeError && e instanceof TypeError && e instanceof NeonError
    && e.kind === 'invalid_argument' && e.status === null && e.message.startsWith(`${id}: `) && e.message.includes(what);
}

function requests() {
  return OPS.reduce((n, op) => n + ctx.emu.requestCount(op.id), 0);
}

test('a number for any string path parameter of any operation is an InvalidArgumentTypeError before any request', async () => {
  const before = requests();
  let checked = 0;
  for (const op of OPS) {
    const ns = ctx.client[op.ns];
    for (let i = 0; i < op.path.length; i++) {
      if (op.pathInteger[i]) continue;
      const path = op.path.map((_, j) => (j === i ? 123 : 'abc-123'));
      const what = `path parameter ${op.path[i]} must be a string (got number)`;
      await assert.rejects(ns[op.method](...args(op, path)), (e) => isTypeRefusal(e, op.id, what), `${op.id} ${op.path[i]}`);
      assert.throws(() => ns[`${op.method}Sync`](...args(op, path)), (e) => isTypeRefusal(e, op.id, what));
      if (op.iter) assert.throws(() => ns[`${op.iter}Sync`](...args(op, path)).next(), (e) => isTypeRefusal(e, op.id, what));
      checked += 1;
    }
  }
  assert.ok(checked > 200, `${checked} path parameters checked`);
  assert.equal(requests(), before);
  // An integer id (an API key's) still takes a number.
  const key = await ctx.client.apiKeys.create({ key_name: uniq('k') });
  assert.equal((await ctx.client.apiKeys.revoke(key.id)).id, key.id);
});

test('a typed query parameter given another JS type is an InvalidArgumentTypeError naming it, before any request', async () => {
  const before = requests();
  const wrong = { s: 123, d: 17, i: '10', n: 'ten', b: 'true' };
  const words = { s: 'a string, got 123', d: 'a string or a Date, got 17', i: 'an integer, got a string', n: 'a number, got a string', b: 'a boolean, got a string' };
  const seen = new Set();
  for (const op of OPS) {
    for (const [name, kind] of op.queryKinds) {
      if (kind === 'x') continue;
      const path = op.path.map((_, j) => (op.pathInteger[j] ? 1 : 'abc-123'));
      const call = ctx.client[op.ns][op.method](...args(op, path, undefined, { [name]: wrong[kind] }));
      await assert.rejects(call, (e) => isTypeRefusal(e, op.id, `query parameter ${name} must be ${words[kind]}`), `${op.id} ${name}`);
      seen.add(kind);
    }
  }
  assert.deepEqual([...seen].sort(), ['b', 'd', 'i', 's']);
  assert.equal(requests(), before);
  // Right types pass: a number for an integer, a string for a string.
  const { projects } = await ctx.client.projects.list({ limit: 1, search: 'x' });
  assert.ok(Array.isArray(projects));
});

test('a workflow\'s id or name given another JS type is an InvalidArgumentTypeError naming it, before any request', async () => {
  const before = requests();
  let checked = 0;
  for (const wf of WORKFLOWS) {
    const target = wf.ns === 'client' ? ctx.client : ctx.client[wf.ns];
    for (const [i, name] of wf.params.entries()) {
      if (wf.kinds[name] !== 's') continue;
      const positional = wf.params.map((_, j) => (j === i ? 42 : 'abc-123'));
      await assert.rejects(target[wf.method](...positional), (e) => isTypeRefusal(e, wf.id, `${name} must be a string, got 42`), `${wf.id} ${name}`);
      assert.throws(() => target[`${wf.method}Sync`](...positional), (e) => isTypeRefusal(e, wf.id, `${name} must be a string, got 42`));
      checked += 1;
    }
  }
  assert.ok(checked >= 10, `${checked} workflow arguments checked`);
  // The options are the core's to check (the same words in every language).
  await assert.rejects(ctx.client.connectionString('abc-123', { pooled: 'yes' }), (e) => e instanceof InvalidArgumentError && e.message.includes('pooled: expected a boolean'));
  assert.equal(requests(), before);
});

test('a body field of the wrong type is an InvalidArgumentError with its path, from the core, before any request', async () => {
  const before = ctx.emu.requestCount('createProject');
  const cases = [
    [{ project: { name: 123 } }, 'project.name: expected a string, got 123'],
    [{ project: { name: 'x', history_retention_seconds: 'hunter2' } }, 'project.history_retention_seconds: expected an integer, got a string'],
    [{ project: [] }, 'project: expected an object, got an array'],
  ];
  for (const [body, message] of cases) {
    const check = (e) => e instanceof InvalidArgumentError && e instanceof NeonError && e.kind === 'invalid_argument'
      && e.status === null && e.message.includes(`the request body of createProject: ${message}`) && !e.message.includes('hunter2');
    await assert.rejects(ctx.client.projects.create(body), check, message);
    assert.throws(() => ctx.client.projects.createSync(body), check);
  }
  const branches = ctx.emu.requestCount('createProjectBranch');
  await assert.rejects(ctx.client.branches.create('abc-123', { endpoints: [{ type: 'read_write', autoscaling_limit_min_cu: 'big' }] }),
    (e) => e instanceof InvalidArgumentError && e.message.includes('endpoints[0].autoscaling_limit_min_cu: expected a number, got a string'));
  assert.equal(ctx.emu.requestCount('createProject'), before);
  assert.equal(ctx.emu.requestCount('createProjectBranch'), branches);
});
