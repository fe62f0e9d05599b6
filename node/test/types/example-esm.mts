// The same package from an ES module.
import { NeonClient, NotFoundError, type Project } from 'neonkit';
import { startEmulator } from 'neonkit/testing';

const emu = await startEmulator();
const client = new NeonClient({ apiKey: emu.apiKey, baseUrl: emu.baseUrl });
const { project }: { project: Project } = await client.projects.create({ project: { name: 'esm' } });
const err: unknown = await client.projects.get('missing-esm').catch((e: unknown) => e);
console.log(project.id, err instanceof NotFoundError);
await emu.stop();
