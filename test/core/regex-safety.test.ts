import test from 'ava';
import { backtrackingRisk, schemaPatterns } from '../../src/util/regex-safety.js';

test('nested quantifiers and backreferences are named as a backtracking risk', (t) => {
  for (const pattern of ['(a+)+$', '(\\w*)*x', '^(a|b+)*c', '((ab)*)+', '(a{1,5})+', '(x+){2,}', '(a)\\1', '(?<n>a)\\k<n>']) t.truthy(backtrackingRisk(pattern), pattern);
});

test('the patterns the shipped rules use, and ordinary ones, are not', (t) => {
  for (const pattern of ['SetIamPolicy$', '^microsoft\\.authorization/role(assignments|definitions)/write$', '(SetIamPolicy|google\\.iam\\.admin\\.v1\\.Create[A-Za-z]*)$', '^(Attach|Put|Create)', '[(+*]+', '(ab)?c', '(a)+', '(ab){2}', '\\(a+\\)+', 'a+?b*?']) t.is(backtrackingRisk(pattern), undefined, pattern);
});

test('every pattern of a schema is found with its path', (t) => {
  const found = schemaPatterns({ properties: { operation: { pattern: '^a' }, x: { anyOf: [{ pattern: 'b$' }] }, y: { const: { pattern: 'not a schema' } } } });
  t.deepEqual(found, [
    { pattern: '^a', path: ['properties', 'operation', 'pattern'] },
    { pattern: 'b$', path: ['properties', 'x', 'anyOf', 0, 'pattern'] },
  ]);
});
