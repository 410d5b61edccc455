import test from 'ava';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { azureProvider } from '../../src/providers/azure/index.js';
import { relativeItemOrigins } from '../../src/providers/cloud/ledger.js';
import { recognizeDocument } from '../../src/providers/azure/recognize.js';
import { fixture, messageLines, runCli, ROOT, tempDir } from '../helpers/cli.js';
import { ACME_AZURE, AZURE_FIXTURES, filesUnder, importFolder } from '../support/azure-fixtures.js';

test('files are recognised by content, whatever their names', async (t) => {
  const dir = await tempDir();
  const files = filesUnder(join(AZURE_FIXTURES, 'contoso'));
  await Promise.all(files.map((f, i) => copyFile(f, join(dir, `export-${i}.json`))));
  const renamed = await importFolder(dir).catch((e: Error) => e);
  // Only the group member list needs its group id in the name (Graph does not repeat it).
  t.regex(String(renamed), /group member list does not say which group/);
  const kinds = await Promise.all(
    files.map(async (f) => recognizeDocument(await readFile(f, 'utf8'), join(dir, 'any-name.json')).kind),
  );
  t.true(
    kinds.includes('azure.graph.users') &&
      kinds.includes('azure.arm.roleAssignments') &&
      kinds.includes('azure.arm.roleDefinitions') &&
      kinds.includes('azure.error'),
  );
});

test('the Acme exports reproduce examples/acme/parts/azure.json', async (t) => {
  const part = azureProvider.normalize(await importFolder(ACME_AZURE));
  // As `import` names each file's items: relative to the folder the files share.
  relativeItemOrigins(part.sources, filesUnder(ACME_AZURE));
  const committed = JSON.parse(
    await readFile(join(ROOT, 'examples', 'acme', 'parts', 'azure.json'), 'utf8'),
  ) as typeof part;
  const hint =
    'regenerate with `cloudward import azure $(find examples/acme/raw/azure -type f) --collected-at 2026-11-01T09:00:00Z -o examples/acme/parts/azure.json` and `npm run example:build`';
  t.deepEqual(JSON.parse(JSON.stringify(part.principals)), committed.principals, hint);
  t.deepEqual(JSON.parse(JSON.stringify(part.controls)), committed.controls, hint);
  t.deepEqual(JSON.parse(JSON.stringify(part.sources)), committed.sources, hint);
});

test('an export without its last page is a gap, not a silently short list', async (t) => {
  const dir = await tempDir();
  for (const f of filesUnder(join(AZURE_FIXTURES, 'contoso')).filter((f) => !f.endsWith('role-assignments-page2.json')))
    await copyFile(f, join(dir, f.split('/').at(-1)!));
  const [bundle] = await importFolder(dir);
  t.regex(
    bundle!.gaps
      .filter((g) => g.what === 'azure.role-assignments')
      .map((g) => g.reason)
      .join(),
    /truncated/,
  );
});

test('what the files do not cover is a gap naming the az command that exports it', async (t) => {
  const dir = await tempDir();
  await copyFile(join(ACME_AZURE, 'account-list.json'), join(dir, 'account-list.json'));
  await copyFile(join(ACME_AZURE, 'graph', 'users.json'), join(dir, 'users.json'));
  const [bundle] = await importFolder(dir);
  const reasons = new Map(bundle!.gaps.map((g) => [`${g.what} ${g.call}`, g.reason]));
  t.regex(
    reasons.get('azure.conditional-access GET /identity/conditionalAccess/policies')!,
    /az rest --url https:\/\/graph\.microsoft\.com\/v1\.0\/identity\/conditionalAccess\/policies/,
  );
  t.regex(
    reasons.get(
      'azure.diagnostic-settings GET /subscriptions/a1b2c3d4-2222-4aaa-8bbb-000000000002/providers/Microsoft.Insights/diagnosticSettings',
    )!,
    /az monitor diagnostic-settings subscription list/,
  );
});

