'use strict';
// NeonClient: the native client, its withOptions copies, the raw call, and the
// namespaces (generated in ../generated/client.js), created on first use.

const util = require('node:util');
const { native, run, describe, encodeQuery, checkOptions, dynamicWorkflow, runWorkflow, runWorkflowSync } = require('./core.js');
const { fromNative, typeError } = require('./errors.js');
const { RawResponse } = require('./response.js');
const events = require('./events.js');
const { OPS, NAMESPACES, WORKFLOWS, ClientWorkflows } = require('../generated/client.js');

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

  /**
   * Runs a workflow of spec/workflows.yaml by its id (`branches.ensure`) with its arguments by name, as the typed
   * methods (`client.branches.ensure(…)`) do; resolves with what they resolve with. For what a typed method cannot
   * express (an id or argument it does not know): the core refuses those (`InvalidArgumentError`, naming what it takes).
   */
  workflow(id, args, options) {
    let wf, merged;
    try {
      wf = dynamicWorkflow(WORKFLOWS, id);
      merged = workflowOptions(id, args, options);
    } catch (e) {
      return Promise.reject(e);
    }
    return runWorkflow(this, wf, EMPTY_ARGS, merged);
  }

  /** Blocking form of `workflow`. */
  workflowSync(id, args) {
    return runWorkflowSync(this, dynamicWorkflow(WORKFLOWS, id), EMPTY_ARGS, workflowOptions(id, args, undefined));
  }

  [util.inspect.custom]() {
    return `NeonClient { baseUrl: ${JSON.stringify(this.baseUrl)}, apiKey: <redacted> }`;
  }

  toJSON() {
    return { baseUrl: this.baseUrl };
  }
}

const EMPTY_ARGS = Object.freeze([]);

/** `client.workflow`'s arguments and its `signal` as one options object (the arguments may not be named `signal`). */
function workflowOptions(id, args, options) {
  const a = optionsObject(`the arguments of ${id}`, args) || {};
  if ('signal' in a) throw typeError(`${id}: signal is an option (the third argument), not an argument`);
  const o = optionsObject('workflow', options);
  return o && o.signal !== undefined ? { ...a, signal: o.signal } : a;
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

// The workflows that are methods of the client itself (`connectionString`), generated from spec/workflows.yaml.
for (const name of Object.getOwnPropertyNames(ClientWorkflows.prototype)) {
  if (name === 'constructor') continue;
  Object.defineProperty(NeonClient.prototype, name, { ...Object.getOwnPropertyDescriptor(ClientWorkflows.prototype, name), enumerable: false });
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
