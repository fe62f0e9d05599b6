'use strict';
// The hand-written runtime under the generated namespaces: argument checks,
// query/body encoding, Promise and AbortSignal plumbing, iterators and waits.
// Every request runs on the Rust core's runtime; nothing here blocks the event
// loop except the `…Sync` methods, which are meant to.

const util = require('node:util');
const native = require('./native.js');
const { fromNative, typeError, rangeError, abortedError, ERROR_CLASSES } = require('./errors.js');
const { remember } = require('./response.js');

const INDEX = new Map(native.operationIds().map((id, i) => [id, i]));
const EMPTY = Object.freeze([]);

/** Turns the generated rows into frozen operation descriptors. */
function defineOperations(rows) {
  return rows.map(([id, ns, method, iter, pathParams, query, body, response, returnsOps, secrets]) => {
    const index = INDEX.get(id);
    if (index === undefined) throw new Error(`neonkit: the native addon has no operation ${id}; rebuild it (npm run build)`);
    return Object.freeze({
      id, index, ns, method, iter,
      path: pathParams.map((p) => p[0]),
      pathInteger: pathParams.map((p) => p[1]),
      secrets: secrets.map((p) => p.split('.')),
      queryNames: query.map((q) => q[0]),
      queryKinds: new Map(query),
      body, response, returnsOps,
    });
  });
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v) : typeof v;
}

function rethrow(e) { throw fromNative(e); }

const abortReason = abortedError;

function checkPath(op, values) {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') continue;
    // Only integer ids (API key ids) may be numbers; a number for a string id is a mistake, not coerced.
    if (op.pathInteger[i] && typeof v === 'number' && Number.isSafeInteger(v)) { values[i] = String(v); continue; }
    throw typeError(`${op.id}: path parameter ${op.path[i]} must be a string (got ${describe(v)})`);
  }
  return values;
}

const KIND_NAMES = { s: 'a string', d: 'a string or a Date', i: 'an integer', n: 'a number', b: 'a boolean' };

/** What a value of the wrong type was, never quoting a string (it may be a secret), as the core words it. */
function got(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return 'a string';
    case 'number': case 'bigint': case 'boolean': return String(v);
    case 'object': return 'an object';
    default: return `a ${typeof v}`;
  }
}

/** Whether `v` has the JS type of an argument of that kind (generated from the spec; `x`: any, the core checks). */
function hasKind(kind, v) {
  switch (kind) {
    case 's': return typeof v === 'string';
    case 'd': return typeof v === 'string' || v instanceof Date;
    case 'i': return typeof v === 'number' || typeof v === 'bigint'; // NaN, ∞: a RangeError below
    case 'n': return typeof v === 'number' || typeof v === 'bigint';
    case 'b': return typeof v === 'boolean';
    default: return true;
  }
}

function scalar(op, k, v) {
  const kind = op.queryKinds === undefined ? undefined : op.queryKinds.get(k);
  if (kind !== undefined && !hasKind(kind, v)) {
    throw typeError(`${op.id}: query parameter ${k} must be ${KIND_NAMES[kind]}, got ${got(v)}`);
  }
  switch (typeof v) {
    case 'string': return v;
    case 'number':
      if (!Number.isFinite(v)) throw rangeError(`${op.id}: query parameter ${k} must be a finite number`);
      return String(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    default:
      if (v instanceof Date) return v.toISOString();
      throw typeError(`${op.id}: query parameter ${k} must be a string, number, boolean or Date (got ${describe(v)})`);
  }
}

function encodeQuery(op, query) {
  if (query === undefined || query === null) return EMPTY;
  if (typeof query !== 'object' || Array.isArray(query)) throw typeError(`${op.id}: the query parameters must be an object (got ${describe(query)})`);
  let out = null;
  for (const k of Object.keys(query)) {
    const v = query[k];
    if (v === undefined || v === null) continue;
    if (out === null) out = [];
    if (Array.isArray(v)) for (const x of v) out.push(k, scalar(op, k, x));
    else out.push(k, scalar(op, k, v));
  }
  return out === null ? EMPTY : out;
}

// A file part's missing file name and content type are the core's to fill in (one rule for every language).
function filePart(name, v) {
  if (v instanceof Uint8Array) return { name, data: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  if (v && typeof v === 'object' && v.data instanceof Uint8Array) {
    return {
      name,
      data: Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength),
      filename: v.filename === undefined ? undefined : String(v.filename),
      contentType: v.contentType === undefined ? undefined : String(v.contentType),
    };
  }
  return null;
}

/** JSON text, or the parts of a multipart body. */
function encodeBody(op, body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw typeError(`${op.id}: the request body must be an object (got ${describe(body)})`);
  if (op.body === 'json') return toJson(op, body);
  const parts = [];
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (v === undefined || v === null) continue;
    const file = filePart(k, v);
    if (file) parts.push(file);
    else if (typeof v === 'string') parts.push({ name: k, text: v });
    else if (typeof v === 'number' || typeof v === 'boolean') parts.push({ name: k, text: String(v) });
    else parts.push({ name: k, text: JSON.stringify(v) });
  }
  return parts;
}

