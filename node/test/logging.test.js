'use strict';
// Logs and hooks: the `logger` option, NODE_DEBUG=neonkit and the onRequest/onResponse/onRetry/onWait
// hooks, against the emulator with a fault that makes the first attempt fail (503) and its retry succeed.
// The lines are the core's: the same text in every language.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { useEmulator, uniq } = require('./helpers.js');
const { NeonClient, InvalidArgumentTypeError, ConfigError, responseOf } = require('../index.js');

const ctx = useEmulator();
const FAST = { maxRetries: 3, retryInitialBackoffMs: 10, retryMaxBackoffMs: 50 };
const MS = String.raw`\d+\.\d ms`;

/** A logger like console or pino that keeps what it is given. */
function recordingLogger() {
  const lines = [];
  const at = (level) => (message) => lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn') };
}

async function newProjectId() {
  return (await ctx.client.projects.create({ project: { name: uniq('logs') } })).project.id;
}

function checkLines(lines, projectId, apiKey) {
  assert.equal(lines.length, 5, JSON.stringify(lines, null, 1));
  const failedId = /request id ([\w-]+)\)$/.exec(lines[1].message)[1];
  assert.equal(lines[0].message, 'request GET /projects/{project_id} (getProject, attempt 1 of 4)');
  assert.match(lines[1].message, new RegExp(String.raw`^response GET /projects/\{project_id\} 503 in ${MS} \(getProject, attempt 1 of 4, request id ${failedId}\)$`));
  assert.match(lines[2].message, new RegExp(String.raw`^retry GET /projects/\{project_id\} after 503 in ${MS} \(getProject, attempt 2 of 4, request id ${failedId}\)$`));
  assert.equal(lines[3].message, 'request GET /projects/{project_id} (getProject, attempt 2 of 4)');
  assert.match(lines[4].message, new RegExp(String.raw`^response GET /projects/\{project_id\} 200 in ${MS} \(getProject, attempt 2 of 4, request id [\w-]+\)$`));
  assert.deepEqual(lines.map((l) => l.level), ['debug', 'debug', 'info', 'debug', 'debug']);
  for (const { message } of lines) {
    assert.ok(!message.includes(apiKey), `the key in ${message}`);
    assert.ok(!message.includes(projectId), `the filled path in ${message}`);
  }
}

for (const mode of ['async', 'sync']) {
  test(`a retried call (${mode}) logs each attempt and the retry through the logger option`, async () => {
    const id = await newProjectId();
    const logger = recordingLogger();
    const client = ctx.emu.client({ ...FAST, logger });
    ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 503, times: 1 });
    if (mode === 'async') await client.projects.get(id);
    else client.projects.getSync(id);
    checkLines(logger.lines, id, ctx.emu.apiKey);
  });

  test(`hooks (${mode}) are called in order with the events, while the call runs`, async () => {
    const id = await newProjectId();
    const seen = [];
    const client = ctx.emu.client({
      ...FAST,
      onRequest: (e) => seen.push(['request', e.attempt, e.operation, e.method, e.path]),
      onResponse: (e) => seen.push(['response', e.attempt, e.status, e.requestId, e.durationMs]),
      onRetry: (e) => seen.push(['retry', e.attempt, e.status, e.requestId, e.delayMs, e.error]),
    });
    ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 503, times: 1 });
    const project = mode === 'async' ? await client.projects.get(id) : client.projects.getSync(id);
    assert.deepEqual(seen.map((s) => s.slice(0, 2)), [['request', 1], ['response', 1], ['retry', 2], ['request', 2], ['response', 2]]);
    assert.deepEqual(seen[0].slice(2), ['getProject', 'GET', '/projects/{project_id}']);
    const [, , status, failedId, duration] = seen[1];
    assert.equal(status, 503);
    assert.ok(failedId && duration > 0);
    const [, , retryStatus, retryId, delay, error] = seen[2];
    assert.deepEqual([retryStatus, retryId, error], [503, failedId, null]);
    assert.ok(delay >= 0 && delay <= 10, `${delay}`);
    assert.equal(seen[4][2], 200);
    assert.equal(seen[4][3], responseOf(project).requestId);
    assert.notEqual(seen[4][3], failedId);
  });
}

test('a hook that throws is logged through the logger and the call goes on', async () => {
  const id = await newProjectId();
  const logger = recordingLogger();
  const client = ctx.emu.client({ ...FAST, logger, onRetry: () => { throw new RangeError('boom'); } });
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 503, times: 1 });
  assert.equal((await client.projects.get(id)).project.id, id);
  const warned = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  assert.deepEqual(warned, ['the onRetry hook failed and was ignored (the call goes on): RangeError: boom']);
  // The same from a blocking call.
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 503, times: 1 });
  assert.equal(client.projects.getSync(id).project.id, id);
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 2);
});

