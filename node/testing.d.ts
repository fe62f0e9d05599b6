import { ClientOptions, NeonClient } from './index';

/** The emulator's options, under the names of spec/vocabulary.yaml; the core checks them (a bad one rejects with a `ConfigError`). */
export interface EmulatorOptions {
  /** The port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** The key the emulator accepts (default `neonkit-dev-key`). */
  apiKey?: string;
  /** How long operations take to go scheduling → running → finished (default 20; 0 = at once). */
  operationDurationMs?: number;
  /** `423 Locked` while a conflicting operation runs (default true). */
  locking?: boolean;
  /** Neon's rate limits (default false). */
  rateLimits?: boolean;
  /** Latency added to every response. */
  latencyMs?: number;
  /** Deterministic ids and faults. */
  seed?: number;
  /** Closes keep-alive connections idle for longer than this, as load balancers do. */
  idleTimeoutMs?: number;
  /**
   * A real PostgreSQL behind the API (default false): a private cluster on this machine's binaries
   * (Debian/Ubuntu: `apt-get install postgresql`; missing, startEmulator rejects with a `NeonRuntimeError`
   * naming the package), real roles and databases per branch, branches that copy their parent's data,
   * connection URIs that connect (`127.0.0.1`, `sslmode=disable`).
   */
  postgres?: boolean;
  /** Attach to this running PostgreSQL server (`postgresql://user:password@host:port/db`) instead; implies `postgres`. Never shown. */
  postgresUrl?: string;
  /** With `postgres`: no PgBouncer even when it is installed (the pooled URIs are then the server's own). */
  noPooler?: boolean;
  /**
   * Keeps the emulator's state in this file across restarts: loaded at start when it exists, written
   * shortly after each change and on stop. With `postgres` the private cluster's data stays beside it
   * (`FILE.pgdata`). A file another version wrote, or a damaged one, rejects with a `NeonRuntimeError`
   * and nothing of it is used.
   */
  stateFile?: string;
}

export interface Fault {
  /** The operationId to aim at; omitted = every route. */
  operation_id?: string;
  kind: 'status' | 'drop_connection' | 'truncate_body' | 'latency' | 'fail_operation' | 'merge_body';
  status?: number;
  retry_after?: string;
  ms?: number;
  error?: string;
  /** status / drop_connection: handle the request first (what it makes is applied), then fail its answer. */
  after_handling?: boolean;
  /**
   * merge_body: the request is handled, then a 2xx JSON answer is JSON-merge-patched (RFC 7386)
   * with this (objects merge, `null` deletes a key, anything else replaces), e.g.
   * `{ endpoint: { current_state: 'hibernating' } }` for an enum value the spec does not list.
   */
  body?: unknown;
  /** Apply to the next N matching requests; omitted = until cleared. */
  times?: number;
}

/** A branch a fixture seeds: the API's `Branch` fields a fixture may set, and what it holds. */
export interface BranchFixture {
  id?: string;
  name?: string;
  /** An earlier branch of the same project, by id or by name. */
  parent_id?: string;
  parent_lsn?: string;
  parent_timestamp?: string;
  default?: boolean;
  protected?: boolean;
  expires_at?: string;
  init_source?: string;
  logical_size?: number;
  created_at?: string;
  updated_at?: string;
  /** Left out: a root branch gets `neondb` (owned by `neondb_owner`), a child its parent's. */
  databases?: Array<{ id?: number; name: string; owner_name?: string; created_at?: string; updated_at?: string }>;
  roles?: Array<{ name: string; password?: string; protected?: boolean; created_at?: string; updated_at?: string }>;
  /** Left out: one read-write endpoint; `[]` for none. */
  endpoints?: Array<{
    id?: string;
    name?: string;
    type?: 'read_write' | 'read_only';
    autoscaling_limit_min_cu?: number;
    autoscaling_limit_max_cu?: number;
    suspend_timeout_seconds?: number;
    pooler_enabled?: boolean;
    disabled?: boolean;
    passwordless_access?: boolean;
    provisioner?: string;
    settings?: Record<string, unknown>;
    current_state?: 'active' | 'idle';
    created_at?: string;
    updated_at?: string;
  }>;
}

/** A project a fixture seeds, in the API's field names; what it leaves out is what the API would make. */
export interface ProjectFixture {
  id?: string;
  name?: string;
  region_id?: string;
  pg_version?: number;
  provisioner?: string;
  store_passwords?: boolean;
  history_retention_seconds?: number;
  settings?: Record<string, unknown>;
  default_endpoint_settings?: Record<string, unknown>;
  org_id?: string;
  created_at?: string;
  updated_at?: string;
  /** Left out: the default branch `main`. */
  branches?: BranchFixture[];
  operations?: Array<{
    id?: string;
    /** A branch of the project, by id or by name. */
    branch_id?: string;
    /** An endpoint of the project, by id or by name. */
    endpoint_id?: string;
    action: string;
    status?: 'finished' | 'failed' | 'running' | 'scheduling';
    error?: string;
    created_at?: string;
    total_duration_ms?: number;
  }>;
}

/** What `seed` takes: the body of the emulator's `POST /_emulator/fixtures`. */
export interface Fixture {
  projects?: ProjectFixture[];
}

