// neonkit/testing in a typed node:test file: `tsc -p test/types/tsconfig.testing.json` (strict) compiles it and
// node/test.sh runs the output with `node --test`. useEmulator's handle is typed; `await using` stops an emulator.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkError, type NeonClient } from 'neonkit';
import { startEmulator, useEmulator, type Emulator, type EmulatorFixture } from 'neonkit/testing';

describe('projects', () => {
  const neon: EmulatorFixture = useEmulator({ operationDurationMs: 0, hooks: { before, after, beforeEach } });

  test('creates one', async () => {
    const client: NeonClient = neon.client;
    const { project } = await client.projects.create({ project: { name: 'typed' } });
    assert.equal(project.name, 'typed');
  });

  test('starts empty', async () => {
    const emu: Emulator = neon.emulator;
    assert.equal(emu.requestCount('createProject'), 0);
    assert.deepEqual((await neon.client.projects.list()).projects, []);
  });
});

test('await using stops the emulator at the end of its scope', async () => {
  let client: NeonClient;
  {
    await using emu = await startEmulator();
    client = emu.client({ maxRetries: 0 });
    await client.projects.list();
  }
  await assert.rejects(client.projects.list(), NetworkError);
});
