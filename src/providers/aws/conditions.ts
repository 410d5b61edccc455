/**
 * IAM `Condition` blocks evaluated against what a snapshot can know: the time it was taken (`aws:CurrentTime`,
 * `aws:TokenIssueTime`), who the caller is (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username`), which
 * service a role is passed to (`iam:PassedToService`) and which policy would be attached (`iam:PolicyARN`). MFA
 * (`aws:MultiFactorAuthPresent`, `aws:MultiFactorAuthAge`) is recorded rather than decided. Every other key is
 * undecidable from the snapshot: the clause is kept and named, so the report can say which condition it rests on.
 */
import { wildcardMatch } from './policy-document.js';

/** What is known about the request being judged; keys are lower-case condition keys, values any-of. */
export type ConditionContext = Record<string, string[] | undefined>;

interface ConditionVerdict {
  /** `false`: the block can never hold; `true`: it holds (perhaps with MFA); `unknown`: depends on undecided keys. */
  holds: boolean | 'unknown';
  /** The clauses the snapshot cannot decide, as `Operator key`. */
  undecided: string[];
  /** `present`: holds only with MFA; `absent`: holds only without MFA. */
  mfa?: 'present' | 'absent';
}

const MFA_PRESENT = 'aws:multifactorauthpresent';
const MFA_AGE = 'aws:multifactorauthage';

function values(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map((v) => String(v));
  return raw === undefined || raw === null ? [] : [String(raw)];
}

function compareDates(op: string, actual: number, expected: number): boolean | undefined {
  switch (op) {
    case 'dateequals':
      return actual === expected;
    case 'datenotequals':
      return actual !== expected;
    case 'datelessthan':
      return actual < expected;
    case 'datelessthanequals':
      return actual <= expected;
    case 'dategreaterthan':
      return actual > expected;
    case 'dategreaterthanequals':
      return actual >= expected;
    default:
      return undefined;
  }
}

function dateOf(text: string): number {
  // IAM accepts ISO 8601 or epoch seconds.
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

/** One operator on one known key: true/false, or undefined when the operator is not one this evaluator decides. */
function decide(op: string, actual: string[], expected: string[]): boolean | undefined {
  const any = (test: (a: string, e: string) => boolean) => actual.some((a) => expected.some((e) => test(a, e)));
  switch (op) {
    case 'stringequals':
    case 'arnequals':
      return any((a, e) => a === e);
    case 'stringequalsignorecase':
      return any((a, e) => a.toLowerCase() === e.toLowerCase());
    case 'stringlike':
    case 'arnlike':
      return any((a, e) => wildcardMatch(e, a, false));
    case 'stringnotequals':
    case 'arnnotequals':
      return actual.every((a) => !expected.includes(a));
    case 'stringnotequalsignorecase':
      return actual.every((a) => !expected.some((e) => e.toLowerCase() === a.toLowerCase()));
    case 'stringnotlike':
    case 'arnnotlike':
      return actual.every((a) => !expected.some((e) => wildcardMatch(e, a, false)));
    case 'bool':
      return any((a, e) => a.toLowerCase() === e.toLowerCase());
    default: {
      if (!op.startsWith('date')) return undefined;
      const results = actual.flatMap((a) => expected.map((e) => compareDates(op, dateOf(a), dateOf(e))));
      if (results.some((r) => r === undefined || Number.isNaN(r))) return undefined;
      return op === 'datenotequals' ? results.every(Boolean) : results.some(Boolean);
    }
  }
}

/** Evaluates a statement's Condition block; null (no condition) always holds. */
export function evaluateCondition(
  condition: Record<string, unknown> | null,
  context: ConditionContext,
): ConditionVerdict {
  const verdict: ConditionVerdict = { holds: true, undecided: [] };
  if (!condition) return verdict;
  for (const [rawOp, block] of Object.entries(condition)) {
    if (!block || typeof block !== 'object') continue;
    const ifExists = /ifexists$/i.test(rawOp);
    const op = rawOp
      .replace(/^for(any|all)values:/i, '')
      .replace(/ifexists$/i, '')
      .toLowerCase();
    for (const [rawKey, expectedRaw] of Object.entries(block as Record<string, unknown>)) {
      const key = rawKey.toLowerCase();
      const expected = values(expectedRaw);
      if (key === MFA_PRESENT && op === 'bool') {
        const wants = expected.map((e) => e.toLowerCase());
        if (wants.includes('true') && wants.includes('false')) continue;
        const need = wants.includes('true') ? 'present' : 'absent';
        if (verdict.mfa && verdict.mfa !== need) return { holds: false, undecided: [] };
        verdict.mfa = need;
        continue;
      }
      if (key === MFA_AGE && op.startsWith('numeric')) {
        if (verdict.mfa === 'absent') return { holds: false, undecided: [] };
        verdict.mfa = 'present';
        continue;
      }
      if (op === 'null') {
        const known = context[key];
        if (known === undefined) {
          verdict.undecided.push(`${rawOp} ${rawKey}`);
          continue;
        }
        if (!decide('bool', [known.length === 0 ? 'true' : 'false'], expected)) return { holds: false, undecided: [] };
        continue;
      }
      const actual = context[key];
      if (actual === undefined || (actual.length === 0 && !ifExists)) {
        verdict.undecided.push(`${rawOp} ${rawKey}`);
        continue;
      }
      if (actual.length === 0) continue; // IfExists on a key the request does not carry: the clause holds.
      const result = decide(op, actual, expected);
      if (result === undefined) verdict.undecided.push(`${rawOp} ${rawKey}`);
      else if (!result) return { holds: false, undecided: [] };
    }
  }
  if (verdict.undecided.length > 0) verdict.holds = 'unknown';
  return verdict;
}
