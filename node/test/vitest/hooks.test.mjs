// vitest with its default `globals: false`: useEmulator takes the hooks imported from 'vitest'.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Emulator, useEmulator } from 'neonkit/testing';

describe('useEmulator under vitest (hooks given)', () => {
  const neon = useEmulator({ operationDurationMs: 0, hooks: { beforeAll, afterAll, beforeEach } });
  let baseUrl;

  test('a running emulator and a client of it', async () => {
    expect(neon.emulator).toBeInstanceOf(Emulator);
    baseUrl = neon.emulator.baseUrl;
    await neon.client.projects.create({ project: { name: 'vitest' } });
    expect((await neon.client.projects.list()).projects).toHaveLength(1);
  });

  test('the next test starts empty, on the same emulator', async () => {
    expect(neon.emulator.baseUrl).toBe(baseUrl);
    expect((await neon.client.projects.list()).projects).toEqual([]);
  });
});

test('without globals and without hooks, useEmulator says what to pass', () => {
  expect(() => useEmulator()).toThrow(/vitest has no global hooks here .*imported from 'vitest'/);
});
