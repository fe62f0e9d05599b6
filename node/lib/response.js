'use strict';
// Response metadata: `responseOf(result)` for what a call returned, and the
// RawResponse of `client.request(…)`. A call only records its native reply
// ([body, "status\nrequest id\nname\nvalue\n…"]) against its result
// (one WeakMap entry); the metadata is put together when asked for.

const META = new WeakMap();

/** Records the reply a result came from (results that are not objects have none). */
function remember(value, reply) {
  if (value !== null && typeof value === 'object') META.set(value, reply);
  return value;
}

function info(reply) {
  const flat = reply[1].split('\n');
  const headers = [];
  for (let i = 2; i + 1 < flat.length; i += 2) headers.push(Object.freeze([flat[i], flat[i + 1]]));
  return Object.freeze({ status: Number(flat[0]), requestId: flat[1] === '' ? null : flat[1], headers: Object.freeze(headers) });
}

/** The status, request id and headers of the response a result came from (null for values neonkit did not fetch). */
function responseOf(result) {
  if (result === null || typeof result !== 'object') return null;
  let m = META.get(result);
  if (m === undefined) return null;
  if (Array.isArray(m)) {
    m = info(m);
    META.set(result, m);
  }
  return m;
}

/** The answer of `client.request(…)`: the status, the headers and the body. */
class RawResponse {
  constructor(reply) {
    const i = info(reply);
    this.status = i.status;
    this.requestId = i.requestId;
    this.headers = i.headers;
    META.set(this, i);
    this.body = typeof reply[0] === 'string' ? Buffer.from(reply[0]) : reply[0];
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
