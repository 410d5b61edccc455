import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { googlePlanDocument } from './plan-shape.js';

/** The example's whole raw folder: every provider's files, as a CI job keeps them beside the snapshot. */
const RAW = join(ROOT, 'examples', 'acme', 'raw');
const OWNER = fixture('whatif', 'acme-gcp-tf', 'owner-no-2sv.plan.json');
const LABELS = fixture('whatif', 'acme-gcp-tf', 'labels-only.plan.json');
const TOKEN_MEMBER = fixture('whatif', 'acme-gcp-tf', 'token-creator-on-owner.plan.json');
const TOKEN_BINDING = fixture('whatif', 'acme-gcp-tf', 'token-creator-binding-on-owner.plan.json');

interface JsonReport {
  results: Array<{
    checkId: string;
    status: string;
    baselineState?: string;
    resource: { uid: string };
    causes?: Array<{ address: string; file?: string; line?: number }>;
  }>;
  whatif: {
    counts: Record<string, number>;
    changes: Array<{ address: string; outcome: string; scope?: string; reason?: string }>;
    gaps: unknown[];
  };
  baseline: { new: number; fixed: number };
}

const audit = (planFile: string, extra: string[] = []) =>
  runCli(['audit', EXAMPLE, '--plan', planFile, '--raw', RAW, '--fail-on-new-only', ...extra]);

test('a plan making a user without 2-Step Verification Owner of a project fails the gate and names the address', async (t) => {
  const run = await audit(OWNER, ['--format', 'json']);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  const fresh = report.results.filter((r) => r.baselineState === 'new');
  t.deepEqual(fresh.map((r) => `${r.checkId} ${r.resource.uid} ${r.status}`).sort(), [
    'gcp-no-basic-roles-for-users gcp:408813245716:user/cy@acme.com fail',
    'gcp-privileged-bindings-time-bound gcp:408813245716:user/cy@acme.com fail',
  ]);
  for (const r of fresh)
    t.deepEqual(r.causes, [
      { address: 'google_project_iam_member.cy_owner', file: 'test/fixtures/whatif/acme-gcp-tf/main.tf', line: 15 },
    ]);
  t.deepEqual(report.whatif.changes, [
    {
      address: 'google_project_iam_member.cy_owner',
      type: 'google_project_iam_member',
      action: 'create',
      outcome: 'projected',
      scope: 'gcp:project/acme-prod-7781',
      file: 'test/fixtures/whatif/acme-gcp-tf/main.tf',
      line: 15,
    },
  ] as never);
  t.deepEqual(report.whatif.counts, { projected: 1, unknown: 0, 'not-projected': 0, 'no-op': 1 });
  const text = await audit(OWNER);
  t.regex(
    text.stdout,
    /cy@acme\.com holds a basic role \[new\]\n.*\n\s+caused by google_project_iam_member\.cy_owner \(test\/fixtures\/whatif\/acme-gcp-tf\/main\.tf:15\)/,
  );
  t.regex(
    messageLines(text.stderr).at(-1)!,
    /gate failed — 1 new failing result at or above high severity .*2 new, \d+ unchanged, 0 fixed/,
  );
});

