'use strict';
// NeonClient: options checks, the per-client wait switch and the namespaces
// (generated in ../generated/client.js), created on first use.

const util = require('node:util');
const { native, describe } = require('./core.js');
const { fromNative, typeError, rangeError } = require('./errors.js');
const { OPS, NAMESPACES } = require('../generated/client.js');

const STRING_OPTIONS = ['apiKey', 'baseUrl', 'orgId'];
const MS_OPTIONS = ['timeoutMs', 'connectTimeoutMs', 'retryInitialBackoffMs', 'retryMaxBackoffMs', 'waitTimeoutMs', 'waitInitialIntervalMs', 'waitMaxIntervalMs', 'poolIdleTimeoutMs'];
const KNOWN = new Set([...STRING_OPTIONS, ...MS_OPTIONS, 'retries', 'wait', 'maxResponseBytes']);

function nativeOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw typeError(`NeonClient options must be an object (got ${describe(options)})`);
  const out = {};
  for (const k of Object.keys(options)) {
    const v = options[k];
    if (!KNOWN.has(k)) throw typeError(`NeonClient: unknown option ${JSON.stringify(k)} (known: ${[...KNOWN].join(', ')})`);
    if (v === undefined) continue;
    if (STRING_OPTIONS.includes(k)) {
      if (typeof v !== 'string') throw typeError(`NeonClient: ${k} must be a string (got ${k === 'apiKey' ? typeof v : describe(v)})`);
    } else if (MS_OPTIONS.includes(k)) {
      if (typeof v !== 'number') throw typeError(`NeonClient: ${k} must be a number of milliseconds (got ${describe(v)})`);
      if (!Number.isFinite(v) || v < 0 || (k === 'timeoutMs' && v === 0)) throw rangeError(`NeonClient: ${k} must be a finite, positive number (got ${v})`);
    } else if (k === 'retries') {
      if (typeof v !== 'number') throw typeError(`NeonClient: retries must be a number (got ${describe(v)})`);
      if (!Number.isInteger(v) || v < 0 || v > 100) throw rangeError(`NeonClient: retries must be an integer from 0 to 100 (got ${v})`);
    } else if (k === 'maxResponseBytes') {
      if (typeof v !== 'number') throw typeError(`NeonClient: maxResponseBytes must be a number of bytes (got ${describe(v)})`);
    } else if (k === 'wait' && typeof v !== 'boolean') {
      throw typeError(`NeonClient: wait must be a boolean (got ${describe(v)})`);
    }
    out[k] = v;
  }
  return out;
}

/** A client of the Neon API v2. Cheap to create; safe to share; works in worker threads. */
class NeonClient {
  constructor(options) {
    const opts = nativeOptions(options);
    let n;
    try {
      n = new native.NativeClient(opts);
    } catch (e) {
      throw fromNative(e);
    }
    Object.defineProperty(this, '_native', { value: n });
    Object.defineProperty(this, '_wait', { value: -1 });
  }

  /** The API base URL in use. */
  get baseUrl() { return this._native.baseUrl; }

  /** A client sharing this one's connections whose mutating calls wait (or not) for their operations. */
  withWait(wait) {
    if (typeof wait !== 'boolean') throw typeError(`withWait takes a boolean (got ${describe(wait)})`);
    const c = Object.create(NeonClient.prototype);
    Object.defineProperty(c, '_native', { value: this._native });
    Object.defineProperty(c, '_wait', { value: wait ? 1 : 0 });
    return c;
  }

  [util.inspect.custom]() {
    return `NeonClient { baseUrl: ${JSON.stringify(this.baseUrl)}, apiKey: <redacted> }`;
  }

  toJSON() {
    return { baseUrl: this.baseUrl };
  }
}

for (const [name, cls] of Object.entries(NAMESPACES)) {
  Object.defineProperty(NeonClient.prototype, name, {
    configurable: true,
    enumerable: false,
    get() {
      const ns = new cls(this);
      Object.defineProperty(this, name, { value: ns, enumerable: false });
      return ns;
    },
  });
}

const OPERATIONS = {};
for (const op of OPS) {
  OPERATIONS[op.id] = Object.freeze({
    operationId: op.id,
    namespace: op.ns,
    method: op.method,
    iterator: op.iter,
    pathParams: Object.freeze([...op.path]),
    queryParams: Object.freeze([...op.queryNames]),
    body: op.body,
    response: op.response,
    returnsOperations: op.returnsOps,
  });
}
Object.freeze(OPERATIONS);

module.exports = { NeonClient, OPERATIONS };
