/**
 * "One folder is one provider": outside `src/providers/`, code reaches a provider only through the registry
 * (`src/providers/index.ts`) and the adapter type (`src/providers/types.ts`). This test reads every source file with
 * the TypeScript parser and fails when a file outside `src/providers/` imports a concrete provider's folder, or names
 * a concrete cloud in code (an identifier, a string, a template or a regular expression; comments and prose strings
 * such as help examples do not count).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import test from 'ava';
import ts from 'typescript';
import { providers } from '../../src/providers/index.js';
import { ROOT } from '../helpers/cli.js';

const SRC = join(ROOT, 'src');

/**
 * The words that name each cloud in code: the adapter's name, the vendor, its identity service and its Terraform
 * providers' type prefixes. Matched against whole words, after identifiers are split at camelCase and `_`
 * (`normalizeAwsBundles`, `AWS_OPERATIONS`, `azurerm_role_assignment` and `'gcp:account'` all name a cloud).
 */
const CLOUD_WORDS: Record<string, string[]> = {
  aws: ['aws', 'amazon'],
  azure: ['azure', 'azurerm', 'azuread', 'azapi', 'entra', 'microsoft'],
  gcp: ['gcp', 'google', 'gcloud'],
};

/**
 * The files outside src/providers that still reach into a provider today, and what each does (`import:<provider>`:
 * imports that provider's folder; `name:<cloud>`: names that cloud in code). They are to move behind the adapter
 * type (detection rules and readers per cloud, the OCSF cloud names, the snapshot schema's provider names), and the
 * list only shrinks: a file that no longer does what is listed fails this test until its entry is removed, and
 * anything not listed (a new file, or a listed file reaching a further provider) fails it too. src/whatif/ has none.
 */
const PRESENT_EXCEPTIONS: Record<string, string[]> = {};

/** Every .ts file under src/, as a path relative to the repository with `/`. */
async function sourceFiles(dir = SRC): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(relative(ROOT, path).split(sep).join('/'));
  }
  return out;
}

/** The words of an identifier or literal: split at non-letters and at camelCase humps, lower-cased. */
function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/**
 * What a source file (path relative to the repository) does that crosses the boundary: the concrete providers whose
 * folders it imports (`import:aws`) and the clouds it names in code (`name:azure`), sorted.
 */