for (const [plan, address, line] of [
  [TOKEN_MEMBER, 'google_service_account_iam_member.ben_token_etl', 22],
  [TOKEN_BINDING, 'google_service_account_iam_binding.etl_token_creators', 29],
] as const) {
  test(`a plan granting Token Creator on an Owner service account fails the gate through the escalation graph: ${address.split('.')[0]}`, async (t) => {
    const run = await audit(plan, ['--format', 'json']);
    t.is(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    const fresh = report.results.filter((r) => r.baselineState === 'new');
    // The projected allow policy is normalized again, graph included: ben@acme.com now has a path to admin.
    t.deepEqual(
      fresh.map((r) => `${r.checkId} ${r.resource.uid} ${r.status}`),
      ['gcp-no-escalation-to-admin gcp:408813245716:user/ben@acme.com fail'],
    );
    t.deepEqual(fresh[0]!.causes, [{ address, file: 'test/fixtures/whatif/acme-gcp-tf/main.tf', line }]);
    t.deepEqual(
      report.whatif.changes.map((c) => [c.address, c.outcome, c.scope]),
      [[address, 'projected', 'gcp:project/acme-data-2203']],
    );
    const text = await audit(plan);
    t.regex(
      text.stdout,
      new RegExp(
        `ben@acme\\.com is not a named administrator and can become one: ben@acme\\.com -> iam\\.serviceAccounts\\.getAccessToken on etl@acme-data-2203\\.iam\\.gserviceaccount\\.com -> admin; edge to cut: iam\\.serviceAccounts\\.getAccessToken on etl@acme-data-2203\\.iam\\.gserviceaccount\\.com \\[new\\]\\n(.*\\n)*?\\s+caused by ${address.replace('.', '\\.')}`,
      ),
    );
  });
}

test("a plan that only changes a project's labels passes the gate with nothing new", async (t) => {
  const run = await audit(LABELS, ['--format', 'json']);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.deepEqual([report.baseline.new, report.baseline.fixed], [0, 0]);
  t.deepEqual(
    report.whatif.changes.map((c) => [c.address, c.outcome, c.reason]),
    [['google_project.prod', 'not-projected', 'google_project does not change M1026/M1038 posture']],
  );
});

test('a Google change whose member is known only after apply fails closed, and passes with --allow-unknown', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'plan.json');
  await writeFile(
    file,
    JSON.stringify(
      googlePlanDocument([
        {
          address: 'google_project_iam_member.ci',
          actions: ['create'],
          after: { project: 'acme-data-2203', role: 'roles/viewer', condition: [] },
          unknown: { member: true, etag: true, id: true },
          expressions: { member: { references: ['var.ci_member'] } },
        },
      ]),
    ),
  );
  const run = await audit(file, ['--format', 'json']);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.deepEqual(report.whatif.gaps, [
    { address: 'google_project_iam_member.ci', attribute: 'member', reason: 'member is known only after apply' },
  ]);
  const gcp = report.results.filter((r) => r.resource.uid.startsWith('gcp:'));
  t.false(
    gcp.some((r) => r.status === 'pass'),
    'no Google result can pass while the member is unknown',
  );
  t.true(
    report.results.some((r) => r.resource.uid.startsWith('aws:') && r.status === 'pass'),
    'other providers keep their results',
  );
  const allowed = await audit(file, ['--allow-unknown']);
  t.is(allowed.code, 0, allowed.stderr);
});

test('a Google plan for a project the snapshot does not cover exits 2 with one line naming it', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'plan.json');
  await writeFile(
    file,
    JSON.stringify(
      googlePlanDocument([
        {
          address: 'google_project_iam_member.x',
          actions: ['create'],
          after: { project: 'acme-sandbox-1', role: 'roles/owner', member: 'user:ana@acme.com', condition: [] },
          unknown: { etag: true, id: true },
        },
      ]),
    ),
  );
  const run = await audit(file);
  t.is(run.code, 2, run.stdout);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(
    lines[0]!,
    /the plan changes Google Cloud projects\/acme-sandbox-1 \(google_project_iam_member\.x\), which the snapshot does not cover/,
  );
  t.is(run.stdout, '');
});

test('Google raw documents that do not reproduce the snapshot are refused', async (t) => {
  const dir = await tempDir();
  const { cp, readFile } = await import('node:fs/promises');
  await cp(join(RAW, 'gcp'), dir, { recursive: true });
  const users = join(dir, 'admin.directory.users.json');
  await writeFile(
    users,
    (await readFile(users, 'utf8')).replace('"isEnrolledIn2Sv": false', '"isEnrolledIn2Sv": true'),
  );
  const run = await runCli(['audit', EXAMPLE, '--plan', OWNER, '--raw', dir]);
  t.is(run.code, 2, run.stdout);
  t.regex(
    messageLines(run.stderr)[0]!,
    /raw documents of gcp:organization\/408813245716 do not reproduce the snapshot: principal gcp:408813245716:user\/ben@acme\.com differs/,
  );
});

test('the PR comment and SARIF of a Google plan locate each new finding at the plan resource', async (t) => {
  const markdown = await audit(OWNER, ['--format', 'markdown']);
  t.is(markdown.code, 1);
  t.regex(
    markdown.stdout,
    /\*\*new\*\* — caused by `google_project_iam_member\.cy_owner` \(`test\/fixtures\/whatif\/acme-gcp-tf\/main\.tf:15`\)/,
  );
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
  t.is(fresh.length, 2);
  for (const r of fresh)
    t.deepEqual(
      [
        r.locations[0]!.physicalLocation.artifactLocation.uri,
        r.locations[0]!.physicalLocation.region.startLine,
        r.locations[0]!.logicalLocations[0]!.name,
      ],
      ['test/fixtures/whatif/acme-gcp-tf/main.tf', 15, 'google_project_iam_member.cy_owner'],
    );
});
