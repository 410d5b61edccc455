import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { createAjv, loadSchema } from '../../src/util/ajv.js';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli.js';

interface Control {
  id: string;
  checks: string[];
  status: string;
  counts: Record<string, number>;
}

test('CIS AWS v5.0.0 on the example lists every control the checks cover, each with a status drawn from its results', async (t) => {
  const run = await runCli(['audit', EXAMPLE, '--compliance', 'cis-aws-v5.0.0', '-f', 'json', '--fail-on', 'none']);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const validate = createAjv({ allErrors: true, strictTypes: false }).compile(loadSchema('report.schema.json'));
  t.true(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
  const view = report.compliance as { framework: string; controls: Control[]; totals: Record<string, number> };
  t.is(view.framework, 'cis-aws-v5.0.0');
  const covered = new Set<string>(
    report.checks.flatMap(
      (c: { references: { cis?: Record<string, string[]> } }) => c.references.cis?.['aws-v5.0.0'] ?? [],
    ),
  );
  t.true(covered.size >= 12);
  for (const id of covered)
    t.true(
      view.controls.some((c) => c.id === id && c.checks.length > 0),
      `control ${id} listed`,
    );
  // A control in scope that no check tests is shown as such, not left out.
  t.like(
    view.controls.find((c) => c.id === '1.20'),
    { checks: [], status: 'not-covered' },
  );
  // Ordered as a reader expects: 1.9 before 1.11.
  const ids = view.controls.map((c) => c.id);
  t.true(ids.indexOf('1.9') < ids.indexOf('1.11'));
  for (const control of view.controls.filter((c) => c.checks.length > 0)) {
    const results = report.results.filter((r: { checkId: string }) => control.checks.includes(r.checkId));
    const has = (s: string) => results.some((r: { status: string }) => r.status === s);
    const expected =
      results.length === 0
        ? 'no-resources'
        : has('fail') || has('waived')
          ? 'fail'
          : has('unknown')
            ? 'unknown'
            : 'pass';
    t.is(control.status, expected, control.id);
    t.is(
      Object.values(control.counts).reduce((a, b) => a + b, 0),
      results.length,
    );
  }
  t.is(
    Object.values(view.totals).reduce((a, b) => a + b, 0),
    view.controls.length,
  );
});

test('the compliance view appears in text, markdown and HTML too; NIST and the Azure and GCP benchmarks work', async (t) => {
  const dir = await tempDir();
  const run = await runCli([
    'audit',
    EXAMPLE,
    '--compliance',
    'cis-azure-v3.0.0',
    '--output-dir',
    dir,
    '-f',
    'text,markdown,html',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  t.regex(
    await readFile(join(dir, 'cloudward.txt'), 'utf8'),
    /Compliance: CIS Microsoft Azure Foundations Benchmark v3\.0\.0 — .*\n {2}2\.1\.1 +not covered/,
  );
  t.regex(
    await readFile(join(dir, 'cloudward.md'), 'utf8'),
    /### Compliance: CIS Microsoft Azure Foundations Benchmark v3\.0\.0\n\n.*\n\n\| Control \| Status \|/,
  );
  t.regex(await readFile(join(dir, 'cloudward.html'), 'utf8'), /<h2 id="compliance">Compliance: CIS Microsoft Azure/);
  for (const framework of ['cis-gcp-v3.0.0', 'nist-800-53', 'CIS-AWS-V5.0.0']) {
    const json = JSON.parse(
      (await runCli(['audit', EXAMPLE, '--compliance', framework, '-f', 'json', '--fail-on', 'none'])).stdout,
    );
    t.true(
      json.compliance.controls.some((c: Control) => c.status === 'fail' || c.status === 'pass'),
      framework,
    );
  }
});

test('checks list --compliance shows each control covered or not, with its checks; an unknown framework is an error', async (t) => {
  const run = await runCli(['checks', 'list', '--compliance', 'cis-aws-v5.0.0']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^CIS Amazon Web Services Foundations Benchmark v5\.0\.0\n/);
  t.regex(run.stdout, /\n1\.4 +covered +Ensure MFA is enabled for the root user account\n +aws-root-mfa-enabled\n/);
  t.regex(run.stdout, /\n1\.20 +not covered +Ensure identities are managed centrally/);
  const json = JSON.parse((await runCli(['checks', 'list', '--compliance', 'nist-800-53', '--format', 'json'])).stdout);
  t.true(json.controls.find((c: Control) => c.id === 'IA-2(1)').checks.includes('aws-root-mfa-enabled'));
  for (const args of [
    ['checks', 'list', '--compliance', 'pci-dss'],
    ['audit', EXAMPLE, '--compliance', 'pci-dss'],
  ]) {
    const bad = await runCli(args);
    t.is(bad.code, 2);
    t.regex(bad.stderr, /--compliance: unknown compliance framework "pci-dss" — use one of: cis-aws-v5\.0\.0/);
  }
});
