// One benchmark figure for one Node client, printed as a JSON line.
//
//   node bench_client.mjs CLIENT OP CONCURRENCY (SECONDS | --calls N) BASE_URL API_KEY PROJECT_ID
//
// CLIENT: neonkit, api-client (@neondatabase/api-client), neon-sdk (@neon/sdk), fetch.
// OP: get | list. CONCURRENCY promises in flight.

const [client, op, concArg, a4, a5, ...rest] = process.argv.slice(2);
const conc = Number(concArg);
let budget = null;
let seconds = null;
let args;
if (a4 === '--calls') {
  budget = Number(a5);
  args = rest;
} else {
  seconds = Number(a4);
  args = [a5, ...rest];
}
const [baseUrl, apiKey, projectId] = args;

async function make() {
  if (client === 'neonkit') {
    const { NeonClient } = await import('neonkit');
    const c = new NeonClient({ apiKey, baseUrl });
    return {
      get: async () => (await c.projects.get(projectId)).project.id,
      list: async () => (await c.projects.list({ limit: 400 })).projects.length,
    };
  }
  if (client === 'api-client') {
    const { createApiClient } = await import('@neondatabase/api-client');
    const c = createApiClient({ apiKey, baseURL: baseUrl });
    return {
      get: async () => (await c.getProject(projectId)).data.project.id,
      list: async () => (await c.listProjects({ limit: 400 })).data.projects.length,
    };
  }
  if (client === 'neon-sdk') {
    const { createNeonClient } = await import('@neon/sdk');
    const c = createNeonClient({ apiKey, baseUrl, throwOnError: true });
    return {
      get: async () => (await c.projects.get({ projectId })).id,
      // one page of up to 400 projects (the same single request as the other clients)
      list: async () => (await c.projects.list({ limit: 400 }).page()).items.length,
    };
  }
  if (client === 'fetch') {
    const headers = { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' };
    return {
      get: async () => (await (await fetch(`${baseUrl}/projects/${projectId}`, { headers })).json()).project.id,
      list: async () => (await (await fetch(`${baseUrl}/projects?limit=400`, { headers })).json()).projects.length,
    };
  }
  throw new Error(`unknown client ${client}`);
}

const fns = await make();
const fn = fns[op];
let count = 0;
const start = performance.now();
const deadline = seconds ? start + seconds * 1000 : null;
function take() {
  if (budget !== null && count >= budget) return false;
  if (deadline !== null && performance.now() >= deadline) return false;
  count += 1;
  return true;
}
async function worker() {
  while (take()) {
    const r = await fn();
    if (!r) throw new Error('empty result');
  }
}
await Promise.all(Array.from({ length: conc }, worker));
const elapsed = (performance.now() - start) / 1000;
console.log(JSON.stringify({ calls: count, seconds: elapsed }));
