import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { runRuleCases } from '../../src/detect/cases.js';
import { loadRules } from '../../src/detect/rules.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';

test('every built-in rule decides its own test events', async (t) => {
  const rules = await loadRules();
  t.true(rules.length >= 13);
  const outcomes = rules.flatMap(runRuleCases);
  for (const o of outcomes)
    t.true(o.ok, `${o.ruleId}: ${o.name}: expected ${o.expected}, got ${o.actual} (${o.detail})`);
  // Each rule has a case that fires and one that stays quiet (the loader enforces it; this proves the cases ran).
  for (const rule of rules) {
    const mine = outcomes.filter((o) => o.ruleId === rule.id);
    t.true(mine.some((o) => o.actual > 0) && mine.some((o) => o.actual === 0), rule.id);
  }
});

test('the rule set covers the three clouds, maps to T1059.009 and names DET0078 tunables', async (t) => {
  const rules = await loadRules();
  const clouds = new Set(rules.flatMap((r) => r.definition.clouds ?? []));
  t.deepEqual([...clouds].sort(), ['aws', 'azure', 'gcp']);
  for (const r of rules) {
    t.is(r.definition.attack.technique, 'T1059.009');
    t.is(r.definition.det0078.analytic, 'AN0215');
  }
  t.truthy(rules.find((r) => r.threshold) && rules.find((r) => r.firstSeen) && rules.find((r) => r.sequence));
});

test('cloudward detect --test runs the cases and exits 0', async (t) => {
  const run = await runCli(['detect', '--test']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, new RegExp(`${(await loadRules()).length} rules, \\d+ cases\\n\\d+ passed, 0 failed`));
});

const GOOD_RULE = `id: my-rule
title: A rule for testing
description: Fires on any IAM write from the CLI.
severity: low
attack: { technique: T1059.009 }
det0078: { analytic: AN0215, tunables: [UserAgent] }
match:
  properties:
    access: { const: write }
response: Look at it and decide.
tests:
  - name: fires
    events: [{ access: write, operation: CreateUser }]
    expect: 1
  - name: quiet
    events: [{ access: read }]
    expect: 0
`;

async function ruleDir(name: string, text: string): Promise<string> {
  const dir = join(await tempDir('cloudward-rules-'), 'rules');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), text);
  return dir;
}

test('a custom rule folder is tested; a case that fails exits 1 and says which', async (t) => {
  const ok = await runCli([
    'detect',
    '--test',
    '--no-builtin-rules',
    '--rules',
    await ruleDir('my-rule.yaml', GOOD_RULE),
  ]);
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  const bad = await runCli([
    'detect',
    '--test',
    '--no-builtin-rules',
    '--rules',
    await ruleDir('my-rule.yaml', GOOD_RULE.replace('expect: 1', 'expect: 2')),
  ]);
  t.is(bad.code, 1);
  t.regex(bad.stdout, /FAIL my-rule: fires\n\s+expected 2 finding\(s\), got 1/);
});