const bad: Array<[string, string, RegExp]> = [
  ['truncated JSON', 'truncated.json', /truncated\.json:1:\d+: malformed Azure export JSON.*re-export/],
  [
    'an unknown document',
    'unknown-document.json',
    /unknown-document\.json: unrecognised Azure document \(top-level: Reservations\)/,
  ],
  ['an unknown Graph entity set', 'unknown-context.json', /unrecognised Graph response \(@odata\.context devices\)/],
  ['a list mixing two exports', 'mixed-list.json', /mixed-list\.json#\/1: the list mixes two kinds of item/],
  [
    'an empty list named after nothing',
    'empty.json',
    /empty\.json: an empty list does not say which export it is .*name the file after its command/,
  ],
  [
    'an error body without its request',
    'error-without-request.json',
    /does not say which request it answers .*"request"/,
  ],
  ['"value" that is not a list', 'value-not-a-list.json', /value-not-a-list\.json#\/value: "value" must be a list/],
];
for (const [name, file, pattern] of bad) {
  test(`bad input: ${name} is one line and exit 2, nothing written`, async (t) => {
    const out = join(await tempDir(), 'out.json');
    const run = await runCli([
      'import',
      'azure',
      fixture('bad', 'azure', file),
      join(ACME_AZURE, 'account-list.json'),
      '--collected-at',
      '2026-11-01T09:00:00Z',
      '-o',
      out,
    ]);
    t.is(run.code, 2, run.stderr);
    const lines = messageLines(run.stderr);
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, pattern);
    await t.throwsAsync(readFile(out));
  });
}

test('bad input: files of two tenants, or of no known tenant, are refused', async (t) => {
  const two = await runCli([
    'import',
    'azure',
    join(ACME_AZURE, 'account-list.json'),
    join(AZURE_FIXTURES, 'contoso', 'subscriptions-rest.json'),
    '--collected-at',
    '2026-11-01T09:00:00Z',
  ]);
  t.is(two.code, 2);
  t.regex(two.stderr, /belong to several tenants/);
  const none = await runCli([
    'import',
    'azure',
    join(ACME_AZURE, 'graph', 'users.json'),
    '--collected-at',
    '2026-11-01T09:00:00Z',
  ]);
  t.is(none.code, 2);
  t.regex(none.stderr, /cannot tell which tenant .*--tenant/);
  const bad = await runCli(['import', 'azure', join(ACME_AZURE, 'graph', 'users.json'), '--tenant', 'acme']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--tenant/);
});

test('bad input: a subscription export that says nothing of its subscription, among several, asks for a folder or --subscription', async (t) => {
  const dir = await tempDir();
  await mkdir(join(dir, 'x'));
  await copyFile(
    join(ACME_AZURE, 'a1b2c3d4-2222-4aaa-8bbb-000000000002', 'role-eligibility-schedules.json'),
    join(dir, 'x', 'role-eligibility-schedules.json'),
  );
  const run = await runCli([
    'import',
    'azure',
    join(ACME_AZURE, 'account-list.json'),
    join(dir, 'x', 'role-eligibility-schedules.json'),
    '--collected-at',
    '2026-11-01T09:00:00Z',
  ]);
  t.is(run.code, 2);
  t.regex(run.stderr, /cannot tell which subscription this export belongs to .*--subscription/);
  const told = await runCli([
    'import',
    'azure',
    join(ACME_AZURE, 'account-list.json'),
    join(dir, 'x', 'role-eligibility-schedules.json'),
    '--subscription',
    'a1b2c3d4-2222-4aaa-8bbb-000000000002',
    '--collected-at',
    '2026-11-01T09:00:00Z',
    '-q',
  ]);
  t.is(told.code, 0, told.stderr);
});

test('`cloudward permissions azure` prints a read-only custom role and the Graph application permissions', async (t) => {
  const run = await runCli(['permissions', 'azure']);
  t.is(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as {
    azureCustomRole: { Actions: string[] };
    graphApplicationPermissions: Array<{ permission: string; licence?: string }>;
  };
  t.true(printed.azureCustomRole.Actions.length >= 6);
  t.true(
    printed.azureCustomRole.Actions.every((a) => /\/read$/i.test(a)),
    'read-only actions',
  );
  t.deepEqual(
    printed.graphApplicationPermissions.map((p) => p.permission),
    [
      'AdministrativeUnit.Read.All',
      'Application.Read.All',
      'AuditLog.Read.All',
      'GroupMember.Read.All',
      'Organization.Read.All',
      'Policy.Read.All',
      'RoleAssignmentSchedule.Read.Directory',
      'RoleEligibilitySchedule.Read.Directory',
      'RoleManagement.Read.Directory',
      'User.Read.All',
    ],
  );
  t.regex(JSON.stringify(printed.graphApplicationPermissions), /P2/);
});

test('`permissions azure` names the licence per read: Conditional Access needs Entra ID P1, the security-defaults read under the same permission needs none', async (t) => {
  const run = await runCli(['permissions', 'azure']);
  const printed = JSON.parse(run.stdout) as {
    graphApplicationPermissions: Array<{
      permission: string;
      for: string[];
      licence?: string;
      licences?: Record<string, string>;
    }>;
  };
  const policy = printed.graphApplicationPermissions.find((p) => p.permission === 'Policy.Read.All')!;
  t.true(policy.for.includes('GET /policies/identitySecurityDefaultsEnforcementPolicy'));
  t.is(policy.licence, undefined, 'no licence for the permission as a whole');
  t.deepEqual(policy.licences, { 'GET /identity/conditionalAccess/policies': 'Microsoft Entra ID P1' });
});
