import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Command, Option } from 'commander';
import { EXAMPLE, messageLines, runCli, tempDir } from '../helpers/cli.js';
import { buildProgram } from '../../src/cli/main.js';

/** One CloudTrail record from an offensive tool: a high finding. */
async function trufflehogLog(): Promise<string> {
  const path = join(await tempDir(), 'trail.json');
  const record = {
    eventTime: '2026-01-01T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'TruffleHog',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci', accessKeyId: 'AKIAEXAMPLE000000004' },
    recipientAccountId: '111122223333',
  };
  await writeFile(path, JSON.stringify({ Records: [record] }));
  return path;
}

test('detect reads its own flags from CLOUDWARD_DETECT_* variables; the command line wins', async (t) => {
  const log = await trufflehogLog();
  t.is((await runCli(['detect', log])).code, 1, 'a high finding fails by default');
  const env = await runCli(['detect', log], {
    env: { CLOUDWARD_DETECT_FAIL_ON: 'none', CLOUDWARD_DETECT_FORMAT: 'json' },
  });
  t.is(env.code, 0, env.stderr);
  t.is((JSON.parse(env.stdout) as { summary: { findings: number } }).summary.findings, 1);
  t.is((await runCli(['detect', log, '--fail-on', 'high'], { env: { CLOUDWARD_DETECT_FAIL_ON: 'none' } })).code, 1);
  const bad = await runCli(['detect', log], { env: { CLOUDWARD_DETECT_FAIL_ON: 'severe' } });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^cloudward: CLOUDWARD_DETECT_FAIL_ON: "severe"/);
});

test("an audit's variables do not reach detect: its threshold and formats mean other things there", async (t) => {
  const log = await trufflehogLog();
  const run = await runCli(['detect', log], { env: { CLOUDWARD_FAIL_ON: 'none', CLOUDWARD_FORMAT: 'html' } });
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /^cloudward detect: 1 events/);
  t.notRegex(run.stderr, /warning:.*CLOUDWARD_/, 'both are known variables (the audit reads them)');
});

