'use strict';
// startEmulator({ postgres: true }): a real PostgreSQL behind the emulator. The
// preview-branch story end to end: SQL (pg) through the connection URIs the API returns.
//
// Needs PostgreSQL's server binaries (`apt-get install postgresql`; `cargo xtask test`
// installs them). Without them the tests are skipped, unless CI is set: then they fail.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const pg = require('pg');
const { NeonRuntimeError, ConfigError } = require('../index.js');
const { startEmulator } = require('../testing.js');

let emu;
let skipped;

before(async () => {
  try {
    emu = await startEmulator({ postgres: true, operationDurationMs: 0 });
  } catch (e) {
    if (e instanceof NeonRuntimeError && e.message.includes('apt-get install postgresql') && !process.env.CI) {
      skipped = `PostgreSQL's binaries are not installed (${e.message}); set CI to make this a failure`;
      return;
    }
    throw e;
  }
});

after(async () => {
  if (emu) await emu.stop();
});

async function withClient(uri, f) {
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

const sql = (uri, statements) => withClient(uri, (c) => c.query(statements));
const notes = (uri) => withClient(uri, async (c) => (await c.query('SELECT body FROM notes ORDER BY id')).rows.map((r) => r.body));

test('the preview-branch story on real PostgreSQL', async (t) => {
  if (skipped) return t.skip(skipped);
  const neon = emu.client();
  const created = await neon.projects.create({ project: { name: 'story' } });
  const pid = created.project.id;
  const main = created.branch.id;
  const mainUri = created.connection_uris[0].connection_uri;
  assert.match(mainUri, /@127\.0\.0\.1:\d+\/.*sslmode=disable$/);

  // a table and a row on main, through its URI
  await sql(mainUri, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('from main')");
  const pooled = await neon.projects.getConnectionUri(pid, { branch_id: main, database_name: 'neondb', role_name: 'neondb_owner', pooled: true });
  assert.deepEqual(await notes(pooled.uri), ['from main']);

  // a preview branch: a copy of main as of now
  const br = await neon.branches.create(pid, { branch: { name: 'preview' }, endpoints: [{ type: 'read_write' }] });
  const bid = br.branch.id;
  const brUri = br.connection_uris[0].connection_uri;
  assert.notEqual(brUri, mainUri);
  assert.deepEqual(await notes(brUri), ['from main']);

  // a write on the branch leaves main unchanged
  await sql(brUri, "INSERT INTO notes (body) VALUES ('from preview')");
  assert.deepEqual(await notes(brUri), ['from main', 'from preview']);
  assert.deepEqual(await notes(mainUri), ['from main']);

  // reset from the parent (the workflow): the branch's write is gone, its URI still connects
  const reset = await neon.branches.resetFromParent(pid, bid);
  assert.equal(reset.id, bid);
  assert.deepEqual(await notes(brUri), ['from main']);

  // deleted, the branch's URI refuses connections
  await neon.branches.delete(pid, bid);
  await assert.rejects(withClient(brUri, () => null));
  assert.deepEqual(await notes(mainUri), ['from main']);
});

test('a missing binary is one NeonRuntimeError naming the package', async () => {
  const saved = process.env.NEONKIT_PG_BIN;
  process.env.NEONKIT_PG_BIN = '/nonexistent/postgresql/bin';
  try {
    await assert.rejects(startEmulator({ postgres: true }), (e) => e instanceof NeonRuntimeError && e.message.includes('apt-get install postgresql'));
  } finally {
    if (saved === undefined) delete process.env.NEONKIT_PG_BIN;
    else process.env.NEONKIT_PG_BIN = saved;
  }
});

test('the postgres URL is never shown; noPooler alone is a ConfigError', async () => {
  await assert.rejects(startEmulator({ postgresUrl: 'postgresql://admin:s3cret-pw@127.0.0.1:9/postgres' }), (e) => {
    assert.ok(e instanceof NeonRuntimeError, String(e));
    assert.ok(!e.message.includes('s3cret') && !JSON.stringify(e).includes('s3cret') && !String(e.stack).includes('s3cret'), e.message);
    return true;
  });
  await assert.rejects(startEmulator({ noPooler: true }), (e) => e instanceof ConfigError && e.message === "noPooler is for the emulator's PostgreSQL: set postgres (or postgresUrl) too");
});
