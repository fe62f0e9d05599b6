'use strict';
// The workflows of spec/workflows.yaml: generated methods and their …Sync twins on every namespace
// (and connectionString on the client), real round trips against the emulator through the promise and
// the blocking path, withOptions, AbortSignal, argument errors before any request, secrets hidden.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { useEmulator, uniq } = require('./helpers.js');
const { NeonClient, NeonError, InvalidArgumentError, TimeoutError, AbortedError } = require('../index.js');
const { WORKFLOWS } = require('../generated/client.js');

const ctx = useEmulator({}, { maxRetries: 0 });
const ROOT = path.resolve(__dirname, '..', '..');

function owner(client, wf) {
  return wf.ns === 'client' ? client : client[wf.ns];
}

test('every workflow of the yaml is a method and a Sync twin', () => {
  const yaml = fs.readFileSync(path.join(ROOT, 'spec', 'workflows.yaml'), 'utf8').split('\nschemas:')[0];
  const ids = [...yaml.matchAll(/- name: (\w+)\n\s+namespace: (\w+)/g)].map(([, name, ns]) => (ns === 'client' ? name : `${ns}.${name}`));
  assert.deepEqual(WORKFLOWS.map((w) => w.id), ids);
  assert.ok(ids.length >= 11);
  const client = new NeonClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/api/v2' });
  for (const wf of WORKFLOWS) {
    for (const name of [wf.method, `${wf.method}Sync`]) {
      const fn = owner(client, wf)[name];
      assert.equal(typeof fn, 'function', `${wf.id}: ${name}`);
      assert.equal(fn.length, wf.params.length + 1, `${wf.id}: ${name} takes the required arguments, then options`);
    }
  }
  assert.equal(typeof client.connectionString, 'function');
  assert.ok(!Object.keys(client).includes('connectionString'), 'not an own enumerable property');
  const dts = fs.readFileSync(path.join(__dirname, '..', 'generated', 'index.d.ts'), 'utf8');
  assert.match(dts, /ensure\(projectId: string, name: string, options\?: BranchesEnsureOptions\): Promise<EnsuredBranch>;/);
  assert.match(dts, /connectionString\(projectId: string, options\?: ConnectionStringOptions\): Promise<string>;/);
  assert.match(dts, /getDefaultSync\(projectId: string\): Branch;/);
});

