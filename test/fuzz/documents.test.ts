import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/cli/config.js';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { loadCheckFile, loadChecks } from '../../src/engine/load-checks.js';
import { assertReport } from '../../src/report/read.js';
import { parseWaivers } from '../../src/gate/waivers.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { projectPlan } from '../../src/whatif/index.js';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { fixture, ROOT, tempDir } from '../helpers/cli.js';
import { editText, fuzzParameters, mutate, mutation, onlyUserErrors, textEdit } from './support.js';

const ACME = join(ROOT, 'examples', 'acme');
const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });
const rules = await loadRules();

test('plan reading: a fuzzed Terraform plan is read or refused in one line', async (t) => {
  const plans = [
    'acme-tf/admin-no-mfa.plan.json',
    'acme-azure-tf/owner-no-mfa.plan.json',
    'acme-gcp-tf/owner-no-2sv.plan.json',
    'every-aws-type.plan.json',
  ].map((p) => json(fixture('whatif', p)));
  await fc.assert(
    fc.asyncProperty(fc.nat(), mutations, async (which, m) => {
      const plan = mutate(plans[which % plans.length], m);
      return onlyUserErrors(
        t,
        () => parsePlan(plan, 'plan.json'),
        () => JSON.stringify(plan),
      );
    }),
    fuzzParameters(100),
  );
  t.pass();
});

test('what-if: a fuzzed plan is projected onto the example tenant or refused in one line', async (t) => {
  const snapshot = json(join(ACME, 'snapshot.json')) as Snapshot;
  const plans = [
    'acme-tf/admin-no-mfa.plan.json',
    'acme-azure-tf/owner-no-mfa.plan.json',
    'acme-gcp-tf/owner-no-2sv.plan.json',
    'every-aws-type.plan.json',
    'every-azure-type.plan.json',
  ].map((p) => json(fixture('whatif', p)));
  await fc.assert(
    fc.asyncProperty(fc.nat(), mutations, async (which, m) => {
      const plan = mutate(plans[which % plans.length], m);
      return onlyUserErrors(
        t,
        () => projectPlan(parsePlan(plan, 'plan.json'), snapshot, [join(ACME, 'raw')]),
        () => JSON.stringify(plan).slice(0, 3000),
      );
    }),
    fuzzParameters(4, 300),
  );
  t.pass();
});

test('baselines: a fuzzed report is read or refused in one line', async (t) => {
  const baseline = json(join(ACME, 'baseline.json'));
  await fc.assert(
    fc.asyncProperty(mutations, async (m) => {
      const report = mutate(baseline, m);
      return onlyUserErrors(
        t,
        () => assertReport(report, 'baseline.json'),
        () => JSON.stringify(report).slice(0, 500),
      );
    }),
    fuzzParameters(40),
  );
  t.pass();
});

test('waivers: a fuzzed waivers file is read or refused in one line', async (t) => {
  const text = readFileSync(join(ACME, 'waivers.yaml'), 'utf8');
  const document = parse(text) as unknown;
  const known = (await loadChecks()).map((c) => c.id);
  await fc.assert(
    fc.asyncProperty(mutations, textEdit, fc.boolean(), async (m, edits, asText) => {
      const fuzzed = asText ? editText(text, edits) : stringify(mutate(document, m));
      return onlyUserErrors(
        t,
        () => parseWaivers(fuzzed, 'waivers.yaml', known),
        () => fuzzed,
      );
    }),
    fuzzParameters(40),
  );
  t.pass();
});

test('project file: a fuzzed cloudward.yaml is read or refused in one line', async (t) => {
  const dir = await tempDir('cloudward-fuzz-config-');
  const file = join(dir, 'cloudward.yaml');
  const document = {
    snapshots: ['snapshots/aws.json'],
    policies: ['our-policies'],
    'fail-on': 'high',
    'min-score': 70,
    format: ['text', 'sarif'],
    'output-dir': 'reports',
    'sarif-category': 'cloudward/prod',
    waivers: 'waivers.yaml',
    'skip-checks': ['aws-root-mfa-enabled'],
  };
  await fc.assert(
    fc.asyncProperty(mutations, textEdit, fc.boolean(), async (m, edits, asText) => {
      const text = asText ? editText(stringify(document), edits) : stringify(mutate(document, m));
      writeFileSync(file, text);
      return onlyUserErrors(
        t,
        () => loadConfig(file),
        () => text,
      );
    }),
    fuzzParameters(50),
  );
  t.pass();
});

test('check YAML: a fuzzed check is loaded or refused in one line', async (t) => {
  const dir = await tempDir('cloudward-fuzz-check-');
  const sources = [
    'aws/aws-root-mfa-enabled.yaml',
    'azure/azure-no-custom-wildcard-role-at-subscription.yaml',
    'gcp/gcp-no-basic-roles-for-users.yaml',
  ].map((p) => readFileSync(join(ROOT, 'policies', p), 'utf8'));
  await fc.assert(
    fc.asyncProperty(fc.nat(), mutations, textEdit, fc.boolean(), async (which, m, edits, asText) => {
      const source = sources[which % sources.length]!;
      const text = asText ? editText(source, edits) : stringify(mutate(parse(source), m));
      const id = /^id:\s*(\S+)/m.exec(source)?.[1] ?? 'fuzzed';
      const file = join(dir, `${id}.yaml`);
      writeFileSync(file, text);
      return onlyUserErrors(
        t,
        () => loadCheckFile(file),
        () => text,
      );
    }),
    fuzzParameters(40),
  );
  t.pass();
});

/** The log records the detection rules' own test cases hold: CloudTrail, Azure Activity, Entra sign-ins, GCP. */
function sampleRecords(): unknown[] {
  const found: unknown[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'record' && v && typeof v === 'object') found.push(v);
        else walk(v);
      }
    }
  };
  for (const rule of rules) walk(rule.definition.tests);
  return found;
}

test('detect readers: fuzzed audit-log records are read, counted as bad or refused in one line', async (t) => {
  const records = sampleRecords();
  t.true(records.length > 20, `${records.length} sample records`);
  const dir = await tempDir('cloudward-fuzz-detect-');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(), mutations), { minLength: 1, maxLength: 6 }),
      textEdit,
      fc.constantFrom('lines', 'array', 'records', 'text'),
      async (picks, edits, shape) => {
        const fuzzed = picks.map(([which, m]) => mutate(records[which % records.length], m));
        const text =
          shape === 'lines'
            ? fuzzed.map((r) => JSON.stringify(r)).join('\n')
            : shape === 'array'
              ? JSON.stringify(fuzzed)
              : shape === 'records'
                ? JSON.stringify({ Records: fuzzed })
                : editText(fuzzed.map((r) => JSON.stringify(r)).join('\n'), edits);
        const file = join(dir, 'events.json');
        writeFileSync(file, text || '{}');
        return onlyUserErrors(
          t,
          () => runDetection([file], rules, { lateness: 60_000, maxDocumentBytes: 16 * 1024 * 1024 }),
          () => text,
        );
      },
    ),
    fuzzParameters(50),
  );
  t.pass();
});
