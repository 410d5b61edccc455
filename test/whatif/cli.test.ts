import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { multitoolValidate, SARIF_SCHEMA } from '../support/sarif-multitool.js';
import { loadSchema, createAjv } from '../../src/util/ajv.js';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';

const RAW = join(ROOT, 'examples', 'acme', 'raw', 'aws');
const plan = (name: string) => fixture('whatif', name);
const ADMIN = plan('acme-tf/admin-no-mfa.plan.json');
const TAGS = plan('acme-tf/tags-only.plan.json');

interface JsonReport {
  results: Array<{
    checkId: string;
    status: string;
    baselineState?: string;
    resource: { uid: string };
    causes?: Array<{ address: string; file?: string; line?: number }>;
    message: string;
    evidence: { gaps?: Array<{ reason: string }> };
  }>;
  whatif: {
    counts: Record<string, number>;
    changes: Array<{ address: string; outcome: string; reason?: string }>;
    gaps: Array<{ address: string; attribute?: string }>;
  };
  baseline: { new: number; fixed: number };
}

const audit = (planFile: string, extra: string[] = []) =>
  runCli(['audit', EXAMPLE, '--plan', planFile, '--raw', RAW, '--fail-on-new-only', ...extra]);

test('a plan attaching AdministratorAccess to a user without MFA fails the gate and names the address', async (t) => {
  const run = await audit(ADMIN);
  t.is(run.code, 1, run.stderr);
  t.regex(
    run.stdout,
    /dev-priya .*has no MFA device \[new\]\n.*\n\s+caused by aws_iam_user_policy_attachment\.ops_admin \(test\/fixtures\/whatif\/acme-tf\/main\.tf:13\)/,
  );
  t.regex(run.stdout, /What-if: plan .*admin-no-mfa\.plan\.json — 1 change\(s\) projected, 0 unknown, 1 not projected/);
  t.regex(run.stdout, /aws_s3_bucket\.logs \[create\] not-projected/);
  t.regex(messageLines(run.stderr).at(-1)!, /gate failed — 2 new failing results/);
});