/** What `seed` returns: the ids the emulator gave (or the fixture named), in the fixture's order. */
export interface Seeded {
  projects: Array<{ id: string; name: string; branches: Array<{ id: string; name: string; endpoint_ids: string[] }> }>;
}

/** A running emulator on 127.0.0.1. */
export declare class Emulator {
  /** `http://127.0.0.1:PORT/api/v2` */
  readonly baseUrl: string;
  /** The port it listens on. */
  readonly port: number;
  readonly apiKey: string;
  /** A NeonClient for this emulator. */
  client(options?: ClientOptions): NeonClient;
  addFault(fault: Fault): void;
  clearFaults(): void;
  /**
   * Seeds projects with their branches, databases, roles, endpoints and operations (timestamps may lie in the past).
   * All or nothing: a fixture that does not match the spec's schemas throws an `InvalidArgumentError` naming the bad
   * field's path (`$.projects[0].branches[1].created_at: …`).
   */
  seed(fixture: Fixture | string): Seeded;
  /** Empties all state (projects, faults, counters); the clock goes back to the real time. */
  reset(): void;
  /**
   * Sets the emulator's clock, where every timestamp it writes comes from (`created_at`, `updated_at`, operation
   * times, …). It runs on from there; operation durations stay on real time. Returns the clock's time.
   */
  setClock(when: Date | string): Date;
  /** Moves the emulator's clock forward by `seconds` (zero or more). Returns the clock's time. */
  advanceClock(seconds: number): Date;
  /** Puts the emulator's clock back on the real time (`reset()` does too). Returns its time. */
  realClock(): Date;
  /** The emulator's clock now. */
  clock(): Date;
  requestCount(operationId: string): number;
  /** Changes, while it runs, what can change (any other option rejects with a `ConfigError`). */
  configure(options: Pick<EmulatorOptions, 'operationDurationMs' | 'locking' | 'rateLimits' | 'latencyMs'>): Promise<void>;
  stop(): Promise<void>;
  /** `await using emu = await startEmulator()` stops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the neonkit emulator in this process.
 *
 * ```ts
 * await using emu = await startEmulator({ operationDurationMs: 0 }); // stopped at the end of the scope
 * const made = await emu.client().projects.create({ project: { name: 't' } });
 * ```
 * (`await using` needs Node 24+, or TypeScript 5.2+ with `lib: ["esnext.disposable"]`; else `await emu.stop()`.)
 */
export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>;

/** Registers a hook of a test runner: node:test's `before`, jest's and vitest's `beforeAll`, … */
export type TestHook = (fn: () => Promise<void>) => unknown;

/**
 * The runner's hooks for {@link useEmulator}: `{ before, after, beforeEach }` from `node:test` (or mocha),
 * `{ beforeAll, afterAll, beforeEach }` from `vitest` or `@jest/globals`. A whole module works too
 * (`hooks: await import('vitest')`).
 */
export type TestHooks =
  | { before: TestHook; after: TestHook; beforeEach: TestHook }
  | { beforeAll: TestHook; afterAll: TestHook; beforeEach: TestHook };

/** What {@link useEmulator} takes: the emulator's options, plus the hooks and the client's options. */
export interface UseEmulatorOptions extends EmulatorOptions {
  /**
   * The runner's hooks. Omitted: the globals of jest, vitest (`globals: true`) or mocha, else node:test's.
   * Needed with vitest's default `globals: false`.
   */
  hooks?: TestHooks;
  /** Options of {@link EmulatorFixture.client} (those of `NeonClient`; the key and base URL are the emulator's). */
  clientOptions?: ClientOptions;
}

/** The emulator of a suite that called {@link useEmulator}; read its fields inside tests and hooks. */
export interface EmulatorFixture {
  /** The suite's running emulator, reset before each test. Throws outside the suite's tests and hooks. */
  readonly emulator: Emulator;
  /** A NeonClient of it, made for each test (with `clientOptions`). Throws outside the suite's tests and hooks. */
  readonly client: NeonClient;
}

/**
 * Starts an emulator for the suite it is called in (a file, or a `describe` block) in a before/beforeAll hook, resets it
 * before each of its tests (no projects, faults or counters; the clock on the real time; what `configure` changed put
 * back), and stops it after the suite.
 *
 * ```ts
 * import { test, before, after, beforeEach } from 'node:test';
 * import { useEmulator } from 'neonkit/testing';
 *
 * const neon = useEmulator({ operationDurationMs: 0, hooks: { before, after, beforeEach } });
 *
 * test('creates a project', async () => {
 *   await neon.client.projects.create({ project: { name: 'app' } });
 *   neon.emulator.addFault({ operation_id: 'listProjects', kind: 'status', status: 503, times: 1 });
 * });
 * ```
 * Under jest, or vitest with `globals: true`, `useEmulator()` finds the hooks itself; with vitest's default
 * pass `{ hooks: { beforeAll, afterAll, beforeEach } }` from `'vitest'`. Hooks it cannot use throw an
 * `InvalidArgumentTypeError` (a `TypeError`) saying what to pass.
 */
export declare function useEmulator(options?: UseEmulatorOptions): EmulatorFixture;
