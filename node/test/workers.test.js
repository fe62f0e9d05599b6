'use strict';
// worker_threads, and processes that exit with requests in flight.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { spawnSync } = require('node:child_process');
const { useEmulator } = require('./helpers.js');

const ctx = useEmulator();
const PKG = path.resolve(__dirname, '..');

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { NeonClient, NotFoundError } = require(${JSON.stringify(PKG)});
(async () => {
  const c = new NeonClient({ apiKey: workerData.apiKey, baseUrl: workerData.baseUrl });
  const { project } = await c.projects.create({ project: { name: 'from-worker-' + workerData.i } });
  const got = await Promise.all(Array.from({ length: 50 }, () => c.projects.get(project.id)));
  let notFound = false;
  try { await c.projects.get('missing-w'); } catch (e) { notFound = e instanceof NotFoundError && e.status === 404; }
  let iterated = 0;
  for await (const b of c.branches.iter(project.id)) iterated += b.id ? 1 : 0;
  const sync = c.projects.getSync(project.id).project.id === project.id;
  parentPort.postMessage({ ok: got.every((g) => g.project.id === project.id), notFound, iterated, sync });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack) }));
`;

function runWorker(i) {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { baseUrl: ctx.emu.baseUrl, apiKey: ctx.emu.apiKey, i } });
    w.once('message', (m) => { resolve(m); w.terminate(); });
    w.once('error', reject);
  });
}

test('clients work in several worker threads at once', async () => {
  const results = await Promise.all([0, 1, 2, 3].map(runWorker));
  for (const r of results) assert.deepEqual(r, { ok: true, notFound: true, iterated: 1, sync: true });
});

test('terminating a worker with calls in flight leaves the process healthy', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 400, times: 20 });
  const src = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { NeonClient } = require(${JSON.stringify(PKG)});
    const c = new NeonClient({ apiKey: workerData.apiKey, baseUrl: workerData.baseUrl });
    for (let i = 0; i < 20; i++) c.projects.list().catch(() => {});
    parentPort.postMessage('started');
  `;
  const w = new Worker(src, { eval: true, workerData: { baseUrl: ctx.emu.baseUrl, apiKey: ctx.emu.apiKey } });
  await new Promise((resolve) => w.once('message', resolve));
  const code = await w.terminate();
  assert.equal(typeof code, 'number');
  await new Promise((r) => setTimeout(r, 600)); // the dropped calls settle on the runtime meanwhile
  ctx.emu.clearFaults();
  const r = await ctx.client.projects.list();
  assert.ok(Array.isArray(r.projects));
});

function child(script) {
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000, env: { ...process.env } });
}

test('process.exit() with requests in flight exits cleanly', () => {
  const r = child(`
    const { startEmulator } = require(${JSON.stringify(path.join(PKG, 'testing.js'))});
    (async () => {
      const emu = await startEmulator({ latencyMs: 500 });
      const c = emu.client();
      for (let i = 0; i < 100; i++) c.projects.list().catch(() => {});
      setTimeout(() => { console.log('exiting'); process.exit(0); }, 50);
    })();
  `);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exiting/);
});

test('a script whose calls are in flight at its end waits for them, then exits', () => {
  const r = child(`
    const { startEmulator } = require(${JSON.stringify(path.join(PKG, 'testing.js'))});
    (async () => {
      const emu = await startEmulator({ latencyMs: 200 });
      // Kept reachable: a collected emulator stops serving (its handle's drop stops it).
      globalThis.emulator = emu;
      const c = emu.client();
      let done = 0;
      for (let i = 0; i < 20; i++) c.projects.list().then(() => { done += 1; if (done === 20) console.log('all done'); });
      // no await, no emulator stop: the process must still end by itself
    })();
  `);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /all done/);
});

test('ES modules: import from neonkit and neonkit/testing', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { NeonClient, NotFoundError } from ${JSON.stringify(path.join(PKG, 'index.mjs'))};
    import neonkit from ${JSON.stringify(path.join(PKG, 'index.mjs'))};
    import { startEmulator } from ${JSON.stringify(path.join(PKG, 'testing.mjs'))};
    const emu = await startEmulator();
    const c = new NeonClient({ apiKey: emu.apiKey, baseUrl: emu.baseUrl });
    const e = await c.projects.get('missing-esm').catch((x) => x);
    console.log(e instanceof NotFoundError, neonkit.NeonClient === NeonClient);
    await emu.stop();
  `], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'true true');
});
