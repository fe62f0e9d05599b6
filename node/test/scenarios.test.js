'use strict';
// Runs the shared scenarios of tests/scenarios/*.json (format: tests/scenarios/README.md)
// through the public methods named in docs/operations.md.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { useEmulator } = require('./helpers.js');
const { OPERATIONS, NeonError } = require('../index.js');
const { WORKFLOWS } = require('../generated/client.js');

const DIR = path.resolve(__dirname, '..', '..', 'tests', 'scenarios');
const ctx = useEmulator();

function get(obj, dotted) {
  if (dotted === '') return obj; // the whole result (a workflow that returns a string)
  let cur = obj;
  for (const k of dotted.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(k) ? cur[Number(k)] : cur[k];
  }
  return cur;
}

function subst(v, vars) {
  if (typeof v === 'string') {
    const whole = /^\$\{([^}]+)\}$/.exec(v);
    if (whole) {
      assert.ok(whole[1] in vars, `unknown variable ${whole[1]}`);
      return vars[whole[1]];
    }
    return v.replace(/\$\{([^}]+)\}/g, (_, k) => String(vars[k]));
  }
  if (Array.isArray(v)) return v.map((x) => subst(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subst(x, vars)]));
  return v;
}

function args(meta, step, vars, options) {
  const p = subst(step.path || {}, vars);
  const out = meta.pathParams.map((n) => p[n]);
  if (meta.body !== null) out.push(step.body === undefined ? undefined : subst(step.body, vars));
  if (meta.queryParams.length > 0) out.push(step.query === undefined ? undefined : subst(step.query, vars));
  if (options) out.push(options);
  return out;
}

/** The promise of a call or workflow step, through the public method it names. */
function invoke(client, step, vars, where) {
  if (step.workflow) {
    const wf = WORKFLOWS.find((w) => w.id === step.workflow);
    const given = subst(step.args || {}, vars);
    // What no typed method can express (an unknown id or argument): the dynamic call, which the core answers.
    if (!wf || !Object.keys(given).every((k) => wf.params.includes(k) || wf.options.includes(k))) return client.workflow(step.workflow, given);
    const owner = wf.ns === 'client' ? client : client[wf.ns];
    const fn = owner[wf.method];
    assert.equal(typeof fn, 'function', `${where}: ${wf.ns}.${wf.method}`);
    // Required arguments positionally in the file's order, the others in the options object by name.
    const positional = wf.params.map((p) => given[p]);
    const options = Object.fromEntries(Object.entries(given).filter(([k]) => !wf.params.includes(k)));
    return fn.apply(owner, [...positional, options]);
  }
  assert.ok(step.call, `${where}: unknown step ${JSON.stringify(step)}`);
  const meta = OPERATIONS[step.call];
  assert.ok(meta, `${where}: no operation ${step.call}`);
  const fn = client[meta.namespace][meta.method];
  assert.equal(typeof fn, 'function', `${where}: ${meta.namespace}.${meta.method}`);
  const options = step.wait === undefined ? undefined : { wait: step.wait };
  return fn.apply(client[meta.namespace], args(meta, step, vars, options));
}

async function settle(p) {
  try {
    return { result: await p };
  } catch (error) {
    return { error };
  }
}

