'use strict';
// AbortSignal cancellation, hundreds of calls in flight, an event loop that never blocks.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, uniq } = require('./helpers.js');
const { AbortedError, NeonError, TimeoutError } = require('..');

const aborted = (e) => e instanceof AbortedError && e instanceof NeonError && e.kind === 'aborted' && e.name === 'AbortedError';

const ctx = useEmulator();

test('an AbortSignal cancels a call in flight', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 3000, times: 1 });
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(ctx.client.projects.list({}, { signal: ac.signal }), aborted);
  assert.ok(Date.now() - started < 1500, 'the call was not cancelled promptly');
  ctx.emu.clearFaults();
});

test('the signal reason is the cause, AbortSignal.timeout works and is not neonkit\'s TimeoutError', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 3000, times: 2 });
  const ac = new AbortController();
  const reason = new Error('stop now');
  const p = ctx.client.projects.list({}, { signal: ac.signal });
  ac.abort(reason);
  await assert.rejects(p, (e) => aborted(e) && e.cause === reason);
  await assert.rejects(ctx.client.projects.list({}, { signal: AbortSignal.timeout(50) }), (e) => aborted(e) && e.cause.name === 'TimeoutError' && !(e instanceof TimeoutError));
  ctx.emu.clearFaults();
});

test('an already aborted signal rejects before any request', async () => {
  const before = ctx.emu.requestCount('listProjects');
  await assert.rejects(ctx.client.projects.list({}, { signal: AbortSignal.abort() }), aborted);
  assert.equal(ctx.emu.requestCount('listProjects'), before);
});

test('a signal that never fires changes nothing, and iterators take one', async () => {
  const ac = new AbortController();
  const r = await ctx.client.projects.list({}, { signal: ac.signal });
  assert.ok(Array.isArray(r.projects));
  const items = [];
  for await (const p of ctx.client.projects.iter({}, { signal: ac.signal })) items.push(p);
  assert.equal(items.length, r.projects.length);
  const ac2 = new AbortController();
  ac2.abort();
  await assert.rejects(async () => {
    for await (const p of ctx.client.projects.iter({}, { signal: ac2.signal })) assert.fail(String(p));
  }, aborted);
});

test('hundreds of calls in flight at once', async () => {
  const { project } = await ctx.client.projects.create({ project: { name: uniq('many') } });
  const N = 400;
  const results = await Promise.all(Array.from({ length: N }, () => ctx.client.projects.get(project.id)));
  assert.equal(results.length, N);
  for (const r of results) assert.equal(r.project.id, project.id);
  const mixed = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => (i % 2 ? ctx.client.projects.get(project.id) : ctx.client.projects.get('missing-x'))));
  assert.equal(mixed.filter((r) => r.status === 'fulfilled').length, 100);
  assert.equal(mixed.filter((r) => r.status === 'rejected' && r.reason.kind === 'not_found').length, 100);
});

test('the event loop keeps running while calls are in flight', async () => {
  ctx.emu.addFault({ operation_id: 'listProjects', kind: 'latency', ms: 300, times: 50 });
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 10);
  const started = Date.now();
  await Promise.all(Array.from({ length: 50 }, () => ctx.client.projects.list()));
  clearInterval(timer);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 3000, `50 concurrent 300 ms calls took ${elapsed} ms`);
  assert.ok(ticks >= 10, `only ${ticks} timer ticks in ${elapsed} ms`);
  ctx.emu.clearFaults();
});
