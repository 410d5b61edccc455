import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { caseEvents, runRuleCases, type RuleTestWithFindings } from '../../src/detect/cases.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { loadRules, type Rule } from '../../src/detect/rules.js';
import { displayPath } from '../../src/engine/load-checks.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';

// A rule's test says which findings its events raise and for whom, not only how many (like a check's failing case
// pins its message and pointers).
const RULE = `id: my-rule
title: A rule for testing findings
description: Fires on any IAM write from the CLI.
severity: low
attack: { technique: T1059.009 }
det0078: { analytic: AN0215, tunables: [UserAgent] }
match:
  properties:
    access: { const: write }
response: Look at it and decide.
tests:
  - name: fires for bob and carol
    events:
      - { access: write, operation: CreateUser, actor: { principal: bob } }
      - { access: write, operation: CreateUser, actor: { principal: carol } }
    expect: 2
    findings:
FINDINGS
  - name: quiet
    events: [{ access: read }]
    expect: 0
`;

async function ruleDir(findings: string): Promise<string> {
  const dir = join(await tempDir('cloudward-rule-cases-'), 'rules');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'my-rule.yaml'), RULE.replace('FINDINGS', findings));
  return dir;
}

async function outcome(findings: string) {
  const [rule] = await loadRules({ paths: [await ruleDir(findings)], builtIn: false });
  return runRuleCases(rule!)[0]!;
}

/** The `findings:` lines for what a rule's test raises today, to review before adding them under its `expect`. */
function proposedFindings(rule: Rule, index: number): string {
  const engine = new DetectionEngine([rule]);
  for (const event of caseEvents(rule, index)) engine.process(event);
  return [
    '    findings:',
    ...engine.finish().map((f) => `      - { actor: ${JSON.stringify(f.actor)}, group: ${JSON.stringify(f.group)} }`),
  ].join('\n');
}

test('every built-in rule names, in each test that fires, the findings it raises and their actors, and they hold', async (t) => {
  const rules = await loadRules();
  for (const rule of rules) {
    rule.definition.tests.forEach((testCase: RuleTestWithFindings, index) => {
      if (testCase.expect === 0 || testCase.findings) return;
      t.fail(
        `${displayPath(rule.file)}: test ${JSON.stringify(testCase.name)} does not say which findings it raises; after reviewing them, add under its expect:\n${proposedFindings(rule, index)}`,
      );
    });
  }
  for (const o of rules.flatMap(runRuleCases))
    t.true(o.ok, `${displayPath(o.file)}: test ${JSON.stringify(o.name)}: ${o.detail}`);
});

test('the asserted findings match in any order, on actor, group and message', async (t) => {
  const o = await outcome(`      - { actor: carol, message: "CreateUser by carol" }
      - { actor: bob, group: "actor.principal=bob" }`);
  t.true(o.ok, o.detail);
});

test('a finding for another actor fails the test in one line naming expected against raised', async (t) => {
  const o = await outcome(`      - { actor: bob }
      - { actor: dave }`);
  t.false(o.ok);
  t.is(o.actual, 2, 'the count alone would have passed');
  t.deepEqual(o.problems, ['expected a finding with actor "dave", got actor "carol"']);
  t.is(o.detail, 'expected a finding with actor "dave", got actor "carol"');
});

test('a wrong group or message is named with the raised value', async (t) => {
  const o = await outcome(`      - { actor: bob, group: "actor.principal=carol" }
      - { actor: carol, message: "CreateUser by bob" }`);
  t.deepEqual(o.problems, [
    'expected a finding with actor "bob", group "actor.principal=carol", got actor "bob", group "actor.principal=bob"; actor "carol", group "actor.principal=carol"',
    'expected a finding with actor "carol", message "CreateUser by bob", got actor "bob", message "CreateUser by bob"; actor "carol", message "CreateUser by carol"',
  ]);
});

test('a findings list shorter than expect fails, and one raised finding cannot answer two entries', async (t) => {
  const short = await outcome('      - { actor: bob }');
  t.deepEqual(short.problems, ['lists 1 finding under findings but expects 2']);
  const twice = await outcome(`      - { actor: bob }
      - { actor: bob }`);
  t.deepEqual(twice.problems, ['expected a finding with actor "bob", got actor "carol"']);
});

test('cloudward test --rules prints the broken finding assertion under the case and exits 1', async (t) => {
  const dir = await ruleDir(`      - { actor: bob }
      - { actor: dave }`);
  const run = await runCli(['test', '--checks', 'aws-root-mfa-enabled', '--rules', dir]);
  t.is(run.code, 1, run.stdout + run.stderr);
  t.regex(
    run.stdout,
    /FAIL my-rule: fires for bob and carol\n\s+expected a finding with actor "dave", got actor "carol"\n/,
  );
  const detect = await runCli(['detect', '--test', '--no-builtin-rules', '--rules', dir]);
  t.is(detect.code, 1);
  t.regex(
    detect.stdout,
    /FAIL my-rule: fires for bob and carol\n\s+expected 2 finding\(s\), got 2 — expected a finding with actor "dave", got actor "carol"/,
  );
});

test('a findings entry without an actor is refused with file:line and exit 2', async (t) => {
  const run = await runCli([
    'detect',
    '--test',
    '--no-builtin-rules',
    '--rules',
    await ruleDir('      - { group: "actor.principal=bob" }\n      - { actor: carol }'),
  ]);
  t.is(run.code, 2, run.stdout + run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /my-rule\.yaml:\d+: invalid detection rule: \/tests\/0\/findings\/0: .*actor/);
});
