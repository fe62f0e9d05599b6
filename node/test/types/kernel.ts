// The kernel's surface, typed: withOptions, responseOf, the raw call, the
// vocabulary's error classes (`tsc -p test/types/tsconfig.json`, strict, must accept it).
import {
  NeonClient, RawResponse, responseOf, AuthenticationError, PermissionDeniedError, RateLimitError, NeonRuntimeError,
  ConfigError, type ResponseInfo, type WithOptions, type ClientOptions,
} from 'neonkit';
import { startEmulator, type EmulatorOptions } from 'neonkit/testing';

async function main(): Promise<void> {
  const emulatorOptions: EmulatorOptions = { operationDurationMs: 0, port: 0 };
  const emu = await startEmulator(emulatorOptions);
  const options: ClientOptions = { maxRetries: 0, waitForOperations: true, waitPollIntervalMs: 10, waitMaxPollIntervalMs: 100 };
  const client = emu.client(options);
  const call: WithOptions = { timeoutMs: 5_000, headers: { 'X-Request-Id': 'typed-trace' } };
  const traced: NeonClient = client.withOptions(call);
  const list = await traced.projects.list();
  const info: ResponseInfo | null = responseOf(list);
  const requestId: string | null = info === null ? null : info.requestId;
  const raw: RawResponse = await client.request('GET', '/projects', { query: { limit: 1 } });
  const status: number = raw.status;
  const body = raw.json<{ projects: unknown[] }>();
  const sync: RawResponse = client.requestSync('GET', '/projects');
  const classes = [AuthenticationError, PermissionDeniedError, RateLimitError, NeonRuntimeError, ConfigError].map((c) => c.name);
  console.log(requestId, status, body.projects.length, sync.header('content-type'), emu.port > 0, classes.join(' '));
  await emu.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