test('docs/operations.md lists each workflow under its Node name', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8').split('# Workflows')[1];
  const rows = doc.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('|').map((c) => c.trim().replace(/`/g, '')));
  const names = Object.fromEntries(rows.map((c) => [c[1], c[5]]));
  assert.deepEqual(names, Object.fromEntries(WORKFLOWS.map((w) => [w.id, w.ns === 'client' ? w.method : `${w.ns}.${w.method}`])));
});

test('a round trip through the promise and the Sync path', async () => {
  const c = ctx.client;
  const { project } = await c.projects.create({ project: { name: uniq('wf') } });
  const first = await c.branches.ensure(project.id, 'dev');
  assert.equal(first.created, true);
  assert.equal(first.branch.name, 'dev');
  const again = c.branches.ensureSync(project.id, 'dev');
  assert.equal(again.created, false);
  assert.equal(again.branch.id, first.branch.id);
  const uri = await c.connectionString(project.id);
  assert.ok(uri.startsWith('postgresql://') && uri.includes('-pooler'), uri.replace(/:[^@]*@/, ':…@'));
  assert.ok(!c.connectionStringSync(project.id, { pooled: false }).includes('-pooler'));
  const [a, b] = await Promise.all([c.branches.ensure(project.id, 'same'), c.branches.ensure(project.id, 'same')]);
  assert.deepEqual([a.created, b.created].sort(), [false, true]);
  assert.equal(a.branch.id, b.branch.id);
  assert.equal((await c.branches.getDefault(project.id)).default, true);
});

test('results hide their secrets from inspection; reading them works', async () => {
  const c = ctx.client;
  const { project } = await c.projects.create({ project: { name: uniq('wf-secret') } });
  const made = await c.branches.createAndConnect(project.id, { name: 's', endpoint: { suspend_timeout_seconds: 300 } });
  assert.equal(made.endpoint.suspend_timeout_seconds, 300);
  const secret = made.connection_string;
  const password = secret.split('://')[1].split('@')[0].split(':')[1];
  assert.ok(password.length > 8);
  const shown = util.inspect(made, { depth: 6 });
  assert.ok(!shown.includes(password) && /connection_string: '?<redacted>'?/.test(shown), shown);
  assert.equal(JSON.parse(JSON.stringify(made)).connection_string, secret, 'the data itself is unchanged');
  const p = c.projects.createAndConnectSync({ body: { project: { name: uniq('wf-p') } }, pooled: false });
  assert.ok(!util.inspect(p, { depth: 6 }).includes(p.connection_string.split('@')[0]));
});

test('withOptions reaches the workflow; a signal aborts it', async () => {
  const c = ctx.client;
  const { project } = await c.projects.create({ project: { name: uniq('wf-opts') } });
  ctx.emu.addFault({ operation_id: 'listProjectBranches', kind: 'latency', ms: 2000, times: 3 });
  try {
    await assert.rejects(c.withOptions({ timeoutMs: 300 }).branches.ensure(project.id, 'late'), (e) => e instanceof TimeoutError);
    const creates = ctx.emu.requestCount('createProjectBranch');
    await assert.rejects(c.branches.ensure(project.id, 'never', { signal: AbortSignal.timeout(100) }), (e) => e instanceof AbortedError);
    await assert.rejects(c.branches.ensure(project.id, 'never', { signal: AbortSignal.abort() }), (e) => e instanceof AbortedError);
    await new Promise((r) => setTimeout(r, 2200));
    assert.equal(ctx.emu.requestCount('createProjectBranch'), creates, 'no create after the abort');
  } finally {
    ctx.emu.clearFaults();
  }
  assert.equal((await c.branches.ensure(project.id, 'late')).created, true);
});

test('bad arguments are refused before any request, by the core where it can tell', async () => {
  const c = ctx.client;
  const { project } = await c.projects.create({ project: { name: uniq('wf-bad') } });
  const lists = ctx.emu.requestCount('listProjectBranches');
  const invalid = (text) => (e) => e instanceof InvalidArgumentError && e instanceof NeonError && e.status === null && e.message.includes(text);
  await assert.rejects(c.connectionString(project.id, { databse: 'neondb' }), invalid('no argument "databse"'));
  assert.throws(() => c.connectionStringSync(project.id, { databse: 'neondb' }), invalid('no argument "databse"'));
  await assert.rejects(c.branches.ensure(project.id, 'x', { parentId: 'br-x' }), invalid('parentId'));
  await assert.rejects(c.connectionString(project.id, { pooled: 'yes' }), invalid('pooled: expected a boolean'));
  assert.throws(() => c.branches.ensureSync(project.id), invalid('name is required'));
  await assert.rejects(c.workflow('branches.nope', {}), invalid('no workflow'));
  await assert.rejects(c.workflow('connection_string', { project_id: project.id, databse: 'x' }), invalid('databse'));
  await assert.rejects(c.branches.ensure(project.id, 'x', { project_id: project.id }), TypeError);
  await assert.rejects(c.branches.ensure(project.id, 'x', 'options'), TypeError);
  await assert.rejects(c.branches.ensure(project.id, 'x', { signal: 'no' }), TypeError);
  await assert.rejects(c.branches.ensure(project.id, 10n), TypeError);
  assert.equal(ctx.emu.requestCount('listProjectBranches'), lists);
  // The dynamic call runs what the typed one does.
  const r = await c.workflow('branches.ensure', { project_id: project.id, name: 'dyn' });
  assert.equal(r.created, true);
  assert.equal(c.workflowSync('branches.ensure', { project_id: project.id, name: 'dyn' }).created, false);
});
