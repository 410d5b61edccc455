import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { loadRules } from '../../src/detect/rules.js';
import { EXAMPLE, fixture, messageLines, runCli, runCliProcess, tempDir } from '../helpers/cli.js';

test('--version prints the package version and exits 0', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  // A few runs stay real processes, as a user starts them (bin/cloudward.js, exit code, streams).
  const run = await runCliProcess(['--version']);
  t.is(run.code, 0);
  t.is(run.stdout.trim(), pkg.version);
});

for (const command of [
  [],
  ['audit'],
  ['validate'],
  ['checks', 'list'],
  ['checks', 'show'],
  ['test'],
  ['collect'],
  ['import'],
  ['merge'],
  ['permissions'],
]) {
  test(`${['cloudward', ...command].join(' ')} --help shows usage with examples and exits 0`, async (t) => {
    const run = await runCli([...command, '--help']);
    t.is(run.code, 0);
    t.regex(run.stdout, /Usage: cloudward/);
    t.regex(run.stdout, /Examples:/);
  });
}

test('audit of the example prints the scorecard on stdout, the gate summary on stderr, and fails the default gate', async (t) => {
  const run = await runCliProcess(['audit', EXAMPLE]);
  t.is(run.code, 1);
  t.regex(run.stdout, /Overall score/);
  t.regex(run.stdout, /M1026 Privileged Account Management/);
  t.regex(run.stdout, /M1038 Execution Prevention/);
  t.regex(run.stdout, /CRITICAL \(\d+\)/);
  t.notRegex(run.stdout, /\x1b\[/, 'no colour when NO_COLOR is set');
  t.deepEqual(messageLines(run.stderr).length, 1);
  t.regex(run.stderr, /^cloudward: gate failed — /);
});

test('colour appears only when forced, and never with NO_COLOR', async (t) => {
  const forced = await runCli(['audit', EXAMPLE, '--fail-on', 'none'], {
    env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
  });
  t.regex(forced.stdout, /\x1b\[/);
  const both = await runCli(['audit', EXAMPLE, '--fail-on', 'none'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
  t.notRegex(both.stdout, /\x1b\[/);
});

test('--fail-on none passes the gate; --min-score above the score fails it', async (t) => {
  t.is((await runCli(['audit', EXAMPLE, '--fail-on', 'none'])).code, 0);
  const run = await runCli(['audit', EXAMPLE, '--fail-on', 'none', '--min-score', '99', '--quiet']);
  t.is(run.code, 1);
  t.regex(run.stderr, /below --min-score 99/);
});

test('a gap that leaves a high-severity check unknown fails the gate unless --allow-unknown', async (t) => {
  // Only the unknown results: no failing check selected.
  const checks = ['--checks', 'azure-activity-log-diagnostic-setting', '--fail-on', 'medium'];
  const strict = await runCli(['audit', EXAMPLE, ...checks]);
  t.is(strict.code, 1, strict.stderr);
  t.regex(strict.stderr, /could not be assessed/);
  const allowed = await runCli(['audit', EXAMPLE, ...checks, '--allow-unknown']);
  t.is(allowed.code, 0, allowed.stderr);
  t.regex(allowed.stderr, /gate passed/);
});

test('--output-dir writes every format, mode 0600, and the json report parses', async (t) => {
  const dir = await tempDir();
  const run = await runCli([
    'audit',
    EXAMPLE,
    '--output-dir',
    dir,
    '--format',
    'text,json',
    '--format',
    'sarif,html,ocsf',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  t.deepEqual((await readdir(dir)).sort(), [
    'cloudward.html',
    'cloudward.json',
    'cloudward.ocsf.json',
    'cloudward.sarif',
    'cloudward.txt',
  ]);
  for (const file of await readdir(dir)) t.is((await stat(join(dir, file))).mode & 0o777, 0o600, file);
  const report = JSON.parse(await readFile(join(dir, 'cloudward.json'), 'utf8')) as {
    results: unknown[];
    scorecard: { overall: { score: number } };
  };
  t.true(report.results.length > 10);
  t.is(typeof report.scorecard.overall.score, 'number');
  const ocsf = JSON.parse(await readFile(join(dir, 'cloudward.ocsf.json'), 'utf8')) as Array<{
    class_uid: number;
    type_uid: number;
    finding_info: { attacks: Array<{ sub_technique: { uid: string } }> };
  }>;
  t.is(ocsf.length, report.results.length);
  t.is(ocsf[0]!.class_uid, 2003);
  t.is(ocsf[0]!.type_uid, 200301);
  t.is(ocsf[0]!.finding_info.attacks[0]!.sub_technique.uid, 'T1059.009');
  const html = await readFile(join(dir, 'cloudward.html'), 'utf8');
  t.regex(html, /<svg/);
  t.notRegex(html, /<script[^>]*\ssrc=|https?:\/\/[^"]*\.(css|js)"/, 'self-contained: no external scripts or assets');
  // One inline script (the result filter), allowed by its hash and nothing else.
  t.is(html.match(/<script>/g)?.length, 1);
  t.regex(html, /script-src 'sha256-[A-Za-z0-9+/]+=*'"/);
});

test('the same input gives byte-identical reports (stable order, SOURCE_DATE_EPOCH)', async (t) => {
  const env = { SOURCE_DATE_EPOCH: '1793000000' };
  const a = await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none'], { env });
  const b = await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none'], { env });
  t.is(a.stdout, b.stdout);
  t.regex(a.stdout, /"generatedAt": "2026-10-26T/);
});

test('checks list, checks show and test work on the built-in checks', async (t) => {
  const list = await runCli(['checks', 'list']);
  t.is(list.code, 0);
  t.regex(list.stdout, /azure-ca-mfa-azure-management\s+critical/);
  const show = await runCli(['checks', 'show', 'azure-ca-mfa-azure-management']);
  t.regex(show.stdout, /CIS:\s+azure-v3.0.0 2.2.7/);
  const json = JSON.parse(
    (await runCli(['checks', 'list', '--format', 'json', '--mitigation', 'M1038'])).stdout,
  ) as Array<{ mitigation: string }>;
  t.true(json.length > 0 && json.every((c) => c.mitigation === 'M1038'));
  const cases = await runCli(['test']);
  t.is(cases.code, 0, cases.stdout);
  t.regex(cases.stdout, /^\d+ passed, 0 failed$/m);
  t.regex(
    cases.stdout,
    new RegExp(`^\\d+ checks, ${(await loadRules()).length} detection rules, \\d+ cases$`, 'm'),
    'the built-in detection rules run with the built-in checks',
  );
});

test('cloudward test --rules fails (exit 1) on a detection rule whose test events do not raise the expected findings', async (t) => {
  const run = await runCli([
    'test',
    fixture('bad', 'policies', 'failing-case.yaml'),
    '--checks',
    'failing-case',
    '--rules',
    fixture('bad', 'detections', 'access-denied-recon-burst.yaml'),
  ]);
  t.is(run.code, 1);
  t.regex(run.stdout, /FAIL access-denied-recon-burst: twelve denials in twelve seconds fire once/);
  t.regex(run.stdout, /expected 2 findings, got 1 finding/);
});

test('cloudward test DIR fails (exit 1) on a user check whose case does not hold, naming the case', async (t) => {
  const run = await runCli(['test', fixture('bad', 'policies', 'failing-case.yaml')]);
  t.is(run.code, 1);
  t.regex(run.stdout, /FAIL failing-case: enabled passes/);
  t.regex(run.stdout, /expected pass, got fail/);
});

test('merge writes a valid snapshot with a digest that validate verifies', async (t) => {
  const dir = await tempDir();
  const out = join(dir, 'merged.json');
  const run = await runCli([
    'merge',
    join('examples', 'acme', 'parts', 'azure.json'),
    join('examples', 'acme', 'parts', 'gcp.json'),
    '--output',
    out,
  ]);
  t.is(run.code, 0, run.stderr);
  t.is((await stat(out)).mode & 0o777, 0o600);
  const check = await runCli(['validate', out]);
  t.regex(check.stdout, /digest verified/);
  const twice = await runCli([
    'merge',
    join('examples', 'acme', 'parts', 'azure.json'),
    join('examples', 'acme', 'parts', 'azure.json'),
    '--output',
    join(dir, 'x.json'),
  ]);
  t.is(twice.code, 2);
  t.regex(twice.stderr, /is in two snapshots/);
});

// Every bad input: one line naming where, exit 2, no stack trace, nothing written.
const badInputs: Array<[string, string[], RegExp]> = [
  [
    'truncated JSON',
    ['audit', fixture('bad', 'snapshots', 'truncated.json')],
    /truncated\.json:\d+:\d+: malformed snapshot JSON: .*truncated/,
  ],
  [
    'wrong types',
    ['audit', fixture('bad', 'snapshots', 'wrong-types.json')],
    /wrong-types\.json#\/principals\/0\/mfa\/state: invalid snapshot/,
  ],
  [
    'unknown schemaVersion',
    ['audit', fixture('bad', 'snapshots', 'unknown-schema-version.json')],
    /unsupported snapshot schemaVersion "9\.0"/,
  ],
  ['0-byte file', ['audit', fixture('bad', 'snapshots', 'empty.json')], /empty\.json: snapshot is empty \(0 bytes\)/],
  ['a directory passed as a file', ['audit', fixture('bad')], /fixtures\/bad: snapshot is a directory/],
  ['a missing file', ['audit', fixture('bad', 'nope.json')], /nope\.json: snapshot not found/],
  [
    '__proto__ key in JSON',
    ['audit', fixture('bad', 'snapshots', 'proto-key.json')],
    /proto-key\.json:\d+:\d+: a "__proto__" key is not allowed/,
  ],
  ['a JSON array', ['audit', fixture('bad', 'snapshots', 'not-an-object.json')], /not a snapshot/],
  [
    'unknown field',
    ['audit', fixture('bad', 'snapshots', 'unknown-field.json')],
    /#\/principals\/1\/mfaState: invalid snapshot: unknown field "mfaState"/,
  ],
  ['digest mismatch', ['validate', fixture('bad', 'snapshots', 'digest-mismatch.json')], /digest mismatch/],
  ['unknown format name', ['audit', EXAMPLE, '--format', 'pdf'], /unknown format "pdf" — use one of/],
  ['several formats without --output-dir', ['audit', EXAMPLE, '--format', 'json,sarif'], /2 formats need --output-dir/],
  [
    'bad --fail-on',
    ['audit', EXAMPLE, '--fail-on', 'urgent'],
    /--fail-on.*use one of: critical, high, medium, low, none/,
  ],
  ['bad --min-score', ['audit', EXAMPLE, '--min-score', '150'], /--min-score.*0 to 100/],
  ['unknown option', ['audit', EXAMPLE, '--bogus'], /unknown option '--bogus'/],
  ['unknown check id', ['audit', EXAMPLE, '--checks', 'azure-nope'], /unknown check id "azure-nope"/],
  [
    'YAML alias bomb',
    ['audit', EXAMPLE, '--policies', fixture('bad', 'policies', 'alias-bomb.yaml')],
    /alias-bomb\.yaml: too many YAML aliases/,
  ],
  [
    'duplicate check ids',
    ['audit', EXAMPLE, '--policies', fixture('bad', 'policies', 'duplicate-ids')],
    /dup-check\.yaml:1: duplicate check id "dup-check" \(also defined in/,
  ],
  [
    'invalid JSON Schema in a check',
    ['audit', EXAMPLE, '--policies', fixture('bad', 'policies', 'invalid-json-schema.yaml')],
    /invalid-json-schema\.yaml:13: invalid JSON Schema in require/,
  ],
  [
    'unknown keyword in a check schema',
    ['validate', fixture('bad', 'policies', 'unknown-keyword.yaml')],
    /unknown-keyword\.yaml:13: .*unknown keyword: "mustBe"/,
  ],
  [
    'unknown field in a check',
    ['validate', fixture('bad', 'policies', 'unknown-field.yaml')],
    /unknown-field\.yaml:8: invalid check: \/: unknown field "severityScore"/,
  ],
  [
    'duplicate YAML key',
    ['validate', fixture('bad', 'policies', 'duplicate-key.yaml')],
    /duplicate-key\.yaml:8: malformed YAML: Map keys must be unique/,
  ],
  [
    '__proto__ key in YAML',
    ['validate', fixture('bad', 'policies', 'proto-key.yaml')],
    /proto-key\.yaml:14: a "__proto__" key is not allowed/,
  ],
  ['malformed YAML', ['validate', fixture('bad', 'policies', 'malformed.yaml')], /malformed\.yaml:\d+: malformed YAML/],
  [
    'a gapEffect topic the check does not need',
    ['validate', fixture('bad', 'policies', 'gap-effect-not-needed.yaml')],
    /gap-effect-not-needed\.yaml:18: gapEffect names "aws\.virtual-mfa", which is not among the check's needs — add "aws\.virtual-mfa" to needs/,
  ],
  [
    'gapEffect undercount without an aggregate',
    ['validate', fixture('bad', 'policies', 'gap-effect-undercount.yaml')],
    /gap-effect-undercount\.yaml:17: gapEffect "undercount" for "aws\.credential-report" needs an aggregate/,
  ],
  [
    'an unknown gapEffect',
    ['validate', fixture('bad', 'policies', 'gap-effect-unknown-value.yaml')],
    /gap-effect-unknown-value\.yaml:17: invalid check: \/gapEffect\/aws\.credential-report: must be one of "unknown", "fail-stands"/,
  ],
  [
    'check id not matching the file name',
    ['validate', fixture('bad', 'policies', 'id-mismatch.yaml')],
    /does not match its file name/,
  ],
  ['a missing policy folder', ['audit', EXAMPLE, '--policies', fixture('nope')], /policy folder not found/],
  [
    'a missing rule folder',
    ['detect', fixture('detect-report', 'trail.jsonl'), '--rules', fixture('nope')],
    /fixtures\/nope: rule folder or file not found — check the --rules path/,
  ],
  ['unknown provider', ['permissions', 'oracle'], /unknown provider "oracle"/],
  [
    'a waivers file naming an unknown check',
    ['validate', fixture('bad', 'waivers', 'unknown-check.yaml')],
    /unknown-check\.yaml:2: waiver 1 names unknown check "azure-nope"/,
  ],
];

for (const [name, args, expected] of badInputs) {
  test(`bad input — ${name}: one line, exit 2, no stack trace`, async (t) => {
    const dir = await tempDir();
    const run = await runCli([
      ...args,
      ...(args[0] === 'audit' && !args.includes('--format') ? ['--output-dir', dir] : []),
    ]);
    t.is(run.code, 2, run.stderr);
    const lines = messageLines(run.stderr);
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, /^cloudward: /);
    t.regex(lines[0]!, expected);
    t.notRegex(run.stderr, /\n\s+at /, 'no stack trace');
    t.deepEqual(await readdir(dir), [], 'nothing half-written');
  });
}

test('the JSON report validates against schemas/report.schema.json', async (t) => {
  const { createAjv, loadSchema } = await import('../../src/util/ajv.js');
  const validate = createAjv({ allErrors: true, strictTypes: false }).compile(loadSchema('report.schema.json'));
  const run = await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none']);
  t.true(validate(JSON.parse(run.stdout)), JSON.stringify(validate.errors?.slice(0, 3)));
});

test('validate recognises snapshots, reports, waivers files and checks by content', async (t) => {
  const run = await runCli([
    'validate',
    EXAMPLE,
    'examples/acme/baseline.json',
    'examples/acme/waivers.yaml',
    'policies/azure/azure-ca-mfa-azure-management.yaml',
  ]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /valid snapshot 1\.0/);
  t.regex(run.stdout, /baseline\.json: valid report 1\.0/);
  t.regex(run.stdout, /waivers\.yaml: valid waivers file \(3 waivers\)/);
  t.regex(run.stdout, /valid check azure-ca-mfa-azure-management/);
});