function toJson(op, body) {
  try {
    return JSON.stringify(body);
  } catch (e) {
    throw typeError(`${op.id}: the request body cannot be serialized as JSON: ${e.message}`);
  }
}

/** The per-call `wait` (undefined: the client's setting). */
function waitFlag(wait) {
  if (wait === undefined || typeof wait === 'boolean') return wait;
  throw typeError(`the wait option must be a boolean (got ${describe(wait)})`);
}

function checkOptions(options) {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object' || Array.isArray(options)) throw typeError(`options must be an object (got ${describe(options)})`);
  const s = options.signal;
  if (s !== undefined && s !== null && (typeof s !== 'object' || typeof s.addEventListener !== 'function' || typeof s.aborted !== 'boolean')) {
    throw typeError('options.signal must be an AbortSignal');
  }
  return options;
}

/** Starts a native call that takes a CancelToken, tied to an AbortSignal. */
function withSignal(signal, start) {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const token = new native.CancelToken();
  let p;
  try {
    p = start(token);
  } catch (e) {
    return Promise.reject(fromNative(e));
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      token.cancel();
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(fromNative(e)); },
    );
  });
}

/** Starts a native call; `then` maps its value (one Promise hop when there is no signal). */
function run(signal, start, then) {
  if (signal) return then === undefined ? withSignal(signal, start) : withSignal(signal, start).then(then);
  let p;
  try {
    p = start(undefined);
  } catch (e) {
    return Promise.reject(fromNative(e));
  }
  return p.then(then, rethrow);
}

const REDACTED = '<redacted>';
const HIDDEN = Symbol('neonkit.hidden');

function inspectHidden(depth, options, inspect) {
  const shown = Array.isArray(this) ? this.slice() : { ...this };
  for (const k of this[HIDDEN]) if (shown[k] !== undefined && shown[k] !== null) shown[k] = REDACTED;
  return inspect(shown, options);
}

function showRedacted() { return REDACTED; }

/** `parent[key]` prints as <redacted> (and so does the value printed alone); reading it is unchanged. */
function hideKey(parent, key) {
  if (!Object.prototype.hasOwnProperty.call(parent, HIDDEN)) {
    Object.defineProperty(parent, HIDDEN, { value: new Set() });
    Object.defineProperty(parent, util.inspect.custom, { value: inspectHidden });
  }
  parent[HIDDEN].add(key);
  const v = parent[key];
  if (v !== null && typeof v === 'object') Object.defineProperty(v, util.inspect.custom, { value: showRedacted });
}

/** Marks the secrets at `path` (segments; `x[]` walks an array) on every object along it. */
function markSecrets(value, path, i) {
  if (value === null || typeof value !== 'object') return;
  let key = path[i];
  const each = key.endsWith('[]');
  if (each) key = key.slice(0, -2);
  if (!Object.prototype.hasOwnProperty.call(value, key)) return;
  const next = value[key];
  if (i === path.length - 1) {
    if (each && Array.isArray(next)) for (let j = 0; j < next.length; j++) hideKey(next, j);
    else hideKey(value, key);
  } else if (each && Array.isArray(next)) {
    for (const x of next) markSecrets(x, path, i + 1);
  } else {
    markSecrets(next, path, i + 1);
  }
}

