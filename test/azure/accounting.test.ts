import test from 'ava';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Snapshot } from '../../src/snapshot/model.js';
import { runCli } from '../helpers/cli.js';
import { ACME_AZURE, filesUnder } from '../support/azure-fixtures.js';

const AT = '2026-11-01T09:00:00Z';
const SUB1 = 'a1b2c3d4-1111-4aaa-8bbb-000000000001';
const TENANT = '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c';

/** The Acme exports copied to a new folder, with one directory role assignment that names no principal. */
async function acmeWithDrop(t: { teardown: (f: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-azure-items-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const file of filesUnder(ACME_AZURE)) {
    await mkdir(dirname(join(dir, relative(ACME_AZURE, file))), { recursive: true });
    await copyFile(file, join(dir, relative(ACME_AZURE, file)));
  }
  const rel = join(dir, 'graph', 'directory-role-assignments.json');
  const assignments = JSON.parse(await readFile(rel, 'utf8')) as { value: unknown[] };
  assignments.value.push({
    id: 'no-principal',
    directoryScopeId: '/',
    roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
  });
  await writeFile(rel, JSON.stringify(assignments, null, 2));
  return dir;
}

const sum = (list: Array<{ count: number }> | undefined) => (list ?? []).reduce((n, r) => n + r.count, 0);

test('import azure prints one line per file with its items, and the snapshot records them per source', async (t) => {
  const dir = await acmeWithDrop(t);
  const files = filesUnder(dir);
  const run = await runCli(['import', 'azure', ...files, '--collected-at', AT]);
  t.is(run.code, 0, run.stderr);
  t.notRegex(run.stderr, /no items accounted for/);
  for (const file of files)
    t.regex(
      run.stderr,
      new RegExp(`cloudward: azure: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ read, \\d+ used`),
      file,
    );
  t.regex(
    run.stderr,
    /directory-role-assignments\.json: \d+ read, \d+ used, 1 dropped \(1 no principalId, so what it grants \(or who it is\) is unknown \[gap azure\.directory-roles\]\)/,
  );
  const snapshot = JSON.parse(run.stdout) as Snapshot;
  const tenant = snapshot.sources.find((s) => s.scope.id === TENANT)!;
  const sub = snapshot.sources.find((s) => s.scope.id === SUB1)!;
  // Files named relative to the folder they share: the directory and who holds what (a subscription's role
  // assignments too, as its access gaps) on the tenant, a subscription's own controls on the subscription.
  const origins = (items: Array<{ origin: string }> | undefined) => (items ?? []).map((i) => i.origin).sort();
  t.true(origins(tenant.items).includes('graph/users.json'), JSON.stringify(origins(tenant.items)));
  t.true(origins(tenant.items).includes(`${SUB1}/role-assignment-list.json`));
  t.deepEqual(origins(sub.items), [`${SUB1}/diagnostic-settings.json`]);
  // Every file is counted on exactly one source.
  t.deepEqual(snapshot.sources.flatMap((s) => origins(s.items)).sort(), files.map((f) => relative(dir, f)).sort());
  t.like(
    tenant.items!.find((i) => i.origin === 'graph/directory-role-assignments.json'),
    {
      used: JSON.parse(await readFile(join(ACME_AZURE, 'graph', 'directory-role-assignments.json'), 'utf8')).value
        .length,
      dropped: [{ count: 1, gap: 'azure.directory-roles' }],
    },
  );
  for (const source of snapshot.sources)
    for (const i of source.items ?? []) t.is(i.read, i.used + sum(i.skipped) + sum(i.dropped), i.origin);
  // The gap the drop opens names the item, as before.
  t.regex(
    tenant.gaps
      .filter((g) => g.what === 'azure.directory-roles')
      .map((g) => g.reason)
      .join('\n'),
    /no-principal.*no principalId/,
  );
});

test('import azure --strict exits 2 on any drop, naming it, and writes nothing', async (t) => {
  const dir = await acmeWithDrop(t);
  const out = join(dir, 'out.json');
  const strict = await runCli([
    'import',
    'azure',
    ...filesUnder(dir),
    '--collected-at',
    AT,
    '--strict',
    '-q',
    '--output',
    out,
  ]);
  t.is(strict.code, 2);
  t.is(strict.stdout, '');
  t.is(strict.stderr.trim().split('\n').length, 1, strict.stderr);
  t.regex(strict.stderr, /--strict: 1 drop .*directory-role-assignments\.json: 1 no principalId/);
  await t.throwsAsync(readFile(out, 'utf8'));
  // The Acme exports as they are drop nothing: --strict lets them through.
  const clean = await runCli(['import', 'azure', ...filesUnder(ACME_AZURE), '--collected-at', AT, '--strict', '-q']);
  t.is(clean.code, 0, clean.stderr);
});
