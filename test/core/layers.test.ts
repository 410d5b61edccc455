/**
 * The layers of src/: each top-level folder (or top-level file) imports only folders on its own floor or below, and no
 * two import each other, however indirectly. The import specifiers are read with the TypeScript compiler (imports,
 * re-exports, dynamic imports and `import('…')` types alike, type-only ones included: a type from above ties the
 * layers as much as a call does) and resolved as the compiler resolves them.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

/**
 * The floors, top down (DESIGN.md, Layout). A folder may import its own floor and the floors below; a new top-level
 * folder has to be placed here.
 */
const FLOORS: string[][] = [
  ['cli'],
  // detect is a pipeline of its own beside the audit: it reads logs, judges them and renders through report/.
  ['audit', 'whatif', 'detect'],
  ['report'],
  ['gate'],
  ['engine'],
  ['providers'],
  ['plan'],
  ['snapshot'],
  ['util'],
  ['errors', 'events'],
];

/**
 * Imports upward that are known and being moved away, as `from-file -> to-file` under src/. The list only shrinks:
 * an entry that no longer occurs fails the test too, so it is taken out when its move lands.
 */
const KNOWN_UPWARD = new Set<string>([]);

const floorOf = new Map(FLOORS.flatMap((names, i) => names.map((name) => [name, i] as const)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The top-level folder of a file under src/ (`engine`), or a top-level file's name without `.ts` (`audit`). */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

/** Every module specifier a file names. */
function specifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

interface FileEdge {
  from: string;
  to: string;
}

/** Every import of one src/ file by another, as the compiler resolves it (packages and node: modules left out). */
async function fileEdges(): Promise<FileEdge[]> {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const edges: FileEdge[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const specifier of specifiers(file, await readFile(file, 'utf8'))) {
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = resolved.resolvedFileName;
      if (relative(SRC, target).startsWith('..')) continue;
      edges.push({ from: relative(SRC, file).split(sep).join('/'), to: relative(SRC, target).split(sep).join('/') });
    }
  }
  return edges;
}

/** Imports between top-level folders: from -> to -> the file imports that make the edge. */
function layerGraph(edges: FileEdge[]): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const { from, to } of edges) {
    const a = layerOf(join(SRC, from));
    const b = layerOf(join(SRC, to));
    // A known upward import is counted by the floors test, not as a cycle here.
    if (a === b || KNOWN_UPWARD.has(`${from} -> ${to}`)) continue;
    let targets = graph.get(a);
    if (!targets) graph.set(a, (targets = new Map()));
    let files = targets.get(b);
    if (!files) targets.set(b, (files = []));
    files.push(`${from} -> ${to}`);
  }
  return graph;
}

/** The cycles among the folders: one per strongly connected component of two or more (Tarjan). */
function cycles(graph: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])]);
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) connect(node);
  return components;
}

function table(graph: Map<string, Map<string, string[]>>): string {
  return [...graph.keys()]
    .sort()
    .map(
      (from) =>
        `${from.padEnd(10)} -> ${[...graph.get(from)!.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([to, files]) => `${to} (${files.length})`)
          .join(', ')}`,
    )
    .join('\n');
}

const edges = fileEdges();

test('every top-level folder of src/ has a floor', async (t) => {
  const layers = new Set(sourceFiles(SRC).map(layerOf));
  const unplaced = [...layers].filter((layer) => !floorOf.has(layer)).sort();
  t.deepEqual(unplaced, [], `place ${unplaced.join(', ')} among FLOORS`);
  t.true((await edges).length > 100, 'the import graph was read');
});

test('no cycle between top-level folders of src/', async (t) => {
  const graph = layerGraph(await edges);
  t.log(table(graph));
  const found = cycles(graph).map((component) => {
    const inside = new Set(component);
    const ties = component.flatMap((from) =>
      [...(graph.get(from) ?? [])].filter(([to]) => inside.has(to)).flatMap(([, files]) => files),
    );
    return `${component.join(' <-> ')}: ${ties.join('; ')}`;
  });
  t.deepEqual(found, []);
});

test('no folder of src/ imports one on a floor above it', async (t) => {
  const upward = (await edges)
    .filter(({ from, to }) => floorOf.get(layerOf(join(SRC, to)))! < floorOf.get(layerOf(join(SRC, from)))!)
    .map(({ from, to }) => `${from} -> ${to}`);
  t.deepEqual(
    upward.filter((edge) => !KNOWN_UPWARD.has(edge)),
    [],
    'an import upward: move what is imported down to the floor that needs it (see FLOORS), or pass plain data up',
  );
  t.deepEqual(
    [...KNOWN_UPWARD].filter((edge) => !upward.includes(edge)),
    [],
    'these known upward imports are gone: take them out of KNOWN_UPWARD',
  );
});

test('report formatters read the report model, not the gate', async (t) => {
  // The model carries the gate's decision as data (shownGate); a formatter calling into the gate would decide again.
  const formatters = (await edges).filter(
    ({ from, to }) =>
      from.startsWith('report/') && !['report/model.ts', 'report/compare.ts'].includes(from) && to.startsWith('gate/'),
  );
  t.deepEqual(
    formatters.map(({ from, to }) => `${from} -> ${to}`),
    [],
  );
});
