'use strict';
// The emulator's settable clock: the timestamps it writes follow it (setClock / advanceClock / realClock),
// through the client over HTTP.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator } = require('../testing.js');
const { InvalidArgumentError } = require('../index.js');

const DAY = 86_400_000;
const near = (a, b, ms = 1000) => Math.abs(a.getTime() - b.getTime()) < ms;

test('a branch made 40 days ago is found by a stale-branches query', async () => {
  const emu = await startEmulator({ operationDurationMs: 0 });
  try {
    const c = emu.client({ maxRetries: 0 });
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 40 * DAY);
    assert.ok(near(emu.setClock(past), past));
    const created = await c.projects.create({ project: { name: 'clocked' } });
    const pid = created.project.id;
    assert.ok(near(new Date(created.project.created_at), past), created.project.created_at);
    for (const op of created.operations) assert.ok(near(new Date(op.created_at), past), op.created_at);
    const old = (await c.branches.create(pid, { branch: { name: 'old' } })).branch;
    assert.ok(near(new Date(old.created_at), past), old.created_at);

    assert.ok(near(emu.realClock(), new Date()));
    const fresh = (await c.branches.create(pid, { branch: { name: 'new' } })).branch;
    assert.ok(near(new Date(fresh.created_at), new Date(), 2000), fresh.created_at);

    const cutoff = new Date(Date.now() - 30 * DAY);
    const { branches } = await c.branches.list(pid);
    assert.equal(branches.length, 3);
    const stale = branches.filter((b) => !b.default && new Date(b.created_at) < cutoff);
    assert.deepEqual(stale.map((b) => b.id), [old.id]);
    assert.ok(near(new Date(stale[0].created_at), past));
  } finally {
    await emu.stop();
  }
});

test('advanceClock moves the updated_at of a branch updated after it; reset restores the real time', async () => {
  const emu = await startEmulator({ operationDurationMs: 0 });
  try {
    const c = emu.client({ maxRetries: 0 });
    const pid = (await c.projects.create({ project: { name: 'adv' } })).project.id;
    const b = (await c.branches.create(pid, { branch: { name: 'b' } })).branch;
    emu.advanceClock(3600);
    const at = emu.advanceClock(1800);
    assert.ok(near(at, new Date(Date.now() + 5400_000)), at.toISOString());
    const updated = (await c.branches.update(pid, b.id, { branch: { name: 'renamed' } })).branch;
    assert.equal(updated.created_at, b.created_at);
    assert.ok(near(new Date(updated.updated_at), new Date(new Date(b.updated_at).getTime() + 5400_000), 2000), updated.updated_at);
    emu.reset();
    assert.ok(near(emu.clock(), new Date()));
  } finally {
    await emu.stop();
  }
});

test('setClock takes strings and refuses what is no time', async () => {
  const emu = await startEmulator();
  try {
    assert.equal(emu.setClock('2026-01-01T00:00:00+02:00').toISOString().slice(0, 19), '2025-12-31T22:00:00');
    assert.throws(() => emu.setClock(1767225600), TypeError);
    assert.throws(() => emu.setClock(new Date('nope')), /Invalid Date/);
    assert.throws(() => emu.setClock('soon'), (e) => e instanceof InvalidArgumentError && /^set_clock: "soon" is not an RFC 3339 date-time/.test(e.message));
    assert.throws(() => emu.advanceClock(-1), /advance_clock: -1 is not a number of seconds zero or more/);
    assert.throws(() => emu.advanceClock('1'), TypeError);
  } finally {
    await emu.stop();
  }
});
