import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { createAjv, loadSchema } from '../../src/util/ajv.js';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { azurePlan, PROD, roleAssignment, TENANT, USER } from './azure-plan.js';

// The whole raw folder of the example: AWS, Azure, GCP and host documents side by side.
const RAW = join(ROOT, 'examples', 'acme', 'raw');
const OWNER = fixture('whatif', 'acme-azure-tf', 'owner-no-mfa.plan.json');
const TAGS = fixture('whatif', 'acme-azure-tf', 'tags-only.plan.json');
const CAUSE = {
  address: 'azurerm_role_assignment.sales_owner',
  file: 'test/fixtures/whatif/acme-azure-tf/main.tf',
  line: 12,
};

interface JsonReport {
  results: Array<{
    checkId: string;
    status: string;
    message: string;
    baselineState?: string;
    resource: { uid: string };
    causes?: Array<{ address: string; file?: string; line?: number }>;
  }>;
  whatif: { counts: Record<string, number>; changes: Array<{ address: string; outcome: string; reason?: string }> };
  baseline: { new: number; fixed: number };
}

const audit = (plan: string, extra: string[] = [], raw = RAW) =>
  runCli(['audit', EXAMPLE, '--plan', plan, '--raw', raw, '--fail-on-new-only', ...extra]);

test('a role assignment making a user without MFA Owner of a subscription fails the gate and names the address', async (t) => {
  const run = await audit(OWNER);
  t.is(run.code, 1, run.stderr);
  t.regex(
    run.stdout,
    /Privileged user henry\.sales@acme\.com .*is not registered for MFA \[new\]\n.*\n\s+caused by azurerm_role_assignment\.sales_owner \(test\/fixtures\/whatif\/acme-azure-tf\/main\.tf:12\)/,
  );
  t.regex(run.stdout, /azurerm_resource_group\.sales \[create\] not-projected/);
  t.regex(messageLines(run.stderr).at(-1)!, /gate failed — 3 new failing results/);
  const json = await audit(OWNER, ['--format', 'json']);
  const report = JSON.parse(json.stdout) as JsonReport;
  const fresh = report.results.filter((r) => r.baselineState === 'new');
  const henry = `azure:${TENANT}:user/${USER.henry}`;
  t.deepEqual(fresh.map((r) => `${r.checkId} ${r.resource.uid}`).sort(), [
    `azure-no-standing-role-assignment-writers ${henry}`,
    `azure-privileged-roles-just-in-time ${henry}`,
    `azure-privileged-users-mfa-registered ${henry}`,
  ]);
  for (const r of fresh) t.deepEqual(r.causes, [CAUSE]);
  t.deepEqual(report.whatif.counts, { projected: 1, unknown: 0, 'not-projected': 1, 'no-op': 0 });
});

test("a plan making a user Helpdesk Administrator, who can then reset an Azure Owner's password, fails the gate through the escalation graph", async (t) => {
  const dir = await tempDir();
  const plan = join(dir, 'plan.json');
  const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
  await writeFile(
    plan,
    JSON.stringify(
      azurePlan([
        {
          address: 'azuread_directory_role_assignment.henry_helpdesk',
          actions: ['create'],
          after: { role_id: HELPDESK, principal_object_id: USER.henry, directory_scope_id: '/', app_scope_id: null },
          unknown: { id: true },
        },
      ]),
    ),
  );
  const run = await audit(plan, ['--format', 'json']);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  const fresh = report.results.filter((r) => r.baselineState === 'new' && r.status === 'fail');
  // alice holds Owner on a subscription and is only eligible for Global Administrator (no active Entra role), so a
  // Helpdesk Administrator may reset her password.
  const escalation = fresh.find((r) => r.checkId === 'azure-no-escalation-to-admin');
  t.is(escalation?.resource.uid, `azure:${TENANT}:user/${USER.henry}`);
  t.is(
    escalation?.message,
    'user henry.sales@acme.com (0b6e3c1a-0010-4d1e-9f00-00000000e111) is not a named administrator and can become one: henry.sales@acme.com -> Helpdesk Administrator: reset the password of alice.admin@acme.com -> admin; edge to cut: Helpdesk Administrator: reset the password of alice.admin@acme.com',
  );
  t.deepEqual(
    escalation?.causes?.map((c) => c.address),
    ['azuread_directory_role_assignment.henry_helpdesk'],
  );
});

