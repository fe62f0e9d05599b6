// The package's types: everything generated from the spec and spec/vocabulary.yaml
// (generated/index.d.ts), and, here, the client options that are functions and
// objects (logs and hooks: lib/events.js), which the vocabulary does not describe.
export * from './generated/index';

/** One thing a client did: what the hooks receive, and what the logger is given (`message`, at `level`). */
export interface NeonEvent {
  /** `request` (an attempt is about to be sent), `response` (it ended), `retry` (it will be sent again), `wait` (an operation wait polled). */
  readonly kind: 'request' | 'response' | 'retry' | 'wait';
  /** The level of the log line: `info` for retries, `debug` for the rest. */
  readonly level: 'debug' | 'info';
  /** The log line, the same text in every neonkit language; never holds a secret. */
  readonly message: string;
  /** The operationId of the call (`request` for the raw call). */
  readonly operation: string;
  /** `GET`, `POST`, …; empty for a wait. */
  readonly method: string;
  /** The path template (`/projects/{project_id}`), never the filled path; `(raw)` for the raw call. */
  readonly path: string;
  /** The attempt (1 for the first send); for a retry the attempt about to be made; for a wait the poll (0: the operations as the call returned them). */
  readonly attempt: number;
  /** The most attempts the call may make (retries + 1); 0 for a wait. */
  readonly maxAttempts: number;
  /** The HTTP status, when the server answered. */
  readonly status: number | null;
  /** When no answer came: `connect` (no connection was made), `timeout` or `connection` (it broke). */
  readonly error: string | null;
  /** The response's request id. */
  readonly requestId: string | null;
  /** How long the attempt took (responses). */
  readonly durationMs: number | null;
  /** The pause before the next attempt (retries) or poll (waits). */
  readonly delayMs: number | null;
  /** The operations still pending (waits). */
  readonly operationIds: string[];
  /** How many operations are still pending (waits). */
  readonly pending: number;
  /** How many operations the wait is for (waits). */
  readonly total: number;
}

/** What the `logger` option takes: `console`, a pino logger, or anything with these methods. */
export interface NeonLogger {
  debug(message: string): unknown;
  info(message: string): unknown;
  warn(message: string): unknown;
  /** Asked once, when the client is made (pino has it): levels it does not write cost nothing. */
  isLevelEnabled?(level: string): boolean;
}

/** A hook: it observes (it cannot change or stop the call); one that throws is logged and ignored. */
export type NeonHook = (event: NeonEvent) => void;

/**
 * The client options for logs and hooks. Whether anything listens (a logger, a hook, `NODE_DEBUG=neonkit`) is
 * decided when the client is made: with nothing, the core makes no events and no JS is called per request.
 */
export interface EventOptions {
  /** Gets every event's line: `debug` for requests, responses and waits, `info` for retries; `warn` for a hook that threw. */
  logger?: NeonLogger;
  /** Before each attempt is sent. */
  onRequest?: NeonHook;
  /** When an attempt ends (a status, or `error` when no answer came). */
  onResponse?: NeonHook;
  /** Before a failed attempt is sent again (`status` or `error` says why; `delayMs`). */
  onRetry?: NeonHook;
  /** Each time an operation wait looks at its operations. */
  onWait?: NeonHook;
}

declare module './generated/index' {
  interface ClientOptions extends EventOptions {}
}
