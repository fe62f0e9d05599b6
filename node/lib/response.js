'use strict';
// Response metadata: `responseOf(result)` for what a call returned, and the
// RawResponse of `client.request(…)`. A call only records its native reply
// against its result (one WeakMap entry); the metadata is read from the core
// when asked for.

const META = new WeakMap();

/** Records the reply a result came from (results that are not objects have none). */
function remember(value, reply) {
  if (value !== null && typeof value === 'object') META.set(value, reply);
  return value;
}

function info(meta) {
  const headers = Object.freeze(meta.headers.map((h) => Object.freeze(h)));
  return Object.freeze({ status: meta.status, requestId: meta.requestId === undefined ? null : meta.requestId, headers });
}

/** The status, request id and headers of the response a result came from (null for values neonkit did not fetch). */
function responseOf(result) {
  if (result === null || typeof result !== 'object') return null;
  if (result instanceof RawResponse) return info(result);
  let m = META.get(result);
  if (m === undefined) return null;
  if (!Object.isFrozen(m)) {
    m = info(m.meta());
    META.set(result, m);
  }
  return m;
}

/** The answer of `client.request(…)`: the status, the headers and the body. */
class RawResponse {
  constructor(reply) {
    const i = info(reply.meta());
    this.status = i.status;
    this.requestId = i.requestId;
    this.headers = i.headers;
    const body = reply.takeBody();
    this.body = typeof body === 'string' ? Buffer.from(body) : body;
  }

  /** The first header of that name (case-insensitive), or null. */
  header(name) {
    const n = String(name).toLowerCase();
    const h = this.headers.find((x) => x[0] === n);
    return h === undefined ? null : h[1];
  }

  /** The body parsed as JSON (null for an empty body). */
  json() { return this.body.length === 0 ? null : JSON.parse(this.body.toString('utf8')); }

  /** The body as UTF-8 text. */
  text() { return this.body.toString('utf8'); }
}

module.exports = { remember, responseOf, RawResponse };
