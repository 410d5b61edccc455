import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import {
  DEFAULT_SEED,
  generateSnapshot,
  TARGETED_CHECKS,
  writeSnapshotFile,
  writeSplitSnapshotFiles,
} from '../../bench/generate.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import { loadSnapshots, readSnapshotFile } from '../../src/snapshot/load.js';
import { assertSnapshot } from '../../src/snapshot/validate.js';
import { runCli, tempDir } from '../helpers/cli.js';

test('the same seed gives the same tenant, byte for byte; another seed gives another', (t) => {
  const a = generateSnapshot({ principals: 300, seed: 7 });
  const b = generateSnapshot({ principals: 300, seed: 7 });
  const c = generateSnapshot({ principals: 300, seed: 8 });
  t.is(JSON.stringify(a.snapshot), JSON.stringify(b.snapshot));
  t.deepEqual(a.expectations, b.expectations);
  t.not(JSON.stringify(a.snapshot), JSON.stringify(c.snapshot));
});

test('a tenant has exactly N principals across every provider, and hosts of both systems', (t) => {
  const { snapshot, expectations } = generateSnapshot({ principals: 2000 });
  t.is(snapshot.principals.length, 2000);
  t.is(expectations.stats.principals, 2000);
  const providers = new Set(snapshot.principals.map((p) => p.provider));
  t.deepEqual([...providers].sort(), ['aws', 'azure', 'gcp']);
  const kinds = new Set(snapshot.principals.map((p) => p.kind));
  for (const kind of ['root', 'user', 'group', 'role', 'serviceAccount', 'servicePrincipal', 'managedIdentity'])
    t.true(kinds.has(kind as never), kind);
  t.deepEqual([...new Set(snapshot.hosts.map((h) => h.os))].sort(), ['linux', 'windows']);
  t.is(
    new Set([...snapshot.principals, ...snapshot.roles, ...snapshot.controls, ...snapshot.hosts].map((r) => r.uid))
      .size,
    2000 + snapshot.roles.length + snapshot.controls.length + snapshot.hosts.length,
    'uids are unique',
  );
});

test('the generated snapshot is schema-valid', (t) => {
  const { snapshot } = generateSnapshot({ principals: 1000 });
  t.notThrows(() => assertSnapshot(JSON.parse(JSON.stringify(snapshot)), 'generated'));
});

test('the streamed file is the in-memory snapshot as cloudward writes it (indented), or compact', async (t) => {
  const dir = await tempDir();
  const indented = join(dir, 'tenant.json');
  const compact = join(dir, 'tenant-compact.json');
  const written = await writeSnapshotFile(indented, { principals: 500, seed: 3 });
  await writeSnapshotFile(compact, { principals: 500, seed: 3, compact: true });
  const { snapshot, expectations } = generateSnapshot({ principals: 500, seed: 3 });
  t.is(await readFile(indented, 'utf8'), `${JSON.stringify(snapshot, null, 2)}\n`);
  t.is(await readFile(compact, 'utf8'), `${JSON.stringify(snapshot)}\n`);
  const { bytes, ...fromFile } = written;
  t.is(bytes, Buffer.byteLength(`${JSON.stringify(snapshot, null, 2)}\n`));
  t.deepEqual(fromFile, expectations);
});

test('cloudward validate accepts the 1k-principal snapshot', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'tenant.json');
  await writeSnapshotFile(file, { principals: 1000, seed: DEFAULT_SEED });
  const run = await runCli(['validate', file]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /valid snapshot 1\.0 \(\d+ sources, 1000 principals/);
});

for (const principals of [1000, 5000]) {
  test(`at ${principals} principals the audit reports exactly the planted pass/fail/unknown counts per targeted check`, async (t) => {
    const dir = await tempDir();
    const file = join(dir, 'tenant.json');
    const { expected } = await writeSnapshotFile(file, { principals, seed: principals + 11 });
    const { snapshot } = await readSnapshotFile(file);
    const checks = await loadChecks();
    const actual: Record<string, { pass: number; fail: number; unknown: number }> = {};
    for (const r of evaluate(snapshot, checks)) {
      const counts = (actual[r.checkId] ??= { pass: 0, fail: 0, unknown: 0 });
      if (r.status !== 'waived') counts[r.status]++;
    }
    for (const id of TARGETED_CHECKS) {
      t.true(
        checks.some((c) => c.id === id),
        `${id} is a check in policies/`,
      );
      t.deepEqual(actual[id] ?? { pass: 0, fail: 0, unknown: 0 }, expected[id], id);
    }
    // Every result is accounted for: a check without planted counts selects nothing in the tenant.
    const unplanted = Object.keys(actual).filter((id) => !(TARGETED_CHECKS as readonly string[]).includes(id));
    t.deepEqual(unplanted, [], 'checks with results but no planted counts');
    const planted = TARGETED_CHECKS.reduce((n, id) => n + expected[id]!.fail, 0);
    t.true(planted > 0, 'the tenant has violations to find');
  });
}

test('the tenant split into one snapshot per provider merges back into the same tenant, with the same counts', async (t) => {
  const dir = await tempDir();
  const { paths, expected, stats } = await writeSplitSnapshotFiles(join(dir, 'tenant.json'), {
    principals: 2000,
    seed: 9,
  });
  t.deepEqual(
    paths.map((p) => p.slice(dir.length + 1)),
    ['tenant-aws-0.json', 'tenant-aws-1.json', 'tenant-azure.json', 'tenant-gcp.json', 'tenant-hosts.json'],
  );
  const { snapshot: merged } = await loadSnapshots(paths);
  const { snapshot: whole, expectations } = generateSnapshot({ principals: 2000, seed: 9 });
  t.deepEqual(expected, expectations.expected);
  t.deepEqual(stats, expectations.stats);
  for (const section of ['sources', 'principals', 'roles', 'controls', 'hosts'] as const) {
    const uids = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
    t.deepEqual(uids(merged[section]), uids(whole[section]), section);
  }
  const actual: Record<string, { pass: number; fail: number; unknown: number }> = {};
  for (const r of evaluate(merged, await loadChecks())) {
    const counts = (actual[r.checkId] ??= { pass: 0, fail: 0, unknown: 0 });
    if (r.status !== 'waived') counts[r.status]++;
  }
  for (const id of TARGETED_CHECKS) t.deepEqual(actual[id], expected[id], id);
});
