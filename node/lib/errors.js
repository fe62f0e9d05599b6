'use strict';
// NeonError and one subclass per error kind of the core. Errors cross the
// native boundary as plain Errors whose message is a marker followed by the
// fields as JSON (a napi Promise can only reject with GenericFailure);
// `fromNative` turns them back into the right class.

const MARKER = '\u0001neonkit:';
const BRAND = Symbol.for('neonkit.NeonError');
const RETRYABLE = new Set(['locked', 'rate_limited', 'server', 'timeout', 'network']);

function init(err, f) {
  Object.defineProperty(err, BRAND, { value: true });
  err.kind = f.kind;
  err.status = f.status == null ? null : f.status;
  err.code = f.code || '';
  err.requestId = f.requestId || null;
  err.operation = f.operation || null;
  err.retryAfterMs = f.retryAfterMs == null ? null : f.retryAfterMs;
  err.pendingOperations = f.pendingOperations || [];
  // The core says whether calling again may succeed (never after the API accepted the call).
  err.accepted = f.accepted === true;
  Object.defineProperty(err, '_retryable', { value: typeof f.retryable === 'boolean' ? f.retryable : undefined });
}

/** Every error neonkit raises. `instanceof` also holds for the argument errors, which extend RangeError/TypeError. */
class NeonError extends Error {
  constructor(message, fields = {}, options) {
    super(message, options);
    init(this, { kind: 'api', ...fields });
  }
  get name() { return this.constructor.name; }
  get retryable() { return this._retryable !== undefined ? this._retryable : !this.accepted && RETRYABLE.has(this.kind); }
  static [Symbol.hasInstance](x) {
    if (this === NeonError) return x != null && typeof x === 'object' && x[BRAND] === true;
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}

const KINDS = {
  bad_request: 'BadRequestError',
  unauthorized: 'UnauthorizedError',
  forbidden: 'ForbiddenError',
  not_found: 'NotFoundError',
  conflict: 'ConflictError',
  locked: 'LockedError',
  rate_limited: 'RateLimitedError',
  server: 'ServerError',
  api: 'ApiError',
  timeout: 'TimeoutError',
  network: 'NetworkError',
  decode: 'DecodeError',
  invalid_argument: 'InvalidArgumentError',
  config: 'ConfigError',
  operation_failed: 'OperationFailedError',
  wait_timeout: 'WaitTimeoutError',
  runtime: 'RuntimeError',
  aborted: 'AbortedError',
};

const classes = {};
for (const [kind, name] of Object.entries(KINDS)) {
  if (kind === 'invalid_argument') continue;
  const cls = { [name]: class extends NeonError {
    constructor(message, fields = {}, options) { super(message, { ...fields, kind }, options); }
  } }[name];
  classes[name] = cls;
}

// Argument errors are both NeonErrors (kind invalid_argument) and the
// built-in RangeError / TypeError that JS code expects for bad arguments.
function argumentClass(name, Base) {
  const cls = { [name]: class extends Base {
    constructor(message, fields = {}, options) {
      super(message, options);
      init(this, { ...fields, kind: 'invalid_argument' });
    }
    get name() { return name; }
    get retryable() { return false; }
  } }[name];
  return cls;
}
classes.InvalidArgumentError = argumentClass('InvalidArgumentError', RangeError);
classes.InvalidArgumentTypeError = argumentClass('InvalidArgumentTypeError', TypeError);

const ERROR_CLASSES = {};
for (const [kind, name] of Object.entries(KINDS)) ERROR_CLASSES[kind] = classes[name];
Object.freeze(ERROR_CLASSES);

/** The NeonError that a native error stands for (other errors are returned unchanged). */
function fromNative(e) {
  const msg = e && typeof e.message === 'string' ? e.message : null;
  if (msg === null || !msg.startsWith(MARKER)) return e;
  let f;
  try { f = JSON.parse(msg.slice(MARKER.length)); } catch { return e; }
  const cls = ERROR_CLASSES[f.kind] || classes.ApiError;
  const err = new cls(f.message, f);
  if (f.kind !== 'api' && !ERROR_CLASSES[f.kind]) err.kind = f.kind;
  return err;
}

/** The error of a call its AbortSignal aborted: a NeonError of its own kind; `cause` is the signal's reason. */
function abortedError(signal) {
  const reason = signal && signal.reason;
  const why = reason && reason.name === 'TimeoutError' ? ' (its AbortSignal timed out)' : '';
  return new classes.AbortedError(`the call was aborted${why}`, {}, reason === undefined ? undefined : { cause: reason });
}

function typeError(message) { return new classes.InvalidArgumentTypeError(message); }
function rangeError(message) { return new classes.InvalidArgumentError(message); }

module.exports = { NeonError, ERROR_CLASSES, fromNative, typeError, rangeError, abortedError, ...classes };
