'use strict';
// Every operationId of docs/operations.md is reachable through its Node
// method (and its Sync twin and iterator), and each call reaches the emulator
// as that very operation.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { useEmulator } = require('./helpers.js');
const { OPERATIONS, NeonError, NeonClient } = require('../index.js');
const { OPS } = require('../generated/client.js');

const ctx = useEmulator({ operationDurationMs: 0 });

const table = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
const rows = [];
for (const line of table.split('\n')) {
  const m = /^\| `(\w+)`(?: \(deprecated\))? \| `(\w+) ([^`]+)` \|(.*)$/.exec(line);
  if (!m) continue;
  const cells = m[4].split('|').map((s) => s.trim().replace(/`/g, ''));
  rows.push({ id: m[1], node: cells[2] });
}

function sample(name) {
  if (name === 'operation_id' || name === 'member_id' || name === 'invitation_id' || name.endsWith('uuid')) return '5f0b1e2a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
  if (name === 'key_id') return 12345;
  if (name === 'slug') return 'sample1';
  return 'sample-1';
}

test('docs/operations.md lists all 180 operations, each with its Node method', () => {
  assert.equal(rows.length, 180);
  assert.equal(Object.keys(OPERATIONS).length, 180);
  for (const r of rows) {
    const meta = OPERATIONS[r.id];
    assert.ok(meta, `${r.id} missing from OPERATIONS`);
    assert.equal(`${meta.namespace}.${meta.method}`, r.node, r.id);
  }
});

test('every method, Sync twin and iterator exists on a client', () => {
  const c = new NeonClient({ apiKey: 'k', baseUrl: ctx.emu.baseUrl });
  let iterators = 0;
  for (const r of rows) {
    const [ns, m] = r.node.split('.');
    assert.equal(typeof c[ns][m], 'function', r.node);
    assert.equal(typeof c[ns][`${m}Sync`], 'function', `${r.node}Sync`);
    const it = OPERATIONS[r.id].iterator;
    if (it) {
      assert.equal(typeof c[ns][it], 'function', `${ns}.${it}`);
      assert.equal(typeof c[ns][`${it}Sync`], 'function', `${ns}.${it}Sync`);
      iterators += 1;
    }
  }
  assert.ok(iterators >= 5);
});

test('all 180 operations reach the emulator as themselves', async () => {
  const c = ctx.emu.client({ maxRetries: 0, waitForOperations: false });
  const failures = [];
  for (const r of rows) {
    const meta = OPERATIONS[r.id];
    const args = meta.pathParams.map(sample);
    if (meta.body !== null) args.push({});
    if (meta.queryParams.length > 0) args.push({});
    const before = ctx.emu.requestCount(r.id);
    const [ns, m] = r.node.split('.');
    try {
      await c[ns][m](...args);
    } catch (e) {
      // Missing resources, bad sample bodies and missing required query values are fine:
      // what counts is that the call was made as this operation.
      if (!(e instanceof NeonError)) failures.push(`${r.id}: ${e.stack}`);
      else if (e.kind === 'invalid_argument' && /query parameter .* is required/.test(e.message)) {
        const q = {};
        // A value of each parameter's kind (lib/core.js refuses another JS type before any request).
        const kinds = OPS.find((o) => o.id === r.id).queryKinds;
        for (const name of meta.queryParams) q[name] = { i: 1, n: 1, b: true, d: new Date(0) }[kinds.get(name)] ?? 'x';
        args[args.length - 1] = q;
        await c[ns][m](...args).catch(() => {});
      } else if (e.status === null) failures.push(`${r.id}: no request was made (${e.kind}: ${e.message})`);
    }
    if (ctx.emu.requestCount(r.id) !== before + 1) failures.push(`${r.id}: the emulator saw ${ctx.emu.requestCount(r.id) - before} requests`);
  }
  assert.deepEqual(failures, []);
});
