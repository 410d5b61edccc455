/**
 * docs/architecture.md stays true to the code: its table of floors is the one `test/core/layers.test.ts` enforces, its
 * folder map names every top-level folder of src/, and every file or folder it names exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ROOT } from '../helpers/cli.js';

const doc = readFile(join(ROOT, 'docs', 'architecture.md'), 'utf8');

/** The floors as layers.test.ts declares them (read from its text: a test file is not imported by another). */
async function enforcedFloors(): Promise<string[][]> {
  const text = await readFile(join(ROOT, 'test', 'core', 'layers.test.ts'), 'utf8');
  const block = /const FLOORS: string\[\]\[\] = \[([\s\S]*?)\n\];/.exec(text)?.[1];
  if (!block) throw new Error('FLOORS not found in layers.test.ts');
  return [...block.replace(/\/\/.*$/gm, '').matchAll(/\[([^\]]*)\]/g)].map((m) =>
    [...m[1]!.matchAll(/'([^']+)'/g)].map((n) => n[1]!),
  );
}

test('the table of floors is the one the layers test enforces, top down', async (t) => {
  const rows = [...(await doc).matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) =>
    [...m[2]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!),
  );
  t.deepEqual(rows, await enforcedFloors());
});

test('the folder map names every top-level folder and file of src/', async (t) => {
  const map = /## Folders\n\n```\n([\s\S]*?)```/.exec(await doc)?.[1] ?? '';
  const entries = readdirSync(join(ROOT, 'src')).map((name) => (name.endsWith('.ts') ? name : `${name}/`));
  t.deepEqual(
    entries.filter((entry) => !new RegExp(`^  ${entry.replace('.', '\\.')}\\s`, 'm').test(map)),
    [],
  );
});

test('every path the page names exists', async (t) => {
  // Paths in code spans and diagrams, relative to the repository or to src/; templates (<name>, {a,b}) and the build's
  // outputs are left out.
  const named = new Set(
    [...(await doc).matchAll(/(?:^|[\s`(])((?:[a-z][\w.-]*\/)+[\w.-]*\.(?:ts|md|json|yaml))(?=[\s`),;:]|$)/gm)].map(
      (m) => m[1]!,
    ),
  );
  const missing = [...named].filter(
    (path) => !path.startsWith('dist/') && !existsSync(join(ROOT, path)) && !existsSync(join(ROOT, 'src', path)),
  );
  t.true(named.size > 30, 'the paths were found');
  t.deepEqual(missing, []);
});
