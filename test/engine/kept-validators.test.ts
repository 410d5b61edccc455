import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadCheckFile, loadChecks } from '../../src/engine/load-checks.js';
import {
  buildSnapshotValidator,
  compiledSnapshotValidator,
  keptSnapshotValidator,
  SNAPSHOT_VALIDATOR_FILE,
} from '../../src/snapshot/validate.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { loadValidator } from '../../src/util/precompiled.js';
import { writeSnapshotFile } from '../../bench/generate.js';
import { EXAMPLE, tempDir } from '../helpers/cli.js';

// Loaded before the tests run rather than at the top level, so that this file can share a process (test/suites/).
let checks: Awaited<ReturnType<typeof loadChecks>>;
test.before(async () => {
  checks = await loadChecks();
});

/** The built-in checks compiled from copies of their YAML (outside policies/, so never taken from the cache). */
async function compiledChecks(): Promise<typeof checks> {
  const dir = await tempDir();
  const out = [];
  for (const check of checks) {
    const copy = join(dir, `${check.id}.yaml`);
    await writeFile(copy, await readFile(check.file, 'utf8'));
    out.push({ ...(await loadCheckFile(copy)), file: check.file });
  }
  return out;
}

test('built-in checks load their validators from the code kept at build time', (t) => {
  for (const check of checks) {
    // ajv's compiled functions carry their schema; kept code does not.
    for (const validate of [check.matches, check.requires, ...check.aggregates.map((a) => a.matches)])
      t.is((validate as { schema?: unknown }).schema, undefined, check.id);
  }
});

test('kept validators judge exactly as compiled ones: every status, message and piece of evidence', async (t) => {
  const compiled = await compiledChecks();
  t.truthy((compiled[0]!.requires as { schema?: unknown }).schema);
  const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  const file = join(await tempDir(), 'tenant.json');
  await writeSnapshotFile(file, { principals: 2000 });
  const generated = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  for (const snapshot of [example, generated]) {
    const kept = evaluate(snapshot, checks);
    t.true(kept.some((r) => r.status === 'fail' && (r.evidence.failed?.length ?? 0) > 0));
    t.deepEqual(kept, evaluate(snapshot, compiled));
  }
});

test('skipping resources of kinds a where does not pin changes no result', async (t) => {
  const file = join(await tempDir(), 'tenant.json');
  await writeSnapshotFile(file, { principals: 2000 });
  const snapshot = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
  t.true(checks.filter((c) => c.kinds).length > 10);
  const unpinned = checks.map(({ kinds: _kinds, ...check }) => check);
  t.deepEqual(evaluate(snapshot, checks), evaluate(snapshot, unpinned));
});

test('the kept snapshot validator is current (`npm run build` writes it)', async (t) => {
  t.deepEqual(
    JSON.parse(await readFile(SNAPSHOT_VALIDATOR_FILE, 'utf8')),
    buildSnapshotValidator(),
    'dist/snapshot.validator.json is stale: run `npm run build`',
  );
});

test('a stale or damaged kept snapshot validator is not used', async (t) => {
  const kept = JSON.parse(await readFile(SNAPSHOT_VALIDATOR_FILE, 'utf8')) as Record<string, unknown>;
  const dir = await tempDir();
  const write = async (name: string, content: string) => {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };
  t.is(typeof keptSnapshotValidator(await write('good.json', JSON.stringify(kept))), 'function');
  for (const [name, content] of [
    ['schema.json', JSON.stringify({ ...kept, schema: '0'.repeat(64) })],
    ['tool.json', JSON.stringify({ ...kept, tool: '0.0.0-other' })],
    ['format.json', JSON.stringify({ ...kept, format: 99 })],
    ['code.json', JSON.stringify({ ...kept, code: 'module.exports = 1' })],
    ['syntax.json', JSON.stringify({ ...kept, code: 'function (' })],
    ['truncated.json', '{"format": 1, '],
  ]) {
    t.is(keptSnapshotValidator(await write(name!, content!)), undefined, name);
  }
  t.is(keptSnapshotValidator(join(dir, 'absent.json')), undefined);
});

test('the kept snapshot validator finds exactly the errors a compiled one finds', async (t) => {
  const kept = keptSnapshotValidator()!;
  const compiled = compiledSnapshotValidator();
  const base = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Omit<Snapshot, 'principals' | 'sources'> & {
    principals: Array<Record<string, unknown>>;
    sources: Array<Record<string, unknown>>;
  };
  const variants: Array<(s: typeof base) => void> = [
    () => undefined,
    (s) => (s.principals[1]!.kind = 'wizard'),
    (s) => (s.principals[2]!.extra = true),
    (s) => delete s.principals[0]!.uid,
    (s) => (s.sources[0]!.collectedAt = '2026-02-30T00:00:00Z'),
    (s) => (s.sources[0]!.collectedAt = '2026-01-01T00:00:00+02:00'),
    (s) => (s.principals[3]!.name = 'x'.repeat(3000)),
  ];
  for (const change of variants) {
    const snapshot = structuredClone(base);
    change(snapshot);
    t.is(kept(snapshot), compiled(snapshot));
    t.deepEqual(kept.errors, compiled.errors);
  }
});

test('kept code may require only ajv runtime helpers and the modules it is given', (t) => {
  const code = (name: string) =>
    `"use strict";const m = require(${JSON.stringify(name)});module.exports = function validate(data){ validate.errors = null; return m !== undefined; };`;
  t.true(loadValidator(code('ajv/dist/runtime/equal'), {})(1));
  t.true(loadValidator(code('cloudward:x'), { 'cloudward:x': 1 })(1));
  t.throws(() => loadValidator(code('node:fs'), {}), { message: /requires node:fs/ });
  t.throws(() => loadValidator('module.exports = 42', {}), { message: /no function/ });
});
