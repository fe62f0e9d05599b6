'use strict';
// emu.seed(fixture): a fixture given as an object or its JSON text seeds projects, branches, databases and roles
// (timestamps in the past included); a bad one throws InvalidArgumentError naming the bad field's path and leaves
// nothing behind.
const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator } = require('./helpers.js');
const { InvalidArgumentError, NeonError, NotFoundError } = require('../index.js');

const DAY = 86_400_000;
const ctx = useEmulator({ operationDurationMs: 0 }, { maxRetries: 0 });

beforeEach(() => ctx.emu.reset());

function shop(pid) {
  return {
    projects: [
      {
        id: pid,
        name: 'shop',
        created_at: '2026-01-05T00:00:00Z',
        branches: [
          { name: 'main', roles: [{ name: 'app', password: 'npg_fixture_secret' }] },
          { id: `br-${pid}-preview`, name: 'preview/pr-7', parent_id: 'main' },
        ],
      },
    ],
  };
}

async function checkShop(seeded, pid) {
  assert.deepEqual(seeded.projects.map((p) => p.id), [pid]);
  const project = seeded.projects[0];
  assert.equal(project.name, 'shop');
  assert.deepEqual(project.branches.map((b) => b.name), ['main', 'preview/pr-7']);
  assert.equal(project.branches[1].id, `br-${pid}-preview`);
  assert.match(project.branches[0].id, /^br-/);
  for (const b of project.branches) assert.equal(b.endpoint_ids.length, 1);
  const c = ctx.client;
  const got = (await c.projects.get(pid)).project;
  assert.equal(got.name, 'shop');
  assert.equal(new Date(got.created_at).toISOString(), '2026-01-05T00:00:00.000Z');
  const branches = Object.fromEntries((await c.branches.list(pid)).branches.map((b) => [b.name, b]));
  assert.deepEqual(Object.keys(branches).sort(), ['main', 'preview/pr-7']);
  assert.equal(branches.main.default, true);
  assert.equal(branches['preview/pr-7'].parent_id, project.branches[0].id);
  // the child inherits its parent's database and role
  const db = (await c.databases.get(pid, `br-${pid}-preview`, 'neondb')).database;
  assert.equal(db.owner_name, 'app');
  assert.equal((await c.roles.getPassword(pid, `br-${pid}-preview`, 'app')).password, 'npg_fixture_secret');
}

test('seed takes an object', async () => {
  await checkShop(ctx.emu.seed(shop('fx-object')), 'fx-object');
});

test('seed takes JSON text', async () => {
  await checkShop(ctx.emu.seed(JSON.stringify(shop('fx-text'))), 'fx-text');
});

test('seed refuses what is no fixture with a TypeError', () => {
  for (const bad of [null, undefined, 42, [shop('fx-array')]]) assert.throws(() => ctx.emu.seed(bad), TypeError);
});

test('a bad fixture throws InvalidArgumentError naming the path and applies nothing', async () => {
  const bad = {
    projects: [
      { id: 'fx-good', name: 'good' },
      { id: 'fx-bad', name: 'bad', branches: [{ name: 'main' }, { name: 'orphan', parent_id: 'nope' }] },
    ],
  };
  let err;
  try {
    ctx.emu.seed(bad);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof InvalidArgumentError, String(err && err.stack));
  assert.ok(err instanceof NeonError);
  assert.equal(err.kind, 'invalid_argument');
  assert.ok(err.message.startsWith('invalid fixture: $.projects[1].branches[1].parent_id: '), err.message);
  assert.ok(err.message.includes('nope'), err.message);
  assert.equal(err.status ?? null, null);
  // all or nothing: the good project before the bad one is not there either
  assert.deepEqual((await ctx.client.projects.list()).projects, []);
  await assert.rejects(ctx.client.projects.get('fx-good'), NotFoundError);
});

test('other refusals name their path', () => {
  const refused = (fixture, re) => assert.throws(() => ctx.emu.seed(fixture), (e) => e instanceof InvalidArgumentError && re.test(e.message));
  refused({ projects: [{ name: 'p', branches: [{ name: 'main', cpu_used_sec: 1 }] }] }, /\$\.projects\[0\]\.branches\[0\]\.cpu_used_sec/);
  refused('{"projects": [{"name": "p", "created_at": "yesterday"}]}', /\$\.projects\[0\]\.created_at/);
  refused('{not json', /not JSON/);
  ctx.emu.seed({ projects: [{ id: 'fx-once', name: 'once' }] });
  refused({ projects: [{ id: 'fx-once', name: 'again' }] }, /\$\.projects\[0\]\.id/);
});

test('a stale-branches query finds the branch seeded 40 days ago', async () => {
  const now = Math.floor(Date.now() / 1000) * 1000;
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const seeded = ctx.emu.seed({
    projects: [
      {
        id: 'fx-stale',
        name: 'stale',
        created_at: iso(now - 60 * DAY),
        branches: [
          { name: 'main' },
          { name: 'preview/old', parent_id: 'main', created_at: iso(now - 40 * DAY) },
          { name: 'preview/new', parent_id: 'main', created_at: iso(now - 2 * DAY) },
        ],
      },
    ],
  });
  const oldId = seeded.projects[0].branches[1].id;
  const { branches } = await ctx.client.branches.list('fx-stale');
  assert.equal(branches.length, 3);
  const cutoff = new Date(Date.now() - 30 * DAY);
  const stale = branches.filter((b) => !b.default && new Date(b.created_at) < cutoff);
  assert.deepEqual(stale.map((b) => b.id), [oldId]);
  assert.equal(stale[0].name, 'preview/old');
  assert.equal(new Date(stale[0].created_at).getTime(), now - 40 * DAY);
});

test('stateFile keeps the state across restarts; a file of another version is refused naming the option', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { startEmulator } = require('../testing.js');
  const { ConfigError, NeonRuntimeError } = require('../index.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neonkit-node-state-'));
  const stateFile = path.join(dir, 'emulator-state.json');
  try {
    const first = await startEmulator({ stateFile, operationDurationMs: 0 });
    let made;
    try {
      first.seed(shop('fx-kept'));
      made = (await first.client({ maxRetries: 0 }).branches.create('fx-kept', { branch: { name: 'made-after-seeding' } })).branch;
    } finally {
      await first.stop();
    }
    assert.ok(fs.statSync(stateFile).isFile());
    const second = await startEmulator({ stateFile, operationDurationMs: 0 });
    try {
      const c = second.client({ maxRetries: 0 });
      const names = (await c.branches.list('fx-kept')).branches.map((b) => b.name).sort();
      assert.deepEqual(names, ['made-after-seeding', 'main', 'preview/pr-7']);
      assert.equal((await c.branches.get('fx-kept', made.id)).branch.name, 'made-after-seeding');
      assert.equal((await c.roles.getPassword('fx-kept', 'br-fx-kept-preview', 'app')).password, 'npg_fixture_secret');
    } finally {
      await second.stop();
    }

    fs.writeFileSync(stateFile, JSON.stringify({ format: 'neonkit-emulator-state', version: '0.0.0-other', store: {} }));
    await assert.rejects(startEmulator({ stateFile }), (e) => {
      assert.ok(e instanceof NeonRuntimeError, String(e));
      assert.ok(e.message.includes(`stateFile ${stateFile}: written by neonkit-emulator 0.0.0-other`), e.message);
      assert.ok(e.message.endsWith('start without stateFile or remove the file'), e.message);
      return true;
    });
    await assert.rejects(startEmulator({ stateFile: 5 }), (e) => e instanceof ConfigError && e.message === 'stateFile must be a string (got a number)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
