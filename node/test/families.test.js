'use strict';
// One round trip per resource family, through the public methods.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, uniq } = require('./helpers.js');
const { NotFoundError } = require('../index.js');

const ctx = useEmulator();

async function project() {
  const r = await ctx.client.projects.create({ project: { name: uniq('proj') } });
  return r;
}

test('projects: create, get, list, update, delete', async () => {
  const c = ctx.client;
  const created = await project();
  assert.match(created.project.id, /^[a-z]+-[a-z]+-\d+$/);
  assert.ok(created.operations.length > 0);
  for (const op of created.operations) assert.equal(op.status, 'finished');
  const got = await c.projects.get(created.project.id);
  assert.equal(got.project.name, created.project.name);
  const list = await c.projects.list({ limit: 100 });
  assert.ok(list.projects.some((p) => p.id === created.project.id));
  const upd = await c.projects.update(created.project.id, { project: { name: 'renamed' } });
  assert.equal(upd.project.name, 'renamed');
  await c.projects.delete(created.project.id);
  await assert.rejects(c.projects.get(created.project.id), NotFoundError);
});

test('branches, endpoints, databases, roles', async () => {
  const c = ctx.client;
  const { project: p, branch: main } = await project();
  const b = await c.branches.create(p.id, { branch: { name: 'dev', parent_id: main.id }, endpoints: [{ type: 'read_write' }] });
  assert.equal(b.branch.name, 'dev');
  assert.equal(b.branch.parent_id, main.id);
  assert.equal(b.endpoints.length, 1);
  const branches = await c.branches.list(p.id);
  assert.deepEqual(branches.branches.map((x) => x.name).sort(), ['dev', main.name].sort());
  assert.equal((await c.branches.get(p.id, b.branch.id)).branch.id, b.branch.id);

  const eps = await c.endpoints.list(p.id);
  assert.ok(eps.endpoints.some((e) => e.id === b.endpoints[0].id));
  const ep = await c.endpoints.get(p.id, b.endpoints[0].id);
  assert.equal(ep.endpoint.branch_id, b.branch.id);
  const susp = await c.endpoints.suspend(p.id, ep.endpoint.id);
  assert.ok(susp.endpoint);
  await c.endpoints.start(p.id, ep.endpoint.id);

  const role = await c.roles.create(p.id, b.branch.id, { role: { name: 'app_user' } });
  assert.equal(role.role.name, 'app_user');
  const pw = await c.roles.getPassword(p.id, b.branch.id, 'app_user');
  assert.equal(typeof pw.password, 'string');
  assert.ok(pw.password.length > 0);
  const roles = await c.roles.list(p.id, b.branch.id);
  assert.ok(roles.roles.some((r) => r.name === 'app_user'));

  const db = await c.databases.create(p.id, b.branch.id, { database: { name: 'app db', owner_name: 'app_user' } });
  assert.equal(db.database.name, 'app db');
  assert.equal((await c.databases.get(p.id, b.branch.id, 'app db')).database.owner_name, 'app_user');
  const dbs = await c.databases.list(p.id, b.branch.id);
  assert.ok(dbs.databases.some((d) => d.name === 'app db'));
  await c.databases.delete(p.id, b.branch.id, 'app db');
  await assert.rejects(c.databases.get(p.id, b.branch.id, 'app db'), NotFoundError);

  await c.branches.delete(p.id, b.branch.id);
  await assert.rejects(c.branches.get(p.id, b.branch.id), NotFoundError);
});

test('operations: list and get', async () => {
  const c = ctx.client;
  const { project: p, operations } = await project();
  const list = await c.operations.list(p.id);
  assert.ok(list.operations.length >= operations.length);
  const one = await c.operations.get(p.id, operations[0].id);
  assert.equal(one.operation.id, operations[0].id);
  assert.equal(one.operation.project_id, p.id);
});

test('api keys: create, list, revoke', async () => {
  const c = ctx.client;
  const k = await c.apiKeys.create({ key_name: uniq('key') });
  assert.equal(typeof k.key, 'string');
  assert.ok((await c.apiKeys.list()).some((x) => x.id === k.id));
  const revoked = await c.apiKeys.revoke(k.id);
  assert.equal(revoked.revoked, true);
});

test('users, regions, organizations', async () => {
  const c = ctx.client;
  const me = await c.users.getCurrent();
  assert.equal(typeof me.id, 'string');
  const regions = await c.regions.listActive();
  assert.ok(Array.isArray(regions.regions) && regions.regions.length > 0);
  const orgs = await c.users.listOrganizations();
  assert.ok(Array.isArray(orgs.organizations));
});

test('snapshots and connection URI', async () => {
  const c = ctx.client;
  const { project: p, branch } = await project();
  const snap = await c.snapshots.create(p.id, branch.id, { name: 'snap-1' });
  assert.ok(snap.snapshot.id);
  const list = await c.snapshots.list(p.id);
  assert.ok(list.snapshots.some((s) => s.id === snap.snapshot.id));
  const uri = await c.projects.getConnectionUri(p.id, { database_name: 'neondb', role_name: 'neondb_owner' });
  assert.match(uri.uri, /^postgres(ql)?:\/\//);
});

test('the blocking Sync variants give the same results', () => {
  const c = ctx.client;
  const created = c.projects.createSync({ project: { name: 'sync-proj' } });
  assert.equal(c.projects.getSync(created.project.id).project.name, 'sync-proj');
  const branches = c.branches.listSync(created.project.id);
  assert.equal(branches.branches.length, 1);
  assert.throws(() => c.projects.getSync('missing-project-1'), NotFoundError);
});

test('functions (a multipart upload) and buckets', async () => {
  const c = ctx.client;
  const { project: p, branch } = await project();
  const zip = Buffer.from('PK\u0003\u0004 not really a zip');
  const d = await c.functions.createDeployment(p.id, branch.id, 'hello', { zip, runtime: 'nodejs24' });
  assert.equal(d.deployment.runtime, 'nodejs24');
  assert.equal(d.deployment.status, 'completed');
  const f = await c.functions.get(p.id, branch.id, 'hello');
  assert.equal(f.function.active_deployment.id, d.deployment.id);
  const names = [];
  for await (const fn of c.functions.iter(p.id, branch.id)) names.push(fn.slug);
  assert.deepEqual(names, ['hello']);
  await assert.rejects(c.functions.createDeployment(p.id, branch.id, 'Bad Slug', { zip }), RangeError);

  const bucket = await c.buckets.create(p.id, branch.id, { name: 'bkt' });
  assert.equal(bucket.bucket.name, 'bkt');
  const buckets = await c.buckets.list(p.id, branch.id);
  assert.ok(buckets.buckets.some((b) => b.name === 'bkt'));
  await assert.rejects(c.buckets.getObject(p.id, branch.id, 'bkt', 'no/such key'), NotFoundError);
});
