// A typed example: `tsc -p test/types/tsconfig.json` (strict) must accept it.
import {
  NeonClient, NeonError, NotFoundError, LockedError, type Branch, type ProjectListItem,
  type EndpointType, type ListProjectsQuery, type Operation, type ErrorKind, type NeonEvent,
  type EnsuredBranch, type BranchConnection, type BranchesEnsureOptions,
} from 'neonkit';
import { startEmulator, type Emulator } from 'neonkit/testing';

/** `await using` stops the emulator at the end of the scope (Symbol.asyncDispose is typed). */
async function disposable(): Promise<string> {
  await using scoped = await startEmulator();
  return scoped.baseUrl;
}

async function main(): Promise<void> {
  const scopedUrl: string = await disposable();
  void scopedUrl;
  const emu: Emulator = await startEmulator({ operationDurationMs: 10 });
  const retries: NeonEvent[] = [];
  const client = new NeonClient({
    apiKey: emu.apiKey, baseUrl: emu.baseUrl, timeoutMs: 30_000, maxRetries: 3, userAgent: 'typed-example/1.0',
    onRetry: (e) => { const delay: number | null = e.delayMs; if (delay !== null) retries.push(e); },
    onResponse: (e: NeonEvent) => { const status: number | null = e.status; void status; },
  });
  // A logger is console, pino or anything with debug, info and warn.
  const logged = new NeonClient({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, logger: { debug() {}, info() {}, warn: console.warn } });
  void logged;

  const created = await client.projects.create({ project: { name: 'typed', region_id: 'aws-us-east-2' } });
  const projectId: string = created.project.id;
  const ops: Operation[] = created.operations;

  const type: EndpointType = 'read_write';
  const custom: EndpointType = 'some_future_type'; // enums accept unknown strings
  const b = await client.branches.create(projectId, { branch: { name: 'dev' }, endpoints: [{ type }] });
  const branch: Branch = b.branch;
  const parent: string | undefined = branch.parent_id;

  const query: ListProjectsQuery = { limit: 10 };
  const page = await client.projects.list(query);
  const first: ProjectListItem | undefined = page.projects[0];

  for await (const p of client.projects.iter({ limit: 2 })) {
    const name: string = p.name;
    void name;
  }

  for (const b2 of client.branches.iterSync(projectId, { limit: 5 })) {
    const id: string = b2.id;
    void id;
  }

  const noWait = await client.branches.create(projectId, { branch: { name: 'later' } }, { wait: false });
  const done: Operation[] = await client.operations.wait(noWait);
  await client.operations.wait(projectId, noWait.operations.map((o) => o.id), { signal: AbortSignal.timeout(5000) });

  const sync = client.projects.getSync(projectId);
  const syncName: string = sync.project.name;

  try {
    await client.projects.get('missing-project');
  } catch (e) {
    if (e instanceof NotFoundError) {
      const status: number | null = e.status;
      const rid: string | null = e.requestId;
      void status; void rid;
    } else if (e instanceof LockedError || e instanceof NeonError) {
      const kind: ErrorKind = e.kind;
      void kind;
    }
  }

  await client.roles.create(projectId, branch.id, { role: { name: 'app' } });
  const pw = await client.roles.getPassword(projectId, branch.id, 'app');
  const password: string = pw.password;
  const revoked = await client.apiKeys.revoke(123).catch((e: unknown) => e);
  if (!(revoked instanceof NotFoundError)) throw new Error('revoking a missing key must fail with NotFoundError');
  const orgs = await client.users.listOrganizations();
  const orgId: string = orgs.organizations[0]?.id ?? 'org-none';
  const usage = await client.consumption.getHistoryPerProjectV2({ org_id: orgId, from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z', granularity: 'daily', metrics: ['compute_unit_seconds'] });
  void usage;
  // A timestamp query parameter takes a Date too (sent as its ISO text).
  const since: Date = new Date(Date.UTC(2024, 0, 1));
  const usageByDate = await client.consumption.getHistoryPerProjectV2({ org_id: orgId, from: since, to: new Date(), granularity: 'daily', metrics: ['compute_unit_seconds'] });
  void usageByDate;

  // Workflows: required arguments positional, the optional ones by their snake_case names.
  const ensureOptions: BranchesEnsureOptions = { parent_id: branch.id, compute: false, signal: AbortSignal.timeout(5000) };
  const ensured: EnsuredBranch = await client.branches.ensure(projectId, 'preview', ensureOptions);
  const created2: boolean = client.branches.ensureSync(projectId, 'preview').created;
  const uri: string = await client.connectionString(projectId, { branch_id: branch.id, role: 'app', pooled: false });
  const connected: BranchConnection = client.branches.createAndConnectSync(projectId, { name: 'wf', endpoint: { suspend_timeout_seconds: 300 } });
  const conn: string | undefined = connected.connection_string;
  const defaultBranch: Branch = await client.branches.getDefault(projectId);

  // Only compiled, never run: what the types must reject.
  const rejected = (): void => {
    // @ts-expect-error: the workflow's options are snake_case, as its yaml names them
    void client.branches.ensure(projectId, 'x', { parentId: 'br-x' });
    // @ts-expect-error: a Sync form takes no signal
    void client.branches.ensureSync(projectId, 'x', { signal: AbortSignal.timeout(1) });
    // @ts-expect-error: pooled is a boolean
    void client.connectionString(projectId, { pooled: 'yes' });
    // @ts-expect-error: a body is required
    void client.projects.create();
    // @ts-expect-error: project ids are strings
    void client.projects.get(42);
    // @ts-expect-error: unknown query parameter
    void client.projects.list({ limitt: 1 });
    // @ts-expect-error: a string query parameter takes no number
    void client.projects.list({ search: 42 });
    // @ts-expect-error: an integer query parameter takes no string
    void client.projects.list({ limit: '10' });
    // @ts-expect-error: branch ids are strings
    void client.branches.getSync(projectId, 7);
  };
  void rejected;

  console.log(ops.length, custom, parent, first?.id, done.length, syncName, password.length > 0);
  console.log(ensured.created, created2, uri.startsWith('postgresql://'), conn !== undefined, defaultBranch.default);
  await emu.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
