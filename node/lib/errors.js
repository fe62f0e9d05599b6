'use strict';
// NeonError and one subclass per error kind of spec/vocabulary.yaml (the list
// is generated: ../generated/vocabulary.js). Errors cross the native boundary
// as plain Errors whose message is a marker followed by the fields as JSON (a
// napi Promise can only reject with GenericFailure); `fromNative` turns them
// back into the right class.

const { ERROR_KINDS } = require('../generated/vocabulary.js');

const MARKER = '\u0001neonkit:';
const BRAND = Symbol.for('neonkit.NeonError');
const BUILTINS = { RangeError, TypeError };
const RETRYABLE = new Set(ERROR_KINDS.filter((row) => row[3]).map((row) => row[0]));

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

function retryable(err) {
  return err._retryable !== undefined ? err._retryable : !err.accepted && RETRYABLE.has(err.kind);
}

/** Every error neonkit raises. `instanceof` also holds for the argument errors, which extend RangeError/TypeError. */
class NeonError extends Error {
  constructor(message, fields = {}, options) {
    super(message, options);
    init(this, { kind: 'api', ...fields });
  }
  get name() { return this.constructor.name; }
  get retryable() { return retryable(this); }
  static [Symbol.hasInstance](x) {
    if (this === NeonError) return x != null && typeof x === 'object' && x[BRAND] === true;
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }
}

/** The class of a kind: a NeonError subclass, or (for a kind with a built-in base) a subclass of that base that is a NeonError too. */
function errorClass(kind, name, base) {
  if (base === null) {
    return { [name]: class extends NeonError {
      constructor(message, fields = {}, options) { super(message, { ...fields, kind }, options); }
    } }[name];
  }
  return { [name]: class extends base {
    constructor(message, fields = {}, options) {
      super(message, options);
      init(this, { ...fields, kind });
    }
    get name() { return name; }
    get retryable() { return retryable(this); }
  } }[name];
}

const classes = {};
const ERROR_CLASSES = {};
for (const [kind, name, base] of ERROR_KINDS) {
  classes[name] = errorClass(kind, name, base === null ? null : BUILTINS[base]);
  ERROR_CLASSES[kind] = classes[name];
}
Object.freeze(ERROR_CLASSES);
// A wrong argument type is an invalid argument that JS code expects as a TypeError.
const InvalidArgumentTypeError = errorClass('invalid_argument', 'InvalidArgumentTypeError', TypeError);

/** The NeonError that a native error stands for (other errors are returned unchanged). */
function fromNative(e) {
  const msg = e && typeof e.message === 'string' ? e.message : null;
  if (msg === null || !msg.startsWith(MARKER)) return e;
  let f;
  try { f = JSON.parse(msg.slice(MARKER.length)); } catch { return e; }
  const cls = ERROR_CLASSES[f.kind] || ERROR_CLASSES.api;
  const err = new cls(f.message, f);
  if (!ERROR_CLASSES[f.kind]) err.kind = f.kind;
  return err;
}

/** The error of a call its AbortSignal aborted: a NeonError of its own kind; `cause` is the signal's reason. */
function abortedError(signal) {
  const reason = signal && signal.reason;
  const why = reason && reason.name === 'TimeoutError' ? ' (its AbortSignal timed out)' : '';
  return new ERROR_CLASSES.aborted(`the call was aborted${why}`, {}, reason === undefined ? undefined : { cause: reason });
}

function typeError(message) { return new InvalidArgumentTypeError(message); }
function rangeError(message) { return new ERROR_CLASSES.invalid_argument(message); }

module.exports = { NeonError, ERROR_CLASSES, InvalidArgumentTypeError, classes, fromNative, typeError, rangeError, abortedError };
