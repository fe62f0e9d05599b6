'use strict';
// Enum values the spec does not list (what a newer Neon sends): the emulator's merge_body fault
// rewrites a handled answer, and the value comes through as the string that was sent, beside the
// known values of the same answer, in the promise and the blocking forms.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, uniq } = require('./helpers.js');

const ctx = useEmulator({ operationDurationMs: 0 });

const KNOWN_ENDPOINT_STATES = ['init', 'active', 'idle'];

test('an unknown endpoint state comes through as its string, promise and sync forms', async () => {
  const c = ctx.client;
  const created = await c.projects.create({ project: { name: uniq('unknown-enums') } });
  const pid = created.project.id;
  const eid = created.endpoints[0].id;
  const patch = { endpoint: { current_state: 'hibernating', pending_state: 'thawing' } };

  ctx.emu.addFault({ operation_id: 'getProjectEndpoint', kind: 'merge_body', body: patch, times: 1 });
  const got = await c.endpoints.get(pid, eid);
  assert.equal(got.endpoint.current_state, 'hibernating');
  assert.equal(typeof got.endpoint.current_state, 'string');
  assert.ok(!KNOWN_ENDPOINT_STATES.includes(got.endpoint.current_state));
  assert.equal(got.endpoint.pending_state, 'thawing');
  assert.equal(got.endpoint.type, 'read_write');
  assert.equal(got.endpoint.id, eid);
  assert.equal(JSON.parse(JSON.stringify(got)).endpoint.current_state, 'hibernating');

  ctx.emu.addFault({ operation_id: 'getProjectEndpoint', kind: 'merge_body', body: patch, times: 1 });
  const sync = c.endpoints.getSync(pid, eid);
  assert.equal(sync.endpoint.current_state, 'hibernating');
  assert.equal(sync.endpoint.type, 'read_write');

  // one answer each: the next is the emulator's own
  const next = await c.endpoints.get(pid, eid);
  assert.ok(KNOWN_ENDPOINT_STATES.includes(next.endpoint.current_state), next.endpoint.current_state);
  assert.equal(next.endpoint.pending_state, undefined);
});

test('an unknown operation status and action come through as their strings', async () => {
  const c = ctx.client;
  const created = await c.projects.create({ project: { name: uniq('unknown-op') } });
  const pid = created.project.id;
  const opId = created.operations[0].id;
  ctx.emu.addFault({
    operation_id: 'getProjectOperation',
    kind: 'merge_body',
    body: { operation: { status: 'paused', action: 'hibernate_compute' } },
    times: 1,
  });
  const { operation } = await c.operations.get(pid, opId);
  assert.equal(operation.status, 'paused');
  assert.equal(operation.action, 'hibernate_compute');
  assert.equal(operation.id, opId);
  assert.equal(operation.project_id, pid);
});