test('the JSON report of a what-if run names causes, lists every change and validates against the report schema', async (t) => {
  const run = await audit(ADMIN, ['--format', 'json']);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  const fresh = report.results.filter((r) => r.baselineState === 'new');
  t.deepEqual(fresh.map((r) => `${r.checkId} ${r.resource.uid}`).sort(), [
    'aws-no-standing-admin-users aws:222222222222:user/dev-priya',
    'aws-privileged-users-mfa aws:222222222222:user/dev-priya',
  ]);
  for (const r of fresh)
    t.deepEqual(r.causes, [
      { address: 'aws_iam_user_policy_attachment.ops_admin', file: 'test/fixtures/whatif/acme-tf/main.tf', line: 13 },
    ]);
  t.deepEqual(report.whatif.counts, { projected: 1, unknown: 0, 'not-projected': 1, 'no-op': 1 });
  const validate = createAjv({ allErrors: true, strictTypes: false }).compile(loadSchema('report.schema.json'));
  t.true(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
});

test('SARIF locates a new finding at the plan resource: its address and its .tf file and line', async (t) => {
  const run = await audit(ADMIN, ['--format', 'sarif']);
  t.is(run.code, 1, run.stderr);
  const results = (
    JSON.parse(run.stdout) as {
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
  for (const r of fresh) {
    t.is(r.locations[0]!.physicalLocation.artifactLocation.uri, 'test/fixtures/whatif/acme-tf/main.tf');
    t.is(r.locations[0]!.physicalLocation.region.startLine, 13);
    t.is(r.locations[0]!.logicalLocations[0]!.name, 'aws_iam_user_policy_attachment.ops_admin');
  }
});

test('the markdown PR comment names the address of each new finding', async (t) => {
  const run = await audit(ADMIN, ['--format', 'markdown']);
  t.is(run.code, 1);
  t.regex(
    run.stdout,
    /\*\*new\*\* — caused by `aws_iam_user_policy_attachment\.ops_admin` \(`test\/fixtures\/whatif\/acme-tf\/main\.tf:13`\)/,
  );
});

test('a plan that only adds tags passes the gate with nothing new', async (t) => {
  const run = await audit(TAGS, ['--format', 'json']);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.is(report.baseline.new, 0);
  t.is(report.baseline.fixed, 0);
  t.deepEqual(
    report.whatif.changes.map((c) => [c.address, c.outcome]),
    [['aws_iam_user.priya', 'projected']],
  );
});

test('Google resource-level IAM without a projector makes its results unknown with a gap naming the address; Azure changes are projected', async (t) => {
  const run = await runCli([
    'audit',
    EXAMPLE,
    '--plan',
    plan('azure-google.plan.json'),
    '--raw',
    join(ROOT, 'examples', 'acme', 'raw'),
    '--fail-on-new-only',
    '--format',
    'json',
  ]);
  t.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.deepEqual(
    report.whatif.changes.map((c) => [c.address, c.outcome, c.reason]),
    [
      ['azurerm_role_assignment.owner', 'projected', undefined],
      [
        'google_cloud_run_service_iam_member.public',
        'unknown',
        'projection for google_cloud_run_service_iam_member not supported',
      ],
    ],
  );
  t.true(report.results.filter((r) => r.resource.uid.startsWith('gcp:')).every((r) => r.status !== 'pass'));
  const gcp = report.results.filter((r) => r.resource.uid.startsWith('gcp:') && r.baselineState === 'new');
  t.true(
    gcp.length > 0 &&
      gcp.every(
        (r) => r.status === 'unknown' && r.causes?.[0]?.address === 'google_cloud_run_service_iam_member.public',
      ),
  );
  t.regex(
    gcp[0]!.message,
    /google_cloud_run_service_iam_member\.public: projection for google_cloud_run_service_iam_member not supported/,
  );
  const allowed = await runCli([
    'audit',
    EXAMPLE,
    '--plan',
    plan('azure-google.plan.json'),
    '--raw',
    join(ROOT, 'examples', 'acme', 'raw'),
    '--fail-on-new-only',
    '--allow-unknown',
  ]);
  t.is(allowed.code, 0, allowed.stderr);
});

test('an unsupported AWS IAM type leaves its account unknown, never a silent pass', async (t) => {
  const run = await audit(plan('unsupported-iam.plan.json'), ['--format', 'json']);
  t.is(run.code, 1);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.deepEqual(report.whatif.gaps, [
    { address: 'aws_iam_policy_attachment.legacy', reason: 'projection for aws_iam_policy_attachment not supported' },
  ]);
  const account = report.results.filter((r) => r.resource.uid.startsWith('aws:222222222222:'));
  t.false(account.some((r) => r.status === 'pass'));
  t.true(report.results.some((r) => r.resource.uid.startsWith('aws:111111111111:') && r.status === 'pass'));
});

const BAD: Array<[string, (dir: string) => Promise<string>, RegExp]> = [
  [
    'HCL configuration',
    async () => fixture('whatif', 'acme-tf', 'main.tf'),
    /not a Terraform\/OpenTofu plan: this is HCL configuration/,
  ],
  [
    'a state file',
    async (dir) =>
      write(
        dir,
        'terraform.tfstate',
        JSON.stringify({
          version: 4,
          terraform_version: '1.9.8',
          serial: 3,
          lineage: 'a1b2',
          outputs: {},
          resources: [],
        }),
      ),
    /this is a Terraform state file/,
  ],
  [
    'the JSON of a state',
    async (dir) =>
      write(
        dir,
        'state.json',
        JSON.stringify({ format_version: '1.0', terraform_version: '1.9.8', values: { root_module: {} } }),
      ),
    /JSON of a state/,
  ],
  [
    'a binary plan file',
    async (dir) => write(dir, 'tfplan', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0])),
    /this is a binary plan file .*terraform show -json/,
  ],
  [
    'an unsupported format_version',
    async (dir) =>
      write(
        dir,
        'v2.json',
        (await readFile(ADMIN, 'utf8')).replace('"format_version": "1.2"', '"format_version": "2.0"'),
      ),
    /format_version 2\.0 is not supported/,
  ],
  [
    'truncated JSON',
    async (dir) => write(dir, 'cut.json', (await readFile(ADMIN, 'utf8')).slice(0, 500)),
    /malformed plan JSON.*truncated/,
  ],
  [
    'a plan for an account the snapshot does not cover',
    async () => plan('other-account.plan.json'),
    /plan changes AWS account 999999999999 \(aws_iam_group\.breakglass\), which the snapshot does not cover/,
  ],
];

async function write(dir: string, name: string, data: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

for (const [name, make, message] of BAD) {
  test(`bad plan: ${name} exits 2 with one line`, async (t) => {
    const file = await make(await tempDir());
    const run = await audit(file);
    t.is(run.code, 2, run.stdout);
    const lines = messageLines(run.stderr);
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, message);
    t.is(run.stdout, '');
  });
}

test('--plan without the raw documents, --raw without --plan and --plan with --baseline exit 2 with one line', async (t) => {
  const noRaw = await runCli(['audit', EXAMPLE, '--plan', ADMIN]);
  t.is(noRaw.code, 2);
  t.regex(messageLines(noRaw.stderr)[0]!, /needs the raw documents .* add --raw DIR/);
  const noPlan = await runCli(['audit', EXAMPLE, '--raw', RAW]);
  t.is(noPlan.code, 2);
  t.regex(messageLines(noPlan.stderr)[0]!, /--raw only applies with --plan/);
  const both = await runCli([
    'audit',
    EXAMPLE,
    '--plan',
    ADMIN,
    '--raw',
    RAW,
    '--baseline',
    join(ROOT, 'examples', 'acme', 'baseline.json'),
  ]);
  t.is(both.code, 2);
  t.regex(messageLines(both.stderr)[0]!, /--plan and --baseline cannot be used together/);
});

test('raw documents that do not reproduce the snapshot are refused', async (t) => {
  const dir = await tempDir();
  const source = join(RAW, '222222222222');
  const { readdir } = await import('node:fs/promises');
  for (const name of await readdir(source)) {
    let text = await readFile(join(source, name), 'utf8');
    if (name === 'iam-get-account-authorization-details.json') text = text.replace('"kim.nguyen"', '"kim.changed"');
    await writeFile(join(dir, name), text);
  }
  const run = await runCli(['audit', EXAMPLE, '--plan', ADMIN, '--raw', dir, '--raw', join(RAW, '111111111111')]);
  t.is(run.code, 2, run.stdout);
  t.regex(messageLines(run.stderr)[0]!, /raw documents of aws:account\/222222222222 do not reproduce the snapshot/);
});

test('what-if SARIF validates against the SARIF 2.1.0 schema and passes the SARIF Multitool with no errors or warnings', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'whatif.sarif');
  const run = await audit(ADMIN, ['--format', 'sarif', '--output', file]);
  t.is(run.code, 1, run.stderr);
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const addFormats = (await import('ajv-formats')).default;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as object);
  t.true(validate(JSON.parse(await readFile(file, 'utf8'))), JSON.stringify(validate.errors?.slice(0, 5)));
  t.deepEqual((await multitoolValidate(file)).serious, []);
});
