'use strict';
// Docs in the IDE: generated/index.d.ts, read with the TypeScript parser the
// way an editor reads it. Every method of every namespace (its Sync twin and
// iterators too) has JSDoc with the spec's text, an `@param` for each of its
// parameters and `@returns`; model fields carry the spec's descriptions.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const DTS = path.resolve(__dirname, '..', 'generated', 'index.d.ts');
const text = fs.readFileSync(DTS, 'utf8');
const source = ts.createSourceFile(DTS, text, ts.ScriptTarget.Latest, true);

// What the spec (spec/generated/neon-openapi.yaml) says of a sample of operations.
const SAMPLE = {
  createProjectBranch: {
    summary: 'Create branch',
    description: 'Creates a branch in the specified project.',
    params: { projectId: 'The Neon project ID' },
  },
  listProjects: {
    summary: 'List projects',
    description: 'Retrieves a list of projects for the specified organization.',
    params: {},
  },
  getProjectBranchRolePassword: {
    summary: 'Retrieve role password',
    description: 'Retrieves the password for the specified Postgres role, if possible.',
    params: { projectId: 'The Neon project ID', branchId: 'The branch ID', roleName: 'The role name' },
  },
  listProjectBranches: {
    summary: 'List branches',
    description: 'Retrieves a list of branches for the specified project.',
    params: { projectId: 'The Neon project ID' },
  },
};

// operationId → [namespace, method], from docs/operations.md.
const names = {};
for (const line of fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8').split('\n')) {
  const m = /^\| `(\w+)`(?: \(deprecated\))? \| `\w+ [^`]+` \|(.*)$/.exec(line);
  if (m) names[m[1]] = m[2].split('|')[2].trim().replace(/`/g, '').split('.');
}

const classes = new Map();
for (const s of source.statements) {
  if (ts.isClassDeclaration(s) && s.name) classes.set(s.name.text, s);
}

/** The JSDoc of a declaration: its text and its tags (`[tag, name, comment]`), or null. */
function jsdocOf(node) {
  const docs = (node.jsDoc || []).filter((d) => ts.isJSDoc(d));
  if (docs.length === 0) return null;
  const doc = docs[docs.length - 1];
  return {
    text: ts.getTextOfJSDocComment(doc.comment) || '',
    tags: (doc.tags || []).map((t) => [
      t.tagName.text,
      t.name ? t.name.getText(source) : null,
      (ts.getTextOfJSDocComment(t.comment) || '').replace(/^- /, ''),
    ]),
  };
}

/** The methods of a namespace class (`BranchesApi`): name → [declaration, JSDoc]. */
function methods(className) {
  const cls = classes.get(className);
  assert.ok(cls, className);
  const out = new Map();
  for (const m of cls.members) {
    if (ts.isMethodDeclaration(m) && !out.has(m.name.text)) out.set(m.name.text, [m, jsdocOf(m)]);
  }
  return out;
}

// The class of a namespace property (`apiKeys` → `ApiKeysApi`).
const classOf = (ns) => `${ns[0].toUpperCase()}${ns.slice(1)}Api`;

test('index.d.ts parses without a syntax error (no description ends a comment early)', () => {
  const program = ts.createProgram([DTS], { noEmit: true, types: [] });
  const errors = program.getSyntacticDiagnostics(program.getSourceFile(DTS));
  assert.deepEqual(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
});

test("every namespace method, Sync twin and iterator has JSDoc, an @param per parameter and @returns", () => {
  let count = 0;
  for (const [className] of classes) {
    if (!className.endsWith('Api')) continue;
    for (const [name, [decl, doc]] of methods(className)) {
      if (name === 'wait' || name === 'waitSync') continue; // hand-written, documented in the template
      assert.ok(doc && doc.text.trim(), `${className}.${name} has no JSDoc`);
      const params = decl.parameters.map((p) => p.name.getText(source));
      const documented = doc.tags.filter((t) => t[0] === 'param');
      assert.deepEqual(documented.map((t) => t[1]), params, `${className}.${name}`);
      for (const [, p, comment] of documented) assert.ok(comment.trim(), `${className}.${name}: @param ${p} is empty`);
      assert.ok(doc.tags.some((t) => t[0] === 'returns' && t[2].trim()), `${className}.${name} has no @returns`);
      count += 1;
    }
  }
  // 180 calls and their Sync twins, and both iterators of each paginated operation.
  assert.ok(count >= 360, `${count} methods`);
});

test("a sample's JSDoc carries the spec's summary, description and parameter texts", () => {
  for (const [opId, want] of Object.entries(SAMPLE)) {
    const [ns, method] = names[opId];
    const all = methods(classOf(ns));
    const forms = [method, `${method}Sync`];
    if (method === 'list') forms.push('iter', 'iterSync');
    for (const form of forms) {
      const [, doc] = all.get(form) || [];
      assert.ok(doc, `${ns}.${form}`);
      assert.ok(doc.text.includes(want.summary), `${ns}.${form}: summary`);
      assert.ok(doc.text.includes(want.description), `${ns}.${form}: description\n${doc.text}`);
      assert.ok(doc.text.includes(`(${opId})`), `${ns}.${form}: operationId`);
      const params = Object.fromEntries(doc.tags.filter((t) => t[0] === 'param').map((t) => [t[1], t[2]]));
      for (const [p, desc] of Object.entries(want.params)) assert.equal(params[p], desc, `${ns}.${form} @param ${p}`);
      if (form.endsWith('Sync')) assert.match(doc.text, /Blocking form of `\w+`/);
      if (form.startsWith('iter')) assert.ok(doc.text.startsWith('Every `'), `${ns}.${form} says what it walks`);
    }
  }
  const [, create] = methods('BranchesApi').get('create');
  const params = Object.fromEntries(create.tags.filter((t) => t[0] === 'param').map((t) => [t[1], t[2]]));
  assert.match(params.body, /`CreateProjectBranchRequest`.*`endpoints`/);
  assert.match(params.options, /`wait: false`/);
  assert.match(create.text, /Waits for the operations it starts/);
  const [, list] = methods('ProjectsApi').get('list');
  const query = list.tags.find((t) => t[0] === 'param' && t[1] === 'query')[2];
  for (const q of ['cursor', 'limit', 'search', 'org_id']) assert.ok(query.includes(`\`${q}\``), q);
});

test("model fields and query parameters carry the spec's descriptions", () => {
  const iface = (name) => source.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
  const field = (i, name) => {
    const m = iface(i).members.find((x) => x.name && x.name.getText(source) === name);
    return jsdocOf(m)?.text || '';
  };
  assert.match(field('Branch', 'parent_lsn'), /^The Log Sequence Number \(LSN\) on the parent branch from which this branch was created\./);
  assert.match(field('Branch', 'id'), /^The branch ID\./);
  assert.match(field('ListProjectsQuery', 'limit'), /^Specify a value from 1 to 400 to limit number of projects in the response\./);
  assert.match(field('ListProjectsQuery', 'org_id'), /Defaults to the client's `orgId`\./);
  // Every field the spec describes is documented: a sample of interfaces has JSDoc on most fields.
  let fields = 0;
  let documented = 0;
  for (const s of source.statements) {
    if (!ts.isInterfaceDeclaration(s)) continue;
    for (const m of s.members) {
      fields += 1;
      if (jsdocOf(m)) documented += 1;
    }
  }
  assert.ok(documented > fields / 2, `${documented} of ${fields} fields documented`);
});
