/**
 * The example provider's audit-log part, end to end: registered through CLOUDWARD_PROVIDER_MODULES only (nothing in
 * src/ names it), its toy log is read, its user agent marker names the client, and its rule fires under `detect --rules`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import { ROOT, type CliRun } from '../helpers/cli.js';

const EXAMPLE = join(ROOT, 'test', 'support', 'example-provider');
const RULES = join(EXAMPLE, 'detections');
const LOGS = join(EXAMPLE, 'logs');

/** The CLI from source under tsx, with the example adapter registered (or not) through the environment. */
function detect(args: string[], register = true): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      NO_COLOR: '1',
      CLOUDWARD_PROVIDER_MODULES: register ? join(EXAMPLE, 'index.ts') : '',
    };
    execFile(
      process.execPath,
      ['--import', 'tsx', join(EXAMPLE, 'run-cli.ts'), 'detect', ...args],
      { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

interface DetectJson {
  findings: Array<{ ruleId: string; actor: string }>;
  inputs: Array<{ format: string; records: number; used: number }>;
}

test('a provider registered outside the tree has its own log read and its own rule fire, with no edit outside its folder', async (t) => {
  const run = await detect([LOGS, '--rules', RULES, '--no-builtin-rules', '--format', 'json', '--fail-on', 'none']);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as DetectJson;
  t.deepEqual(
    report.inputs.map((i) => [i.format, i.records, i.used]),
    [['demo-audit', 3, 3]],
  );
  t.deepEqual(
    report.findings.map((f) => [f.ruleId, f.actor]),
    [['demo-cli-user-deletion', 'alice']],
  );
});

test("the example rule's own cases pass through the example reader", async (t) => {
  const run = await detect(['--test', '--rules', RULES, '--no-builtin-rules']);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /1 rules, 2 cases\n2 passed, 0 failed/);
});

test('without the provider registered, its log is an unknown format and its rule names a cloud no provider reads', async (t) => {
  const log = await detect([LOGS, '--format', 'json', '--fail-on', 'none'], false);
  t.is(log.code, 2);
  t.regex(
    log.stderr,
    /demo-audit\.jsonl:1: unknown log format: the first record is not a CloudTrail, Azure Activity Log, Entra sign-in or audit, or GCP audit log record/,
  );
  const rule = await detect(['--test', '--rules', RULES, '--no-builtin-rules'], false);
  t.is(rule.code, 2);
  t.regex(rule.stderr, /demo-cli-user-deletion\.yaml:7: clouds names "demo", whose logs no registered provider reads/);
  t.regex(rule.stderr, /use one of: aws, azure, gcp/);
});