test('a plan making a user owner of an app registration whose service principal is Privileged Role Administrator fails the gate on that user; without app registrations it is unknown', async (t) => {
  // A copy of the example's Azure documents with github-deploy's app registration (az rest on /applications?$expand=owners)
  // and its service principal holding Privileged Role Administrator; the snapshot is imported from the same documents.
  const apps = fixture('whatif', 'acme-azure-apps');
  const files = (await readdir(join(apps, 'azure'), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  const snapshot = join(await tempDir(), 'azure.json');
  const imported = await runCli([
    'import',
    'azure',
    ...files,
    '--collected-at',
    '2026-11-01T09:00:00Z',
    '-o',
    snapshot,
  ]);
  t.is(imported.code, 0, imported.stderr);
  const plan = join(apps, 'app-owner.plan.json');
  const run = await runCli([
    'audit',
    snapshot,
    '--plan',
    plan,
    '--raw',
    apps,
    '--fail-on-new-only',
    '--format',
    'json',
  ]);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.deepEqual(report.whatif.counts, { projected: 1, unknown: 0, 'not-projected': 0, 'no-op': 0 });
  const henry = `azure:${TENANT}:user/${USER.henry}`;
  const fresh = report.results.filter((r) => r.baselineState === 'new');
  t.deepEqual(fresh.map((r) => `${r.checkId} ${r.status} ${r.resource.uid}`).sort(), [
    `azure-no-escalation-to-admin fail ${henry}`,
    `azure-privileged-users-mfa-registered fail ${henry}`,
  ]);
  const escalation = fresh.find((r) => r.checkId === 'azure-no-escalation-to-admin')!;
  t.is(
    escalation.message,
    'user henry.sales@acme.com (0b6e3c1a-0010-4d1e-9f00-00000000e111) is not a named administrator and can become one: henry.sales@acme.com -> owner of the application of github-deploy: add a secret to github-deploy -> admin; edge to cut: owner of the application of github-deploy: add a secret to github-deploy',
  );
  for (const r of fresh)
    t.deepEqual(
      r.causes?.map((c) => c.address),
      ['azuread_application_owner.henry_github_deploy'],
    );
  // The example's documents list no app registrations: who can act as github-deploy is then unknown, never a pass.
  const unread = await audit(plan, ['--format', 'json']);
  t.is(unread.code, 1, unread.stderr);
  const open = JSON.parse(unread.stdout) as JsonReport;
  t.deepEqual(open.whatif.counts, { projected: 0, unknown: 1, 'not-projected': 0, 'no-op': 0 });
  t.regex(
    open.whatif.changes[0]!.reason!,
    /application ffffffff-0000-4000-8000-0000000000d3 is not in the raw documents \(export az rest --url "https:\/\/graph\.microsoft\.com\/v1\.0\/applications\?\$expand=owners"\)/,
  );
  const henryOpen = open.results.find((r) => r.checkId === 'azure-no-escalation-to-admin' && r.resource.uid === henry);
  t.is(henryOpen?.status, 'unknown');
});

test('SARIF and the markdown PR comment locate the Azure finding at the plan resource', async (t) => {
  const sarif = await audit(OWNER, ['--format', 'sarif']);
  const results = (
    JSON.parse(sarif.stdout) as {
      runs: Array<{
        results: Array<{
          baselineState?: string;
          locations: Array<{
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
            logicalLocations: Array<{ name: string }>;
          }>;
        }>;
      }>;
    }
  ).runs[0]!.results;
  const fresh = results.filter((r) => r.baselineState === 'new');
  t.is(fresh.length, 3);
  for (const r of fresh) {
    t.is(r.locations[0]!.physicalLocation.artifactLocation.uri, CAUSE.file);
    t.is(r.locations[0]!.physicalLocation.region.startLine, CAUSE.line);
    t.is(r.locations[0]!.logicalLocations[0]!.name, CAUSE.address);
  }
  const markdown = await audit(OWNER, ['--format', 'markdown']);
  t.regex(
    markdown.stdout,
    /\*\*new\*\* — caused by `azurerm_role_assignment\.sales_owner` \(`test\/fixtures\/whatif\/acme-azure-tf\/main\.tf:12`\)/,
  );
});

test('an Azure plan that only changes tags passes the gate with nothing new', async (t) => {
  const run = await audit(TAGS, ['--format', 'json']);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.deepEqual([report.baseline.new, report.baseline.fixed], [0, 0]);
  t.deepEqual(
    report.whatif.changes.map((c) => [c.address, c.outcome]),
    [
      ['azurerm_user_assigned_identity.remediation', 'projected'],
      ['azurerm_resource_group.sec', 'not-projected'],
    ],
  );
});

test('each projector takes its own files from a raw folder holding every provider', async (t) => {
  const aws = await audit(fixture('whatif', 'acme-tf', 'admin-no-mfa.plan.json'), ['--format', 'json']);
  t.is(aws.code, 1, aws.stderr);
  const fresh = (JSON.parse(aws.stdout) as JsonReport).results.filter((r) => r.baselineState === 'new');
  t.deepEqual(
    fresh.map((r) => r.causes?.[0]?.address),
    ['aws_iam_user_policy_attachment.ops_admin', 'aws_iam_user_policy_attachment.ops_admin'],
  );
});

async function write(name: string, document: unknown): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, JSON.stringify(document));
  return file;
}

