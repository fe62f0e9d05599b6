'use strict';
// NeonClient: the native client, its withOptions copies, the raw call, and the
// namespaces (generated in ../generated/client.js), created on first use.

const util = require('node:util');
const { native, run, describe, encodeQuery, checkOptions } = require('./core.js');
const { fromNative, typeError } = require('./errors.js');
const { RawResponse } = require('./response.js');
const events = require('./events.js');
const { OPS, NAMESPACES } = require('../generated/client.js');

/** A client of the Neon API v2. Cheap to create; safe to share; works in worker threads.
 * Its options are checked, and a bad one worded, by the core (a ConfigError). `logger`,
 * `onRequest`, `onResponse`, `onRetry` and `onWait` (lib/events.js) see what its calls do. */
class NeonClient {
  constructor(options) {
    const { options: o, sink, kinds } = events.split(optionsObject('NeonClient', options));
    let n;
    try {
      n = new native.NativeClient(o, sink, kinds);
    } catch (e) {
      throw fromNative(e);
    }
    Object.defineProperty(this, '_native', { value: n });
  }

  /** The API base URL in use. */
  get baseUrl() { return this._native.baseUrl; }

  /** A client sharing this one's connections whose every call uses these options (`timeoutMs`, `maxRetries`, …). */
  withOptions(options) {
    let n;
    try {
      n = this._native.withOptions(optionsObject('withOptions', options));
    } catch (e) {
      throw fromNative(e);
    }
    const c = Object.create(NeonClient.prototype);
    Object.defineProperty(c, '_native', { value: n });
    return c;
  }

  /** A client sharing this one's connections whose mutating calls wait (or not) for their operations. */
  withWait(wait) {
    return this.withOptions({ waitForOperations: wait });
  }

  /** Calls any path of the API through the same pipeline; resolves with a RawResponse (a non-2xx status rejects). */
  request(method, path, request) {
    let r, signal;
    try {
      r = rawRequest(method, path, request);
      signal = (request && request.signal) || undefined;
      checkOptions({ signal });
    } catch (e) {
      return Promise.reject(e);
    }
    const n = this._native;
    return run(signal, (t) => n.request(r, t), (reply) => new RawResponse(reply));
  }

  /** Blocking form of `request`. */
  requestSync(method, path, request) {
    const r = rawRequest(method, path, request);
    try {
      return new RawResponse(this._native.requestSync(r));
    } catch (e) {
      throw fromNative(e);
    }
  }

  [util.inspect.custom]() {
    return `NeonClient { baseUrl: ${JSON.stringify(this.baseUrl)}, apiKey: <redacted> }`;
  }

  toJSON() {
    return { baseUrl: this.baseUrl };
  }
}

function optionsObject(what, options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object' || Array.isArray(options)) throw typeError(`${what} options must be an object (got ${describe(options)})`);
  return options;
}

const RAW = { id: 'request' };

/** What the native `request` takes: the method, the path, the query as flat pairs, the body as JSON text. */
function rawRequest(method, path, request) {
  if (typeof method !== 'string') throw typeError(`request: the method must be a string (got ${describe(method)})`);
  if (typeof path !== 'string') throw typeError(`request: the path must be a string (got ${describe(path)})`);
  const r = optionsObject('request', request) || {};
  const query = encodeQuery(RAW, r.query);
  let body;
  if (r.body !== undefined) {
    try {
      body = JSON.stringify(r.body);
    } catch (e) {
      throw typeError(`request: the body cannot be serialized as JSON: ${e.message}`);
    }
  }
  return { method, path, query, body };
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
