import test from 'ava';
import { backtrackingRisk, schemaPatterns } from '../../src/util/regex-safety.js';

test('nested quantifiers and backreferences are named as a backtracking risk', (t) => {
  for (const pattern of [
    '(a+)+$',
    '(\\w*)*x',
    '^(a|b+)*c',
    '((ab)*)+',
    '(a{1,5})+',
    '(x+){2,}',
    '(a)\\1',
    '(?<n>a)\\k<n>',
  ])
    t.truthy(backtrackingRisk(pattern), pattern);
});

test('the patterns the shipped rules use, and ordinary ones, are not', (t) => {
  for (const pattern of [
    'SetIamPolicy$',
    '^microsoft\\.authorization/role(assignments|definitions)/write$',
    '(SetIamPolicy|google\\.iam\\.admin\\.v1\\.Create[A-Za-z]*)$',
    '^(Attach|Put|Create)',
    '[(+*]+',
    '(ab)?c',
    '(a)+',
    '(ab){2}',
    '\\(a+\\)+',
    'a+?b*?',
  ])
    t.is(backtrackingRisk(pattern), undefined, pattern);
});

test('every pattern of a schema is found with its path', (t) => {
  const found = schemaPatterns({
    properties: {
      operation: { pattern: '^a' },
      x: { anyOf: [{ pattern: 'b$' }] },
      y: { const: { pattern: 'not a schema' } },
    },
  });
  t.deepEqual(found, [
    { pattern: '^a', path: ['properties', 'operation', 'pattern'] },
    { pattern: 'b$', path: ['properties', 'x', 'anyOf', 0, 'pattern'] },
  ]);
});

test('a check whose pattern can backtrack without bound is refused at load, naming file:line', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const { parseCheckText } = await import('../../src/engine/load-checks.js');
  const { UserError } = await import('../../src/errors.js');
  const text = await readFile(new URL('../../policies/gcp/gcp-no-basic-roles-for-users.yaml', import.meta.url), 'utf8');
  t.notThrows(() => parseCheckText(text, 'gcp-no-basic-roles-for-users.yaml'));
  const bad = text.replace('":roles/(owner|editor|viewer)$"', '":roles/(\\\\w+)+$"');
  t.not(bad, text);
  const error = t.throws(() => parseCheckText(bad, 'gcp-no-basic-roles-for-users.yaml'), { instanceOf: UserError });
  t.regex(
    error!.oneLine(),
    /^gcp-no-basic-roles-for-users\.yaml:22: pattern ".*" can backtrack without bound \(a repeated group that itself repeats/,
  );
});