/** Results print without their secrets (console.log, util.inspect), at any depth; reading a property still gives the value. */
function hideSecrets(op, result) {
  if (op.secrets.length === 0 || result === null || typeof result !== 'object') return result;
  for (const path of op.secrets) markSecrets(result, path, 0);
  return result;
}

function decode(op, v) {
  if (op.response === 'json') {
    if (v.length === 0) return undefined;
    try {
      return hideSecrets(op, JSON.parse(v));
    } catch (e) {
      // V8's message quotes the text, which may hold a secret: keep only where it broke.
      const at = /position (\d+)/.exec(String(e && e.message));
      throw new ERROR_CLASSES.decode(`could not decode the response: invalid JSON${at ? ` at position ${at[1]}` : ''} (operation ${op.id})`, { operation: op.id });
    }
  }
  if (op.response === 'empty') return undefined;
  return v;
}

/** A call's result (`reply`: [body, meta]), decoded; `responseOf(result)` finds the meta. */
function result(op, reply) {
  const v = decode(op, reply[0]);
  reply[0] = undefined;
  return remember(v, reply);
}

function* iterateSync(pager) {
  for (;;) {
    let page;
    try {
      page = pager.nextPageSync();
    } catch (e) {
      throw fromNative(e);
    }
    if (page === null || page === undefined) return;
    yield* JSON.parse(page);
  }
}

async function* iterate(pager, signal) {
  for (;;) {
    const page = await run(signal, (t) => pager.nextPage(t));
    if (page === null || page === undefined) return;
    yield* JSON.parse(page);
  }
}

/** The base of every generated namespace class. */
class Namespace {
  constructor(client) {
    Object.defineProperty(this, '_c', { value: client });
  }

  _call(op, path, query, body, options) {
    let q, b, wait, signal;
    try {
      checkPath(op, path);
      q = encodeQuery(op, query);
      b = encodeBody(op, body);
      const o = checkOptions(options);
      if (o !== null) {
        wait = waitFlag(o.wait);
        signal = o.signal || undefined;
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const n = this._c._native;
    return run(signal, (t) => n.call(op.index, path, q, b, wait, t), (r) => result(op, r));
  }

  _callSync(op, path, query, body, options) {
    checkPath(op, path);
    const q = encodeQuery(op, query);
    const b = encodeBody(op, body);
    const o = checkOptions(options);
    const wait = o === null ? undefined : waitFlag(o.wait);
    let r;
    try {
      r = this._c._native.callSync(op.index, path, q, b, wait);
    } catch (e) {
      throw fromNative(e);
    }
    return result(op, r);
  }

  _iter(op, path, query, body, options) {
    checkPath(op, path);
    const q = encodeQuery(op, query);
    const b = body === undefined ? undefined : encodeBody(op, body);
    const o = checkOptions(options);
    let pager;
    try {
      pager = this._c._native.pager(op.id, path, q, b);
    } catch (e) {
      throw fromNative(e);
    }
    return iterate(pager, o === null ? undefined : o.signal || undefined);
  }

  _iterSync(op, path, query, body, options) {
    checkPath(op, path);
    const q = encodeQuery(op, query);
    const b = body === undefined ? undefined : encodeBody(op, body);
    checkOptions(options);
    let pager;
    try {
      pager = this._c._native.pager(op.id, path, q, b);
    } catch (e) {
      throw fromNative(e);
    }
    return iterateSync(pager);
  }
}

/** Turns the generated workflow rows into frozen descriptors (`decode` reads them like an operation's). */
function defineWorkflows(rows) {
  return rows.map(([id, ns, method, params, options, secrets, kinds]) => Object.freeze({
    id, ns, method,
    params: Object.freeze(params),
    options: Object.freeze(options),
    kinds: Object.freeze(kinds),
    secrets: secrets.map((p) => p.split('.')),
    response: 'json',
  }));
}

/** The descriptor `client.workflow(id, …)` runs with: the generated one's secrets, every argument by name. */
function dynamicWorkflow(workflows, id) {
  if (typeof id !== 'string') throw typeError(`a workflow id must be a string (got ${describe(id)})`);
  const known = workflows.find((w) => w.id === id);
  return Object.freeze({ id, params: EMPTY, options: EMPTY, kinds: known ? known.kinds : {}, secrets: known ? known.secrets : EMPTY, response: 'json' });
}

/** A workflow's arguments as the JSON object the core takes (the core checks names and types), and its signal. */
function workflowArgs(wf, positional, options) {
  const args = {};
  for (let i = 0; i < wf.params.length; i++) if (positional[i] !== undefined) args[wf.params[i]] = positional[i];
  let signal;
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || Array.isArray(options)) throw typeError(`${wf.id}: the options must be an object (got ${describe(options)})`);
    for (const k of Object.keys(options)) {
      const v = options[k];
      if (k === 'signal') signal = v;
      else if (wf.params.includes(k)) throw typeError(`${wf.id}: ${k} is a positional argument, not an option`);
      else if (v !== undefined) args[k] = v;
    }
    checkOptions({ signal });
  }
  // The positional arguments (ids and names) by their generated kinds, as path parameters are; the options
  // go to the core, which checks them for every language alike.
  for (let i = 0; i < wf.params.length; i++) {
    const v = positional[i];
    const kind = wf.kinds[wf.params[i]];
    if (v !== undefined && v !== null && kind !== undefined && !hasKind(kind, v)) {
      throw typeError(`${wf.id}: ${wf.params[i]} must be ${KIND_NAMES[kind]}, got ${got(v)}`);
    }
  }
  return { json: toJson(wf, args), signal: signal || undefined };
}