test('diff and checks read their own flags from CLOUDWARD_* variables', async (t) => {
  const dir = await tempDir();
  const report = join(dir, 'r.json');
  t.is((await runCli(['audit', EXAMPLE, '--fail-on', 'none', '-f', 'json', '-o', report])).code, 0);
  const diff = await runCli(['diff', report, report], { env: { CLOUDWARD_FORMAT: 'markdown' } });
  t.is(diff.code, 0, diff.stderr);
  t.regex(diff.stdout, /^## cloudward: what changed/);
  const list = await runCli(['checks', 'list'], { env: { CLOUDWARD_FORMAT: 'json', CLOUDWARD_MITIGATION: 'M1038' } });
  t.is(list.code, 0, list.stderr);
  const checks = JSON.parse(list.stdout) as Array<{ mitigation: string }>;
  t.true(checks.length > 0);
  t.true(checks.every((c) => c.mitigation === 'M1038'));
});

test('an unknown CLOUDWARD_* variable is a warning naming the near ones; known ones are quiet', async (t) => {
  const typo = await runCli(['checks', 'list'], { env: { CLOUDWARD_FAIL_ONN: 'critical' } });
  t.is(typo.code, 0, typo.stderr);
  t.deepEqual(messageLines(typo.stderr), [
    'cloudward: warning: CLOUDWARD_FAIL_ONN is not a variable cloudward reads; did you mean CLOUDWARD_FAIL_ON?',
  ]);
  const far = await runCli(['checks', 'list'], { env: { CLOUDWARD_BANANA: '1' } });
  t.is(messageLines(far.stderr).length, 1);
  t.regex(
    far.stderr,
    /^cloudward: warning: CLOUDWARD_BANANA is not a variable cloudward reads; it reads CLOUDWARD_<FLAG> for a flag of the command/,
  );
  // Documented variables, and flags of other commands (a CI job sets them once for several steps), are known.
  const known = await runCli(['checks', 'list'], {
    env: {
      CLOUDWARD_DEBUG: '0',
      CLOUDWARD_PROVIDER_MODULES: '',
      CLOUDWARD_PROFILE: 'audit',
      CLOUDWARD_DETECT_MAX_LATENESS: '5m',
      CLOUDWARD_SNAPSHOTS: 'a.json',
      CLOUDWARD_ARGS: '',
    },
  });
  t.is(known.stderr, '');
  // detect's flags have variables of their own; the name without DETECT_ points at it.
  const unprefixed = await runCli(['checks', 'list'], { env: { CLOUDWARD_MAX_LATENESS: '5m' } });
  t.deepEqual(messageLines(unprefixed.stderr), [
    'cloudward: warning: CLOUDWARD_MAX_LATENESS is not a variable cloudward reads; did you mean CLOUDWARD_DETECT_MAX_LATENESS?',
  ]);
});

// `npm run fuzz` sets these for its own suites, which run the CLI: a warning there would fail every run's one line.
test("the test suite's own CLOUDWARD_FUZZ_* variables are known, not warned about", async (t) => {
  const run = await runCli(['checks', 'list'], { env: { CLOUDWARD_FUZZ_RUNS: '2000', CLOUDWARD_FUZZ_SEED: '5' } });
  t.is(run.code, 0, run.stderr);
  t.deepEqual(messageLines(run.stderr), []);
});

test('SOURCE_DATE_EPOCH pins the report time; one that is not a number is exit 2 with one line', async (t) => {
  const pinned = await runCli(['audit', EXAMPLE, '--fail-on', 'none', '-f', 'json'], {
    env: { SOURCE_DATE_EPOCH: '1767225600' },
  });
  t.is((JSON.parse(pinned.stdout) as { generatedAt: string }).generatedAt, '2026-01-01T00:00:00.000Z');
  for (const value of ['yesterday', '1767225600.5', '-1', '99999999999999999']) {
    const run = await runCli(['audit', EXAMPLE, '--fail-on', 'none', '-f', 'json'], {
      env: { SOURCE_DATE_EPOCH: value },
    });
    t.is(run.code, 2, value);
    t.is(run.stdout, '');
    t.is(messageLines(run.stderr).length, 1, run.stderr);
    t.regex(run.stderr, /^cloudward: SOURCE_DATE_EPOCH: /);
  }
});

test('an empty format (-f "") is a usage error, not the default', async (t) => {
  const log = await trufflehogLog();
  for (const args of [
    ['audit', EXAMPLE, '-f', ''],
    ['audit', EXAMPLE, '--format', ','],
    ['detect', log, '-f', ''],
    ['diff', EXAMPLE, EXAMPLE, '-f', ''],
    ['checks', 'list', '--format', ''],
  ]) {
    const run = await runCli(args);
    t.is(run.code, 2, args.join(' '));
    t.is(run.stdout, '', args.join(' '));
    t.is(messageLines(run.stderr).length, 1, run.stderr);
  }
  const env = await runCli(['audit', EXAMPLE], { env: { CLOUDWARD_FORMAT: '' } });
  t.is(env.code, 2, 'an empty variable is the same mistake');
});

/** Every option of every command, the provider commands included. */
function allOptions(command: Command, path = ''): Array<{ command: string; option: Option; help: string }> {
  const here = `${path} ${command.name()}`.trim();
  const help = command.createHelp();
  return [
    ...(command.options as Option[]).map((option) => ({
      command: here,
      option,
      help: `${help.optionTerm(option)} ${help.optionDescription(option)}`,
    })),
    ...command.commands.flatMap((sub) => allOptions(sub, here)),
  ];
}

test('help names the unit of every flag that takes a duration or a size, defaults included', async (t) => {
  const options = allOptions(await buildProgram(['--help']));
  const measured = options.filter(({ option }) =>
    /lateness|-size\b|-age\b|lifetime|timeout|interval|stale|<(duration|MiB|days|minutes|seconds)>/i.test(option.flags),
  );
  t.true(measured.length >= 3, measured.map((m) => m.option.flags).join(', '));
  for (const { command, option, help } of measured) {
    t.regex(help, /\b(MiB|days?|hours?|minutes?|seconds?)\b|\b\d+(s|m|h|d)\b/, `${command} ${option.flags}: ${help}`);
    t.notRegex(
      help,
      /default: "?\d{5,}"?\)/,
      `${command} ${option.flags} shows its default in a unit, not in milliseconds or bytes`,
    );
  }
});
