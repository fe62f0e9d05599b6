'use strict';
// Iterators over every page, and operation waits (per client, per call, operations.wait).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, uniq } = require('./helpers.js');
const { NeonClient, NotFoundError, OperationFailedError } = require('../index.js');

const ctx = useEmulator({ operationDurationMs: 150 });

test('projects.iter walks every page (pagination.cursor)', async () => {
  ctx.emu.reset();
  const c = ctx.emu.client({ waitForOperations: false });
  await Promise.all(Array.from({ length: 23 }, (_, i) => c.projects.create({ project: { name: `page-${i}` } })));
  const first = await c.projects.list({ limit: 10 });
  assert.equal(first.projects.length, 10);
  const names = [];
  for await (const p of c.projects.iter({ limit: 10 })) names.push(p.name);
  assert.equal(names.length, 23);
  assert.equal(new Set(names).size, 23);
  const before = ctx.emu.requestCount('listProjects');
  let n = 0;
  for await (const p of c.projects.iter({ limit: 5 })) {
    assert.equal(typeof p.id, 'string');
    n += 1;
  }
  assert.equal(n, 23);
  assert.equal(ctx.emu.requestCount('listProjects') - before, 5);
});

test('iterSync walks the same pages, blocking', () => {
  const names = [];
  for (const p of ctx.client.projects.iterSync({ limit: 4 })) names.push(p.name);
  assert.equal(names.length, 23);
  assert.throws(() => [...ctx.client.branches.iterSync('missing-project-3')], NotFoundError);
});

test('an iterator stopped early fetches no more pages', async () => {
  const before = ctx.emu.requestCount('listProjects');
  for await (const p of ctx.client.projects.iter({ limit: 5 })) {
    assert.ok(p.id);
    break;
  }
  assert.equal(ctx.emu.requestCount('listProjects') - before, 1);
});

test('branches.iter walks pages of the pagination.next shape', async () => {
  const c = ctx.client;
  const { project } = await c.projects.create({ project: { name: uniq('br') } });
  const nc = c.withWait(false);
  for (let i = 0; i < 6; i++) await c.branches.create(project.id, { branch: { name: `b${i}` } });
  const seen = [];
  for await (const b of nc.branches.iter(project.id, { limit: 2 })) seen.push(b.name);
  assert.equal(seen.length, 7);
  assert.equal(new Set(seen).size, 7);
});

test('iterator errors reject the for-await loop', async () => {
  await assert.rejects(async () => {
    for await (const b of ctx.client.branches.iter('missing-project-2')) assert.fail(`unexpected ${b}`);
  }, NotFoundError);
});

test('mutations wait for their operations by default', async () => {
  const r = await ctx.client.projects.create({ project: { name: uniq('w') } });
  assert.ok(r.operations.length > 0);
  for (const op of r.operations) assert.equal(op.status, 'finished');
});

test('{ wait: false } per call returns at once; operations.wait finishes them', async () => {
  const r = await ctx.client.projects.create({ project: { name: uniq('nw') } }, { wait: false });
  assert.ok(r.operations.some((op) => op.status !== 'finished'));
  const done = await ctx.client.operations.wait(r);
  assert.equal(done.length, r.operations.length);
  for (const op of done) assert.equal(op.status, 'finished');
  const again = await ctx.client.operations.wait(r.project.id, r.operations.map((o) => o.id));
  for (const op of again) assert.equal(op.status, 'finished');
});

test('a client made with wait: false, and withWait', async () => {
  const nc = ctx.emu.client({ waitForOperations: false });
  const r = await nc.projects.create({ project: { name: uniq('cw') } });
  assert.ok(r.operations.some((op) => op.status !== 'finished'));
  const waited = await nc.projects.create({ project: { name: uniq('cw2') } }, { wait: true });
  for (const op of waited.operations) assert.equal(op.status, 'finished');
  const w = nc.withWait(true);
  assert.ok(w instanceof NeonClient);
  const r2 = await w.branches.create(r.project.id, { branch: { name: 'x' } });
  for (const op of r2.operations) assert.equal(op.status, 'finished');
  const r3 = await ctx.client.withWait(false).branches.create(r.project.id, { branch: { name: 'y' } });
  assert.ok(r3.operations.some((op) => op.status !== 'finished'));
  const done = ctx.client.operations.waitSync(r3.operations);
  for (const op of done) assert.equal(op.status, 'finished');
});

test('operations.wait rejects with OperationFailedError for a failed operation', async () => {
  const { project } = await ctx.client.projects.create({ project: { name: uniq('f') } });
  ctx.emu.addFault({ operation_id: 'createProjectBranch', kind: 'fail_operation', error: 'boom', times: 1 });
  const r = await ctx.client.branches.create(project.id, { branch: { name: 'bad' } }, { wait: false });
  await assert.rejects(ctx.client.operations.wait(r.operations), (e) => e instanceof OperationFailedError && /boom/.test(e.message));
  await assert.rejects(ctx.client.operations.wait('nope'), TypeError);
  await assert.rejects(ctx.client.operations.wait(project.id, [1, 2]), TypeError);
});
