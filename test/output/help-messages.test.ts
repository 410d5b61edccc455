import test from 'ava';
import { EXAMPLE, messageLines, runCli } from '../helpers/cli.js';

const COMMANDS = [
  [],
  ['audit'],
  ['collect'],
  ['collect', 'aws'],
  ['collect', 'linux'],
  ['import'],
  ['import', 'aws'],
  ['import', 'windows'],
  ['import', 'linux'],
  ['merge'],
  ['validate'],
  ['checks'],
  ['checks', 'list'],
  ['checks', 'show'],
  ['diff'],
  ['test'],
  ['permissions'],
  ['ranges'],
  ['ranges', 'refresh'],
];

test('every --help has examples and no meaningless "(default: [])"', async (t) => {
  for (const command of COMMANDS) {
    const run = await runCli([...command, '--help']);
    t.is(run.code, 0, command.join(' '));
    t.regex(run.stdout, /\nExamples:\n {2}\$ cloudward /, `${command.join(' ') || 'cloudward'} --help`);
    t.notRegex(run.stdout, /default: \[\]/, `${command.join(' ')} --help`);
  }
});

test('numbers are parsed strictly: hex, exponents, blanks and signs are refused', async (t) => {
  for (const [flag, value] of [
    ['--min-score', '0x32'],
    ['--min-score', '1e1'],
    ['--min-score', ' 50'],
    ['--min-score', ''],
    ['--min-score', '-1'],
    ['--min-score', '101'],
    ['--max-input-size', '0x10'],
    ['--max-input-size', '0'],
  ] as const) {
    const run = await runCli(['audit', EXAMPLE, flag, value]);
    t.is(run.code, 2, `${flag} "${value}"`);
    t.regex(run.stderr, new RegExp(`${flag}.*(0 to 100|greater than 0)`));
  }
  t.is((await runCli(['audit', EXAMPLE, '--min-score', '12.5', '--fail-on', 'none'])).code, 0);
});

test('each message line has one "cloudward:" prefix', async (t) => {
  const runs = [
    await runCli(['audit', EXAMPLE, '--min-score', '99']),
    await runCli(['audit', 'missing.json']),
    await runCli(['audit', EXAMPLE, '--bogus']),
    await runCli(['checks', 'show', 'nope']),
  ];
  for (const run of runs) {
    for (const line of messageLines(run.stderr)) t.regex(line, /^cloudward: (?!.*cloudward: )/, line);
  }
});

test('an unknown --provider in checks list is an error naming the known ones', async (t) => {
  const run = await runCli(['checks', 'list', '--provider', 'oracle']);
  t.is(run.code, 2);
  t.regex(
    run.stderr,
    /^cloudward: --provider: unknown provider "oracle" — use one of: aws, azure, gcp, linux, windows\n$/,
  );
  const aws = await runCli(['checks', 'list', '--provider', 'aws']);
  t.is(aws.code, 0);
  t.regex(aws.stdout, /aws-root-mfa-enabled/);
  t.notRegex(aws.stdout, /azure-/);
});

test('permissions aws names the --org-role it is given; other providers refuse the flag', async (t) => {
  const run = await runCli(['permissions', 'aws', '--org-role', 'SecurityAuditRead']);
  t.is(run.code, 0, run.stderr);
  const policy = JSON.parse(run.stdout) as { Statement: Array<{ Action: string[]; Resource: string }> };
  t.is(
    policy.Statement.find((s) => s.Action.includes('sts:AssumeRole'))!.Resource,
    'arn:aws:iam::*:role/SecurityAuditRead',
  );
  t.false(run.stdout.includes('CloudwardAudit'));
  const bad = await runCli(['permissions', 'aws', '--org-role', 'no spaces']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--org-role: "no spaces" is not an IAM role name/);
  const linux = await runCli(['permissions', 'linux', '--org-role', 'X']);
  t.is(linux.code, 2);
  t.regex(linux.stderr, /--org-role applies to aws only/);
});

test('counts read in the right number: "1 failing result", "2 results"', async (t) => {
  const run = await runCli(['audit', EXAMPLE, '--checks', 'aws-root-mfa-enabled']);
  t.regex(run.stderr, /gate failed — 1 failing result at or above high severity/);
  t.notRegex(run.stderr, /\(s\)/);
});
