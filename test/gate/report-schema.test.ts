import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';

const ACME = join(ROOT, 'examples', 'acme');
const RAW = join(ACME, 'raw');
const plan = (...parts: string[]) => fixture('whatif', ...parts);

// Every kind of report the project writes: plain, with waivers, baseline and compliance, and what-if runs of each
// provider (which add `whatif` and `causes`).
const PRODUCED: Array<[string, string[]]> = [
  ['the example tenant', ['audit', EXAMPLE]],
  [
    'the example with waivers, baseline, compliance and a gate',
    [
      'audit',
      EXAMPLE,
      '--waivers',
      join(ACME, 'waivers.yaml'),
      '--baseline',
      join(ACME, 'baseline.json'),
      '--compliance',
      'cis-aws-v5.0.0',
      '--min-score',
      '10',
    ],
  ],
  [
    'an AWS what-if',
    [
      'audit',
      EXAMPLE,
      '--plan',
      plan('acme-tf', 'admin-no-mfa.plan.json'),
      '--raw',
      join(RAW, 'aws'),
      '--fail-on-new-only',
    ],
  ],
  [
    'an Azure what-if',
    ['audit', EXAMPLE, '--plan', plan('acme-azure-tf', 'owner-no-mfa.plan.json'), '--raw', RAW, '--fail-on-new-only'],
  ],
  [
    'a Google what-if',
    ['audit', EXAMPLE, '--plan', plan('acme-gcp-tf', 'owner-no-2sv.plan.json'), '--raw', RAW, '--fail-on-new-only'],
  ],
];

for (const [name, args] of PRODUCED) {
  test.serial(`the JSON report of ${name} is valid to \`validate\` and as a baseline`, async (t) => {
    const out = join(await tempDir(), 'report.json');
    const run = await runCli([...args, '--format', 'json', '--output', out]);
    t.true(run.code === 0 || run.code === 1, run.stderr);
    const valid = await runCli(['validate', out]);
    t.is(valid.code, 0, valid.stderr);
    t.regex(valid.stdout, /valid report 1\.0/);
    const again = await runCli(['audit', EXAMPLE, '--baseline', out, '--fail-on', 'none']);
    t.is(again.code, 0, again.stderr);
  });
}

/** The example's baseline with one change applied. */
async function badReport(change: (report: Record<string, any>) => void): Promise<string> {
  const report = JSON.parse(await readFile(join(ACME, 'baseline.json'), 'utf8')) as Record<string, any>;
  change(report);
  const file = join(await tempDir(), 'bad-report.json');
  await writeFile(file, JSON.stringify(report, null, 2));
  return file;
}

const BAD: Array<[string, (report: Record<string, any>) => void, RegExp]> = [
  [
    'a severity "apocalyptic"',
    (r) => (r.results[3].severity = 'apocalyptic'),
    /#\/results\/3\/severity: invalid report: must be one of "critical", "high", "medium", "low"/,
  ],
  [
    'a status "bogus"',
    (r) => (r.results[0].status = 'bogus'),
    /#\/results\/0\/status: invalid report: must be one of "pass", "fail", "unknown", "waived"/,
  ],
  ['an extra top-level property', (r) => (r.extra = true), /#\/: invalid report: unknown field "extra"/],
  [
    'an extra property in a result',
    (r) => (r.results[1].resource.extra = 1),
    /#\/results\/1\/resource: invalid report: unknown field "extra"/,
  ],
  [
    'a count that is not a number',
    (r) => (r.summary.byStatus.fail = 'many'),
    /#\/summary\/byStatus\/fail: invalid report: must be integer/,
  ],
];

for (const [name, change, message] of BAD) {
  test.serial(
    `a report with ${name} is refused by \`validate\` and as a baseline, in one line naming the JSON pointer`,
    async (t) => {
      const file = await badReport(change);
      const valid = await runCli(['validate', file]);
      t.is(valid.code, 2);
      t.is(messageLines(valid.stderr).length, 1, valid.stderr);
      t.regex(valid.stderr, message);
      t.true(valid.stderr.includes(file), valid.stderr);
      const baseline = await runCli(['audit', EXAMPLE, '--baseline', file]);
      t.is(baseline.code, 2);
      t.is(messageLines(baseline.stderr).length, 1, baseline.stderr);
      t.regex(baseline.stderr, message);
    },
  );
}

test("a report carries the snapshot's item accounts as the snapshot schema defines them", async (t) => {
  const load = async (name: string) =>
    JSON.parse(await readFile(join(ROOT, 'schemas', name), 'utf8')) as { $defs: Record<string, unknown> };
  const [report, snapshot] = await Promise.all([load('report.schema.json'), load('snapshot.schema.json')]);
  for (const def of ['itemAccount', 'itemReason'])
    t.deepEqual(report.$defs[def], snapshot.$defs[def], `${def} differs between the report and snapshot schemas`);
});
