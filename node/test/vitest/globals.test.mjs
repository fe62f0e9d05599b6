// vitest with `globals: true` (node/test.sh runs this file with --globals): useEmulator() finds the hooks itself.
import { useEmulator } from 'neonkit/testing';

const neon = useEmulator({ operationDurationMs: 0 });

test('registered on the global beforeAll/afterAll/beforeEach', async () => {
  await neon.client.projects.create({ project: { name: 'globals' } });
  expect((await neon.client.projects.list()).projects).toHaveLength(1);
});

test('and reset before each test', async () => {
  expect((await neon.client.projects.list()).projects).toEqual([]);
});
