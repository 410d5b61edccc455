import test from 'ava';
import fc from 'fast-check';
import { compileGlob, globMatch, type GlobOptions } from '../../src/util/glob.js';

/** The regular expression each dialect used before: the reference the matcher must agree with. */
function reference(pattern: string, options: GlobOptions): RegExp {
  const sep = options.separator;
  const star = sep ? `[^${sep}]*` : '.*';
  const one = sep ? `[^${sep}]` : '.';
  const body = [...pattern]
    .map((c) =>
      c === '*' ? star : c === '?' && options.questionMark ? one : c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, options.ignoreCase ? 'is' : 's');
}

// Small alphabets make matches likely; the letters test case folding, the rest the characters regexes treat specially.
const alphabet = fc.constantFrom(
  'a',
  'A',
  'b',
  'B',
  '*',
  '?',
  '.',
  '/',
  ':',
  'ß',
  'K',
  '\u212a',
  'ı',
  'I',
  '\n',
  '\\',
  '(',
);
const valueChars = fc.constantFrom(
  'a',
  'A',
  'b',
  'B',
  '?',
  '.',
  '/',
  ':',
  'ß',
  'k',
  'K',
  '\u212a',
  'ı',
  'i',
  'I',
  '\n',
  '\\',
  '(',
);
const dialects: Array<[string, GlobOptions]> = [
  ['AWS actions', { ignoreCase: true, questionMark: true }],
  ['AWS ARNs', { questionMark: true }],
  ['Azure actions and AppLocker paths', { ignoreCase: true }],
  ['sshd Include', { questionMark: true, separator: '/' }],
];

for (const [name, options] of dialects) {
  test(`${name}: the matcher agrees with the regular expression it replaces`, (t) => {
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: valueChars, maxLength: 10 }),
        (pattern, value) => {
          return compileGlob(pattern, options).test(value) === reference(pattern, options).test(value);
        },
      ),
      { seed: 20, numRuns: 1500 },
    );
    t.pass();
  });
}

test('a value built from the pattern always matches it', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ unit: valueChars, maxLength: 4 }), fc.string({ unit: valueChars, maxLength: 4 })), {
        maxLength: 6,
      }),
      (parts) => {
        const pattern = parts.map(([literal]) => literal.replace(/[*?]/g, '')).join('*');
        const value = parts.map(([literal, filler]) => literal.replace(/[*?]/g, '') + filler).join('');
        return globMatch(`${pattern}*`, value, { questionMark: true });
      },
    ),
    { seed: 20, numRuns: 1000 },
  );
  t.pass();
});

test('runs of stars cost one pass over the value, not a try of every split', (t) => {
  const counter = { steps: 0 };
  const value = `iam:${'a'.repeat(200)}`;
  t.false(globMatch(`iam:${'*'.repeat(30)}Z`, value, { ignoreCase: true, questionMark: true }, counter));
  // Head and tail only: the stars merged into one and nothing lies between them.
  t.true(counter.steps <= 5, `${counter.steps} steps`);
});

test('stars between pieces cost at most (value + 1) x (pattern + 1) comparisons', (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 300 }),
      (pattern, value) => {
        const counter = { steps: 0 };
        globMatch(pattern, value, { questionMark: true }, counter);
        return counter.steps <= (value.length + 1) * (pattern.length + 1);
      },
    ),
    { seed: 20, numRuns: 500 },
  );
  // The shape that is exponential for a backtracking engine: `*a*a*a…*b` against a run of a's.
  const counter = { steps: 0 };
  const value = 'a'.repeat(2000);
  t.false(globMatch(`${'*a'.repeat(30)}*b*`, value, {}, counter));
  t.true(counter.steps <= 2 * value.length + 100, `${counter.steps} steps for ${value.length} characters`);
});

test('letters fold as a regular expression`s i flag folds them, other characters stay literal', (t) => {
  t.true(globMatch('IAM:create*', 'iam:CreateUser', { ignoreCase: true, questionMark: true }));
  t.false(globMatch('IAM:create*', 'iam:CreateUser', { questionMark: true }));
  t.true(globMatch('s3:Get?bject', 's3:GetObject', { questionMark: true }));
  t.false(globMatch('s3:Get?bject', 's3:GetObject', {}));
  t.true(globMatch('a?b', 'a?b', {}));
  t.false(globMatch('iam:List.', 'iam:ListX', { ignoreCase: true, questionMark: true }));
  t.false(globMatch('/etc/ssh/*.conf', '/etc/ssh/a/b.conf', { questionMark: true, separator: '/' }));
  t.true(globMatch('/etc/ssh/*/*.conf', '/etc/ssh/a/b.conf', { questionMark: true, separator: '/' }));
});