test('without a logger, a hook that throws becomes a process warning', async () => {
  const id = await newProjectId();
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const client = ctx.emu.client({ ...FAST, onRequest: () => { throw new Error('bad hook'); } });
    await client.projects.get(id);
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].name, 'NeonkitHookWarning');
  assert.equal(warnings[0].message, 'the onRequest hook failed and was ignored (the call goes on): Error: bad hook');
});

test('a logger that writes only info and up (pino\'s isLevelEnabled) is given the retries alone', async () => {
  const id = await newProjectId();
  const logger = { ...recordingLogger(), isLevelEnabled: (level) => level !== 'debug' };
  logger.lines = [];
  const at = (level) => (message) => logger.lines.push({ level, message });
  Object.assign(logger, { debug: at('debug'), info: at('info'), warn: at('warn') });
  const client = ctx.emu.client({ ...FAST, logger });
  ctx.emu.addFault({ operation_id: 'getProject', kind: 'status', status: 503, times: 1 });
  await client.projects.get(id);
  assert.equal(logger.lines.length, 1);
  assert.match(logger.lines[0].message, /^retry GET \/projects\/\{project_id\} after 503 in /);
});

test('an operation wait reports its polls to onWait and the logger', async () => {
  const id = await newProjectId();
  const logger = recordingLogger();
  const waits = [];
  const client = ctx.emu.client({ ...FAST, logger, onWait: (e) => waits.push(e) });
  await client.branches.create(id, { branch: { name: 'dev' } });
  assert.ok(waits.length >= 2, JSON.stringify(waits));
  assert.equal(waits[0].attempt, 0);
  assert.ok(waits[0].pending >= 1 && waits[0].operationIds.length === waits[0].pending);
  assert.equal(waits.at(-1).pending, 0);
  assert.equal(waits.at(-1).delayMs, null);
  const lines = logger.lines.filter((l) => l.message.startsWith('wait ')).map((l) => l.message);
  assert.deepEqual(lines, waits.map((w) => w.message));
  assert.match(lines.at(-1), /^wait done: \d operations? finished \(poll \d+\)$/);
});

test('the event options are checked, and withOptions copies keep the hooks', async () => {
  assert.throws(() => new NeonClient({ apiKey: 'k', logger: 'console' }), InvalidArgumentTypeError);
  assert.throws(() => new NeonClient({ apiKey: 'k', logger: { debug() {} } }), /no info method/);
  assert.throws(() => new NeonClient({ apiKey: 'k', onRetry: 5 }), /onRetry must be a function/);
  const seen = [];
  const client = ctx.emu.client({ onResponse: (e) => seen.push(e.status) });
  await client.withOptions({ maxRetries: 0 }).projects.list();
  assert.deepEqual(seen, [200]);
});

test('NODE_DEBUG=neonkit writes the lines to stderr', () => {
  const script = `
    const { startEmulator } = require(${JSON.stringify(path.join(__dirname, '..', 'testing.js'))});
    (async () => {
      const emu = await startEmulator();
      emu.addFault({ operation_id: 'listProjects', kind: 'status', status: 503, times: 1 });
      await emu.client({ retryInitialBackoffMs: 10 }).projects.list();
      process.stdout.write(emu.apiKey);
      await emu.stop();
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_DEBUG: 'neonkit' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('NEONKIT '));
  assert.equal(lines.length, 5, r.stderr);
  assert.match(lines[0], /^NEONKIT \d+: request GET \/projects \(listProjects, attempt 1 of 6\)$/);
  assert.match(lines[2], new RegExp(String.raw`^NEONKIT \d+: retry GET /projects after 503 in ${MS} \(listProjects, attempt 2 of 6, request id [\w-]+\)$`));
  assert.ok(!r.stderr.includes(r.stdout), 'the API key is not in the log');
});

test('userAgent goes after neonkit\'s own in the User-Agent header', async () => {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers['user-agent']);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new NeonClient({ apiKey: 'k', baseUrl: `http://127.0.0.1:${server.address().port}/api/v2`, userAgent: 'myapp/1.2' });
    await client.request('GET', '/projects');
  } finally {
    server.close();
  }
  const { version } = require('../package.json');
  assert.deepEqual(seen, [`neonkit/${version} (node) myapp/1.2`]);
  assert.throws(() => new NeonClient({ apiKey: 'k', userAgent: 'a\nb' }), (e) => e instanceof ConfigError && /^userAgent must be printable ASCII/.test(e.message));
});