function boundaryCrossings(
  file: string,
  text: string,
  concrete: string[],
  words: Record<string, string[]> = CLOUD_WORDS,
): string[] {
  const found = new Set<string>();
  const cloudOf = new Map<string, string>();
  for (const [cloud, list] of Object.entries(words)) for (const word of list) cloudOf.set(word, cloud);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers = new Set<ts.Node>();
  const imported = (literal: ts.Node | undefined) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    specifiers.add(literal);
    if (!literal.text.startsWith('.')) return;
    const target = relative(ROOT, resolve(ROOT, dirname(file), literal.text))
      .split(sep)
      .join('/');
    const match = /^src\/providers\/([^/]+)\//.exec(target);
    if (match && concrete.includes(match[1]!)) found.add(`import:${match[1]}`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      imported(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      imported(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) imported(node.argument.literal);
    let text: string | undefined;
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) text = node.text;
    else if (ts.isRegularExpressionLiteral(node)) text = node.text;
    // Prose (a string with a space: help text, a message, a hint) may name a cloud as an example; a word, key, prefix
    // or uid (`'aws'`, `'azurerm_'`, `` `gcp:${org}` ``) is the code depending on that cloud.
    else if (
      (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) &&
      !specifiers.has(node) &&
      !/\s/.test(node.text)
    )
      text = node.text;
    for (const word of text === undefined ? [] : wordsOf(text)) {
      const cloud = cloudOf.get(word);
      if (cloud) found.add(`name:${cloud}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found].sort();
}

/** The registered providers that have a folder here (not the ones CLOUDWARD_PROVIDER_MODULES adds). */
async function concreteProviders(): Promise<string[]> {
  const folders = new Set(
    (await readdir(join(SRC, 'providers'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
  );
  return providers.map((p) => p.name).filter((name) => folders.has(name));
}

test('the scanner finds a provider import and a cloud named in code, and not in comments, kits or the registry', (t) => {
  const concrete = ['aws', 'azure', 'gcp', 'linux'];
  const code = [
    "import { providers } from '../providers/index.js';",
    "import type { RawBundle } from '../providers/types.js';",
    "import { attempt } from '../providers/cloud/attempt.js';",
    '// the AWS, Azure and Google projectors are registered by their adapters',
    '/** aws_iam_user and azurerm_role_assignment */',
    'export const n = providers.length;',
  ].join('\n');
  t.deepEqual(boundaryCrossings('src/whatif/x.ts', code, concrete), []);
  t.deepEqual(
    boundaryCrossings('src/whatif/x.ts', "import { importDocuments } from '../providers/aws/import.js';", concrete),
    ['import:aws'],
  );
  t.deepEqual(
    boundaryCrossings('src/whatif/x.ts', "export { importAwsDocuments } from '../providers/aws/import.js';", concrete),
    ['import:aws', 'name:aws'],
  );
  t.deepEqual(
    boundaryCrossings('src/whatif/x.ts', "export const m = () => import('../providers/linux/index.js');", concrete),
    ['import:linux'],
  );
  t.deepEqual(
    boundaryCrossings(
      'src/whatif/x.ts',
      "export type T = import('../providers/gcp/documents.js').IamPolicy;",
      concrete,
    ),
    ['import:gcp'],
  );
  t.deepEqual(
    boundaryCrossings('src/whatif/x.ts', "export const owns = (type: string) => type.startsWith('aws_');", concrete),
    ['name:aws'],
  );
  t.deepEqual(boundaryCrossings('src/whatif/x.ts', 'export const re = /^(azurerm|azuread)_/;', concrete), [
    'name:azure',
  ]);
  t.deepEqual(boundaryCrossings('src/whatif/x.ts', 'export const normalizeGcpBundles = 1;', concrete), ['name:gcp']);
  t.deepEqual(boundaryCrossings('src/whatif/x.ts', 'export const key = `${x}:GOOGLE`;', concrete), ['name:gcp']);
  // Words that only contain a cloud's letters are not its name.
  t.deepEqual(boundaryCrossings('src/whatif/x.ts', "export const laws = 'central,entrance,draws';", concrete), []);
  // Prose may name a cloud as an example; a word, key or uid in a string is code.
  t.deepEqual(
    boundaryCrossings('src/whatif/x.ts', "export const hint = 'e.g. `cloudward collect aws --raw-out DIR`';", concrete),
    [],
  );
  t.deepEqual(boundaryCrossings('src/whatif/x.ts', "export const isAzure = (p: string) => p === 'azure';", concrete), [
    'name:azure',
  ]);
});

test('every cloud adapter in the tree has the words that name it', async (t) => {
  const concrete = await concreteProviders();
  const clouds = providers
    .filter((p) => concrete.includes(p.name) && p.ocsfCloudProvider !== undefined)
    .map((p) => p.name);
  t.true(clouds.length > 0);
  t.deepEqual(
    clouds.filter((name) => CLOUD_WORDS[name] === undefined),
    [],
    'add the words that name it to CLOUD_WORDS',
  );
});

test('outside src/providers, only the present exceptions import a provider folder or name a cloud in code', async (t) => {
  const concrete = await concreteProviders();
  const found: Record<string, string[]> = {};
  for (const file of await sourceFiles()) {
    if (file.startsWith('src/providers/')) continue;
    const crossings = boundaryCrossings(file, await readFile(join(ROOT, file), 'utf8'), concrete);
    if (crossings.length > 0) found[file] = crossings;
  }
  const fresh: string[] = [];
  const gone: string[] = [];
  for (const [file, crossings] of Object.entries(found)) {
    for (const c of crossings) if (!(PRESENT_EXCEPTIONS[file] ?? []).includes(c)) fresh.push(`${file}: ${c}`);
  }
  for (const [file, allowed] of Object.entries(PRESENT_EXCEPTIONS)) {
    for (const c of allowed) if (!(found[file] ?? []).includes(c)) gone.push(`${file}: ${c}`);
  }
  t.deepEqual(
    fresh,
    [],
    'reach the provider through the registry (src/providers/index.ts) and the adapter type, or move this code into the provider folder',
  );
  t.deepEqual(gone, [], 'these no longer cross the boundary: remove them from PRESENT_EXCEPTIONS');
  t.deepEqual(
    Object.keys(PRESENT_EXCEPTIONS).filter((f) => f.startsWith('src/whatif/')),
    [],
    'what-if reads its providers from the registry',
  );
});