const BROKEN: Array<[string, string, string, RegExp]> = [
  [
    'malformed YAML',
    'my-rule.yaml',
    GOOD_RULE.replace('severity: low', 'severity: [low'),
    /my-rule\.yaml:\d+: malformed YAML/,
  ],
  [
    'unknown top-level key',
    'my-rule.yaml',
    GOOD_RULE.replace('severity: low', 'severity: low\nseverty: high'),
    /my-rule\.yaml:5: invalid detection rule: \/: unknown field "severty"/,
  ],
  [
    'a match on a field the event lacks',
    'my-rule.yaml',
    GOOD_RULE.replace('access: { const: write }', 'acess: { const: write }'),
    /my-rule\.yaml:9: match names "acess", which the event shape has not/,
  ],
  [
    'a pattern that backtracks without bound on attacker-chosen text',
    'my-rule.yaml',
    GOOD_RULE.replace(
      'access: { const: write }',
      () => "access: { const: write }\n    operation: { pattern: '^(Create\\w*)+$' }",
    ),
    /my-rule\.yaml:10: pattern "\^\(Create\\\\w\*\)\+\$" can backtrack without bound \(a repeated group that itself repeats/,
  ],
  [
    'an invalid JSON Schema',
    'my-rule.yaml',
    GOOD_RULE.replace('access: { const: write }', 'access: { type: strin }'),
    /my-rule\.yaml:\d+: invalid JSON Schema in match/,
  ],
  [
    'an id that differs from the file name',
    'other.yaml',
    GOOD_RULE,
    /other\.yaml:1: rule id "my-rule" does not match its file name "other"/,
  ],
  [
    'no case that expects a finding',
    'my-rule.yaml',
    GOOD_RULE.replace('expect: 1', 'expect: 0'),
    /my-rule\.yaml:\d+: a rule needs a test that expects a finding/,
  ],
  [
    'a bad duration',
    'my-rule.yaml',
    GOOD_RULE.replace('response:', 'threshold: { window: 10 minutes, by: [actor.principal], atLeast: 3 }\nresponse:'),
    /my-rule\.yaml:\d+: invalid detection rule: \/threshold\/window: must match pattern/,
  ],
  [
    'two stateful parts',
    'my-rule.yaml',
    GOOD_RULE.replace(
      'response:',
      'threshold: { window: 10m, by: [actor.principal], atLeast: 3 }\nfirstSeen: { key: [actor.principal], lookback: 1d }\nresponse:',
    ),
    /my-rule\.yaml:\d+: invalid detection rule: use at most one of threshold, firstSeen, sequence/,
  ],
  [
    'a step joining on more fields than the sequence',
    'my-rule.yaml',
    GOOD_RULE.replace(
      'response:',
      'sequence:\n  window: 1h\n  by: [actor.keyId]\n  steps:\n    - { name: made, match: {} }\n    - { name: used, by: [actor.keyId, src.ip], match: {} }\nresponse:',
    ),
    /my-rule\.yaml:15: step "used" joins on 2 field\(s\), the sequence on 1/,
  ],
  [
    'an unseen naming a later step',
    'my-rule.yaml',
    GOOD_RULE.replace(
      'response:',
      'sequence:\n  window: 1h\n  by: [actor.keyId]\n  history: { key: [actor.principal], value: [src.ip], lookback: 1d }\n  steps:\n    - { name: made, unseen: [used], match: {} }\n    - { name: used, match: {} }\nresponse:',
    ),
    /my-rule\.yaml:15: unseen names "used", which is not this or an earlier step/,
  ],
  [
    'an unseen without a history to look in',
    'my-rule.yaml',
    GOOD_RULE.replace(
      'response:',
      'sequence:\n  window: 1h\n  by: [actor.keyId]\n  steps:\n    - { name: made, match: {} }\n    - { name: used, unseen: [made], match: {} }\nresponse:',
    ),
    /my-rule\.yaml:15: unseen needs the sequence's history/,
  ],
  [
    'firstSeen each without value fields',
    'my-rule.yaml',
    GOOD_RULE.replace('response:', 'firstSeen: { key: [actor.principal], lookback: 1d, each: true }\nresponse:'),
    /my-rule\.yaml:10: firstSeen each and knownAtMost need value fields/,
  ],
  [
    'an unknown group field',
    'my-rule.yaml',
    GOOD_RULE.replace('response:', 'threshold: { window: 10m, by: [actor.name], atLeast: 3 }\nresponse:'),
    /my-rule\.yaml:\d+: invalid detection rule: \/threshold\/by\/0: must be one of/,
  ],
];

for (const [what, name, text, pattern] of BROKEN) {
  test(`a rule file with ${what} is refused with file:line and exit 2`, async (t) => {
    const dir = await ruleDir(name, text);
    for (const args of [
      ['detect', '--test', '--no-builtin-rules', '--rules', dir],
      ['detect', '--rules', dir, 'nonexistent.json'],
    ]) {
      const run = await runCli(args);
      t.is(run.code, 2, run.stdout + run.stderr);
      const lines = messageLines(run.stderr);
      t.is(lines.length, 1, run.stderr);
      t.regex(lines[0]!, pattern);
    }
  });
}

test('docs/detect.md documents every built-in rule', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../docs/detect.md', import.meta.url), 'utf8');
  for (const rule of await loadRules()) t.true(doc.includes(`### ${rule.id}\n`), rule.id);
});

test('schemas/detection.schema.json is a valid, strict draft 2020-12 schema', async (t) => {
  const { createAjv, loadSchema } = await import('../../src/util/ajv.js');
  const ajv = createAjv({ strictTypes: false });
  const schema = loadSchema('detection.schema.json');
  t.true(ajv.validateSchema(schema) as boolean, JSON.stringify(ajv.errors));
  t.notThrows(() => ajv.compile(schema));
});