test('bad Azure input exits 2 with one line: no Azure raw documents, an uncovered subscription, raw documents of another day', async (t) => {
  const noAzure = await audit(OWNER, [], join(RAW, 'aws'));
  t.is(noAzure.code, 2, noAzure.stdout);
  t.deepEqual(messageLines(noAzure.stderr).length, 1);
  t.regex(
    messageLines(noAzure.stderr)[0]!,
    new RegExp(`no raw documents of Azure subscription ${PROD}, which azurerm_role_assignment\\.sales_owner changes`),
  );
  const other = await write(
    'other.plan.json',
    azurePlan([
      {
        address: 'azurerm_role_assignment.elsewhere',
        actions: ['create'],
        after: roleAssignment({
          scope: '/subscriptions/0000aaaa-1111-4aaa-8bbb-000000000009',
          role_definition_name: 'Owner',
          principal_id: USER.henry,
        }),
        unknown: { id: true },
      },
    ]),
  );
  const uncovered = await audit(other);
  t.is(uncovered.code, 2, uncovered.stdout);
  t.regex(
    messageLines(uncovered.stderr)[0]!,
    /plan changes Azure subscription 0000aaaa-1111-4aaa-8bbb-000000000009 \(azurerm_role_assignment\.elsewhere\), which the snapshot does not cover/,
  );
  t.is(uncovered.stdout, '');
  const changed = join(await tempDir(), 'azure');
  await cp(join(RAW, 'azure'), changed, { recursive: true });
  const users = join(changed, 'graph', 'users.json');
  await writeFile(users, (await readFile(users, 'utf8')).replace('"henry.sales@acme.com"', '"henry.changed@acme.com"'));
  const stale = await audit(OWNER, [], changed);
  t.is(stale.code, 2, stale.stdout);
  t.regex(
    messageLines(stale.stderr)[0]!,
    new RegExp(
      `raw documents of azure:tenant/${TENANT} do not reproduce the snapshot: principal azure:${TENANT}:user/${USER.henry} differs`,
    ),
  );
});

