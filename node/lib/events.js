'use strict';
// What a client does, for logs and hooks. The core makes each event and its log
// line once; this decides, when a client is made, which events it needs (none:
// the core makes none, and no JS is called per request) and hands them on to the
// `logger` option, NODE_DEBUG=neonkit (util.debuglog) and the on* hooks.

const util = require('node:util');
const native = require('./native.js');
const { typeError } = require('./errors.js');

/** The client options that are this module's, not the core's. */
const OPTIONS = ['logger', 'onRequest', 'onResponse', 'onRetry', 'onWait'];
const HOOKS = { request: 'onRequest', response: 'onResponse', retry: 'onRetry', wait: 'onWait' };
const KINDS = Object.keys(HOOKS);
const LEVELS = ['debug', 'info', 'warn'];

const debuglog = util.debuglog('neonkit');

function describe(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/** The options without this module's, and the sink and event kinds for `new NativeClient(options, sink, kinds)`. */
function split(options) {
  if (options === undefined) options = {};
  const rest = {};
  let own = false;
  for (const k of Object.keys(options)) {
    if (OPTIONS.includes(k)) own = true;
    else rest[k] = options[k];
  }
  const { sink, kinds } = sinkFor(own ? options : {});
  return { options: own ? rest : options, sink, kinds };
}

function sinkFor(options) {
  const logger = options.logger == null ? null : options.logger;
  if (logger !== null) {
    if (typeof logger !== 'object' && typeof logger !== 'function') {
      throw typeError(`the logger option must be an object with debug, info and warn methods (got ${describe(logger)})`);
    }
    for (const level of LEVELS) {
      if (typeof logger[level] !== 'function') throw typeError(`the logger option has no ${level} method (console and pino loggers have debug, info and warn)`);
    }
  }
  const hooks = {};
  for (const kind of KINDS) {
    const hook = options[HOOKS[kind]];
    if (hook == null) continue;
    if (typeof hook !== 'function') throw typeError(`${HOOKS[kind]} must be a function (got ${describe(hook)})`);
    hooks[kind] = hook;
  }
  // A logger that says which levels it writes (pino's isLevelEnabled) is asked once, here.
  const enabled = (level) => logger !== null && (typeof logger.isLevelEnabled !== 'function' || logger.isLevelEnabled(level));
  const debug = debuglog.enabled;
  const logged = (kind) => debug || enabled(kind === 'retry' ? 'info' : 'debug');
  const kinds = KINDS.filter((k) => hooks[k] !== undefined || logged(k));
  if (kinds.length === 0) return { sink: undefined, kinds: undefined };
  return { sink: makeSink(logger, debug, hooks), kinds };
}

/** Reports a hook that threw (through the logger, else NODE_DEBUG, else a process warning); the call goes on. */
function hookFailed(logger, debug, kind, err) {
  const message = native.hookFailedMessage(HOOKS[kind], err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  if (logger !== null) logger.warn(message);
  else if (debug) debuglog('%s', message);
  else process.emitWarning(message, 'NeonkitHookWarning');
}

function makeSink(logger, debug, hooks) {
  // Never throws: it runs inside a call (a throw from a threadsafe function would end the process).
  return (event) => {
    try {
      if (debug) debuglog('%s', event.message);
      if (logger !== null) logger[event.level](event.message);
    } catch {
      // A logger that throws cannot be told so.
    }
    const hook = hooks[event.kind];
    if (hook === undefined) return;
    try {
      hook(publicEvent(event));
    } catch (err) {
      try {
        hookFailed(logger, debug, event.kind, err);
      } catch {
        // As above.
      }
    }
  };
}

/** The event as hooks see it (a plain object; absent values are null). */
function publicEvent(e) {
  return {
    kind: e.kind,
    level: e.level,
    message: e.message,
    operation: e.operation,
    method: e.method,
    path: e.path,
    attempt: e.attempt,
    maxAttempts: e.maxAttempts,
    status: e.status ?? null,
    error: e.error ?? null,
    requestId: e.requestId ?? null,
    durationMs: e.durationMs ?? null,
    delayMs: e.delayMs ?? null,
    operationIds: e.operationIds,
    pending: e.pending,
    total: e.total,
  };
}

module.exports = { split };
