import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { multitoolValidate, SARIF_SCHEMA } from '../support/sarif-multitool.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildSarif, SARIF_MAX_RESULTS, SARIF_MAX_TAGS } from '../../src/report/sarif.js';
import type { Report } from '../../src/report/model.js';
import { CHECKS_FLAG, EXAMPLE, ROOT, cloudward, gcpSnapshot, tempDir, writeJson } from './helpers.js';

// test/core/sarif.test.ts validates the plain example; these cover what the gate adds: baselineState, suppressions
// for waived results, the automation category and the result cap.
const BASELINE = join(ROOT, 'examples', 'acme', 'baseline.json');
const WAIVERS = join(ROOT, 'examples', 'acme', 'waivers.yaml');

interface SarifResult {
  ruleId: string;
  level: string;
  baselineState?: string;
  suppressions?: Array<{ kind: string; status: string; justification: string }>;
  properties: { status: string; resource: string };
}
interface SarifLog {
  runs: Array<{
    automationDetails: { id: string };
    tool: { driver: { rules: Array<{ id: string; properties: { tags: string[] } }> } };
    invocations: Array<{ toolExecutionNotifications?: Array<{ level: string; message: { text: string } }> }>;
    results: SarifResult[];
  }>;
}

async function gateSarif(): Promise<{ file: string; log: SarifLog }> {
  const file = join(await tempDir(), 'gate.sarif');
  const run = await cloudward([
    'audit',
    EXAMPLE,
    '--baseline',
    BASELINE,
    '--waivers',
    WAIVERS,
    '--fail-on-new-only',
    '--sarif-category',
    'cloudward/acme',
    '--format',
    'sarif',
    '--output',
    file,
  ]);
  if (run.code !== 1) throw new Error(`expected the documented exit 1: ${run.stderr}`);
  return { file, log: JSON.parse(await readFile(file, 'utf8')) as SarifLog };
}

test('SARIF with baseline states and waiver suppressions validates against the official schema', async (t) => {
  const { log } = await gateSarif();
  // The schema shipped with the Multitool 5.7.0 declares draft 2020-12 (older copies were draft-07).
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as object);
  t.true(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
});

test('SARIF with baseline states and waiver suppressions passes the SARIF Multitool with no errors', async (t) => {
  const { file } = await gateSarif();
  const verdict = await multitoolValidate(file);
  t.deepEqual(verdict.serious, [], 'no errors or warnings');
  t.true(verdict.notes > 0, 'the Multitool ran its rules (it always has notes)');
});

test('SARIF carries the category, baselineState per finding and suppressions with the justification for waived ones', async (t) => {
  const { log } = await gateSarif();
  const run = log.runs[0]!;
  t.is(log.runs.length, 1);
  t.regex(run.automationDetails.id, /^cloudward\/acme\/2026-11-18T11:06:40\.000Z$/);
  t.deepEqual(
    [...new Set(run.tool.driver.rules.map((r) => r.id))].length,
    run.tool.driver.rules.length,
    'rules are deduplicated',
  );
  const ben = run.results.find(
    (r) => r.properties.resource === 'gcp:408813245716:user/ben@acme.com' && r.ruleId === 'gcp-users-2sv-enrolled',
  )!;
  t.is(ben.baselineState, 'new');
  t.true(run.results.filter((r) => r !== ben).every((r) => r.baselineState === 'unchanged'));
  const waived = run.results.filter((r) => r.properties.status === 'waived');
  t.is(waived.length, 3);
  for (const r of waived) {
    t.is(r.suppressions?.length, 1);
    t.like(r.suppressions![0], { kind: 'external', status: 'accepted' });
    t.regex(
      r.suppressions![0]!.justification,
      /\(owner identity-team@acme\.com, expires 2027-0[16]-3[01], SEC-1[01]\d\d\)$/,
    );
  }
  t.true(run.results.filter((r) => r.properties.status !== 'waived').every((r) => r.suppressions === undefined));
});

test('past 25,000 results SARIF keeps the most severe, with a run notification and a warning on stderr', async (t) => {
  const dir = await tempDir();
  const users = Array.from({ length: SARIF_MAX_RESULTS + 5 }, (_, i) => ({ name: `u${i}`, mfa: 'disabled' as const }));
  const file = join(dir, 'big.sarif');
  const run = await cloudward([
    'audit',
    writeJson(dir, 'big.json', gcpSnapshot({ users, adminServiceAccount: true })),
    ...CHECKS_FLAG,
    '--format',
    'sarif',
    '--output',
    file,
  ]);
  t.is(run.code, 1);
  t.regex(
    run.stderr,
    /^cloudward: warning: SARIF: 7 results were left out to stay under code scanning's limit of 25000 results per run/m,
  );
  const log = JSON.parse(await readFile(file, 'utf8')) as SarifLog;
  t.is(log.runs[0]!.results.length, SARIF_MAX_RESULTS);
  t.regex(log.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text, /7 results were left out/);
  // Severity order: the medium audit-logging finding is the one that goes, after 6 high ones.
  t.false(log.runs[0]!.results.some((r) => r.ruleId === 'gcp-audit-logging-all-services'));
});

test('a rule with more than 20 tags keeps 20, with a notification and a warning', async (t) => {
  const json = await cloudward(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none']);
  const report = JSON.parse(json.stdout) as Report;
  report.checks[0]!.references = {
    ...report.checks[0]!.references,
    nist: Array.from({ length: 30 }, (_, i) => `AC-${i + 1}`),
  };
  const warnings: string[] = [];
  const log = buildSarif(report, {
    color: false,
    verbose: false,
    quiet: false,
    warn: (m) => warnings.push(m),
  }) as unknown as SarifLog;
  const rule = log.runs[0]!.tool.driver.rules[0]!;
  t.is(rule.properties.tags.length, SARIF_MAX_TAGS);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, new RegExp(`1 rule had more than 20 tags.*${report.checks[0]!.id}`));
  t.regex(log.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text, /more than 20 tags/);
});