test('docs/whatif.md lists every Azure type the projection supports', async (t) => {
  const { AZURE_PROJECTED_TYPES } = await import('../../src/providers/azure/whatif/index.js');
  const doc = await readFile(join(ROOT, 'docs', 'whatif.md'), 'utf8');
  const start = doc.indexOf('## Supported resource types (Azure)');
  const table = doc.slice(start, doc.indexOf('\n## ', start + 1));
  for (const type of AZURE_PROJECTED_TYPES) t.true(table.includes(`\`${type}\``), type);
});

test('the plan holding every supported Azure type gives the expected new findings, each with its causes', async (t) => {
  const run = await audit(fixture('whatif', 'every-azure-type.plan.json'), ['--format', 'json']);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  const fresh = report.results.filter((r) => r.baselineState === 'new');
  const short = (uid: string) => uid.replace(`azure:${TENANT}:`, '');
  t.deepEqual(
    fresh
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.checkId} ${short(r.resource.uid)}`)
      .sort(),
    [
      'azure-all-users-mfa-registered user/planned-azuread-user-ops',
      'azure-no-custom-owner-roles roleDefinition/planned-azurerm-role-definition-ops',
      'azure-no-custom-wildcard-role-at-subscription roleDefinition/planned-azurerm-role-definition-ops',
      'azure-no-standing-role-assignment-writers servicePrincipal/planned-azuread-service-principal-ci',
      'azure-no-standing-role-assignment-writers user/planned-azuread-user-ops',
      'azure-privileged-roles-just-in-time group/planned-azuread-group-tier0',
      'azure-privileged-roles-just-in-time user/planned-azuread-user-ops',
      'azure-privileged-users-mfa-registered user/planned-azuread-user-ops',
      'azure-service-principals-no-standing-access-grant servicePrincipal/planned-azuread-service-principal-ci',
    ],
  );
  const causes = (checkId: string, uid: string) =>
    fresh.find((r) => r.checkId === checkId && short(r.resource.uid) === uid)!.causes!.map((c) => c.address);
  t.true(
    causes('azure-privileged-users-mfa-registered', 'user/planned-azuread-user-ops').includes(
      'azurerm_pim_eligible_role_assignment.ops_owner',
    ),
  );
  t.deepEqual(
    causes('azure-no-standing-role-assignment-writers', 'servicePrincipal/planned-azuread-service-principal-ci'),
    ['azuread_directory_role_member.ci_ga', 'azuread_service_principal.ci', 'azurerm_role_assignment.ci_owner'],
  );
  // The owner of an app registration the raw documents do not list: what would pass in the tenant is unknown, and says why.
  // The escalation check of the principals the plan adds is unknown too: the example's exports hold no app
  // registrations or compute lists, so no path found is no proof of none.
  const unknown = fresh.filter((r) => r.status === 'unknown');
  const [escalation, others] = [
    unknown.filter((r) => r.checkId === 'azure-no-escalation-to-admin'),
    unknown.filter((r) => r.checkId !== 'azure-no-escalation-to-admin'),
  ];
  t.true(
    others.length > 0 &&
      others.every((r) =>
        r.message.includes(
          'azuread_application_owner.ci_dan (application_id): application ffffffff-0000-4000-8000-0000000000c1 is not in the raw documents',
        ),
      ),
    others[0]?.message,
  );
  t.deepEqual(escalation.map((r) => short(r.resource.uid)).sort(), [
    'group/planned-azuread-group-tier0',
    'managedIdentity/planned-azurerm-user-assigned-identity-deployer',
    'servicePrincipal/planned-azuread-service-principal-ci',
    'user/planned-azuread-user-ops',
  ]);
  t.true(
    escalation.every((r) =>
      r.message.includes('not among the imported files, so the escalation graph draws none of their edges'),
    ),
    escalation[0]?.message,
  );
  t.deepEqual(report.whatif.counts, { projected: 15, unknown: 1, 'not-projected': 3, 'no-op': 0 });
  const validate = createAjv({ allErrors: true, strictTypes: false }).compile(loadSchema('report.schema.json'));
  t.true(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
});