/** Runs a workflow on the core (`client`: what holds `_native`); resolves with its result as the API's objects. */
function runWorkflow(client, wf, positional, options) {
  let a;
  try {
    a = workflowArgs(wf, positional, options);
  } catch (e) {
    return Promise.reject(e);
  }
  const n = client._native;
  return run(a.signal, (t) => n.workflow(wf.id, a.json, t), (text) => decode(wf, text));
}

/** Blocking form of `runWorkflow`. */
function runWorkflowSync(client, wf, positional, options) {
  const a = workflowArgs(wf, positional, options);
  let text;
  try {
    text = client._native.workflowSync(wf.id, a.json);
  } catch (e) {
    throw fromNative(e);
  }
  return decode(wf, text);
}

function waitArgs(a, b, c) {
  if (typeof a === 'string') {
    if (!Array.isArray(b) || !b.every((x) => typeof x === 'string')) throw typeError('operations.wait(projectId, ids): ids must be an array of strings');
    return { what: { projectId: a, ids: b }, options: checkOptions(c) };
  }
  const ops = Array.isArray(a) ? a : a && typeof a === 'object' && Array.isArray(a.operations) ? a.operations : null;
  if (ops === null) throw typeError('operations.wait takes an array of operations, a response with `operations`, or (projectId, ids)');
  return { what: { operationsJson: JSON.stringify(ops) }, options: checkOptions(b) };
}

/** The operations namespace: the generated methods plus `wait`. */
class OperationsNamespace extends Namespace {
  wait(a, b, c) {
    let args;
    try {
      args = waitArgs(a, b, c);
    } catch (e) {
      return Promise.reject(e);
    }
    const n = this._c._native;
    const signal = (args.options && args.options.signal) || undefined;
    return run(signal, (t) => n.wait(args.what, t), JSON.parse);
  }

  waitSync(a, b, c) {
    const args = waitArgs(a, b, c);
    try {
      return JSON.parse(this._c._native.waitSync(args.what));
    } catch (e) {
      throw fromNative(e);
    }
  }
}

module.exports = {
  native, run, Namespace, OperationsNamespace, defineOperations, defineWorkflows, dynamicWorkflow, runWorkflow, runWorkflowSync, describe, encodeQuery, checkOptions,
};