/** A step's outcome against its expectations. */
function check(step, { result, error }, vars, where) {
  const what = step.call || step.workflow || (step.seed && 'seed');
  if (step.expect_error) {
    const x = step.expect_error;
    assert.ok(error, `${where}: ${what} should have failed with ${x.kind}`);
    assert.ok(error instanceof NeonError, `${where}: not a NeonError: ${error && error.stack}`);
    assert.equal(error.kind, x.kind, `${where}: kind (${error.message})`);
    if ('status' in x) assert.equal(error.status, x.status, `${where}: status`);
    if ('code' in x) assert.equal(error.code, x.code, `${where}: code`);
    if (x.request_id) assert.match(error.requestId || '', /\S/, `${where}: request id`);
    for (const text of x.message_contains || []) assert.ok(error.message.includes(text), `${where}: ${JSON.stringify(text)} not in ${error.message}`);
    return;
  }
  if (error) throw new Error(`${where}: ${what} failed: ${error.stack}`);
  for (const [k, dotted] of Object.entries(step.save || {})) {
    vars[k] = get(result, dotted);
    assert.notEqual(vars[k], undefined, `${where}: nothing at ${dotted}`);
  }
  const e = step.expect || {};
  for (const [dotted, v] of Object.entries(e.fields || {})) assert.deepEqual(get(result, dotted), subst(v, vars), `${where}: ${dotted}`);
  for (const dotted of e.present || []) {
    const v = get(result, dotted);
    assert.ok(v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0), `${where}: ${dotted} missing`);
  }
  for (const [dotted, n] of Object.entries(e.length || {})) assert.equal((get(result, dotted) || []).length, n, `${where}: length of ${dotted}`);
  for (const [dotted, text] of Object.entries(e.contains || {})) {
    const v = get(result, dotted);
    assert.ok(typeof v === 'string' && v.includes(subst(text, vars)), `${where}: ${dotted} does not contain ${JSON.stringify(text)}`);
  }
  for (const dotted of e.absent || []) {
    const v = get(result, dotted);
    assert.ok(v === undefined || v === null, `${where}: ${dotted} is present`);
  }
}

async function runStep(client, step, vars, where) {
  if (step.fault) return ctx.emu.addFault(step.fault);
  if (step.seed) {
    // Through the testing helper (synchronous); its ids or its error, checked as a call's.
    let outcome;
    try {
      outcome = { result: ctx.emu.seed(subst(step.seed, vars)) };
    } catch (error) {
      outcome = { error };
    }
    return check(step, outcome, vars, where);
  }
  if (step.clock) {
    if ('now' in step.clock) ctx.emu.setClock(step.clock.now);
    else ctx.emu.advanceClock(step.clock.advance_seconds);
    return;
  }
  if (step.requests) {
    for (const [op, n] of Object.entries(step.requests)) assert.equal(ctx.emu.requestCount(op), n, `${where}: requests of ${op}`);
    return;
  }
  if (step.iterate) {
    const meta = OPERATIONS[step.iterate];
    assert.ok(meta && meta.iterator, `${where}: ${step.iterate} has no iterator`);
    let count = 0;
    // Only an iterator whose cursor travels in the body takes one (the step then gives it).
    for await (const item of client[meta.namespace][meta.iterator](...args({ ...meta, body: step.body === undefined ? null : meta.body }, step, vars))) {
      assert.ok(item !== undefined);
      count += 1;
    }
    if (step.expect && 'count' in step.expect) assert.equal(count, step.expect.count, `${where}: items of ${step.iterate}`);
    return;
  }
  if (step.concurrently) {
    // The steps at the same time (Promise.all), then each one's expectations.
    const outcomes = await Promise.all(step.concurrently.map((s, j) => settle(invoke(client, s, vars, `${where}.${j + 1}`))));
    step.concurrently.forEach((s, j) => check(s, outcomes[j], vars, `${where}.${j + 1}`));
    for (const [dotted, n] of Object.entries(step.expect_true || {})) {
      const got = outcomes.filter((o) => o.error === undefined && get(o.result, dotted) === true).length;
      assert.equal(got, n, `${where}: results with ${dotted} true`);
    }
    return;
  }
  check(step, await settle(invoke(client, step, vars, where)), vars, where);
}

// Scenarios whose expectations disagree with the emulator (not with this binding):
// they still run, and are reported as TODO rather than failing the suite.
// Scenarios known not to pass yet, with the reason (none at present).
const KNOWN = {};

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('there are scenarios to run', () => assert.ok(files.length >= 5));

for (const file of files) {
  const sc = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
  test(`scenario ${sc.name}`, { todo: KNOWN[sc.name] }, async () => {
    ctx.emu.reset();
    ctx.emu.clearFaults();
    const cfg = sc.client || {};
    const client = ctx.emu.client({
      maxRetries: cfg.max_retries === undefined ? 5 : cfg.max_retries,
      retryInitialBackoffMs: 10,
      retryMaxBackoffMs: 50,
      waitForOperations: cfg.wait === undefined ? true : cfg.wait,
    });
    const vars = {};
    try {
      for (const [i, step] of sc.steps.entries()) await runStep(client, step, vars, `${file} step ${i + 1}`);
    } finally {
      ctx.emu.realClock();
    }
  });
}
