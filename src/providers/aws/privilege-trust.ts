/**
 * Role trust policies as the escalation graph reads them: which callers a role admits for sts:AssumeRole, how (by
 * ARN, by account, by anyone) and under which undecided conditions.
 */
import { betterGrant as better, type Grant } from '../privilege/index.js';
import { evaluateCondition, type ConditionContext } from './conditions.js';
import { statementCoversAction, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import type { GraphPrincipal } from './privilege-principals.js';

export interface AccountTrust {
  plain: Array<{ to: number; grant: Grant }>;
  specific: number[];
  byRole: Map<number, { to: number; grant: Grant }>;
  /** Member role indices: all, and those in other accounts than the caller's. */
  all: number[];
  away: number[];
}

/** Trust facts of a role towards callers, prepared once per role. */
export interface TrustStatement {
  statement: PolicyStatement;
  aws: string[];
  /** The condition mentions who the caller is, so it is judged per caller. */
  callerSpecific: boolean;
}

const CALLER_KEYS = /^aws:(principal|username|userid|sourceidentity)/i;

function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return [];
  const value = (principal as Record<string, unknown>).AWS;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function servicePrincipals(principal: unknown): string[] {
  if (!principal || typeof principal !== 'object') return [];
  const value = (principal as Record<string, unknown>).Service;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function trustStatements(trust: PolicyDocument | undefined): TrustStatement[] {
  return (trust?.statements ?? [])
    .filter((s) => statementCoversAction(s, 'sts:AssumeRole'))
    .map((statement) => ({
      statement,
      aws: awsPrincipals(statement.principal),
      callerSpecific:
        statement.effect === 'Deny' ||
        Object.values(statement.condition ?? {}).some(
          (block) => block !== null && typeof block === 'object' && Object.keys(block).some((k) => CALLER_KEYS.test(k)),
        ),
    }));
}

/** How an AWS principal entry admits a caller: by its own ARN, by its account, by anyone. */
function admits(entry: string, caller: GraphPrincipal): 'direct' | 'account' | null {
  if (entry === '*') return 'account';
  if (entry === caller.arn) return 'direct';
  if (entry === caller.account || entry === `arn:${caller.partition}:iam::${caller.account}:root`) return 'account';
  return null;
}

/** Whether a role's trust policy admits the caller, how, and under which undecided conditions. */
export function trustAdmits(
  caller: GraphPrincipal,
  statements: TrustStatement[],
): { how: 'direct' | 'account'; grant: Grant; callerSpecific: boolean } | null {
  const context: ConditionContext = {
    'aws:principalarn': [caller.arn],
    'aws:principalaccount': [caller.account],
    'aws:currenttime': [caller.now],
    'aws:tokenissuetime': [caller.now],
    ...(caller.kind === 'user' ? { 'aws:username': [caller.name] } : {}),
  };
  let best: { how: 'direct' | 'account'; grant: Grant; callerSpecific: boolean } | null = null;
  let specific = false;
  for (const t of statements) {
    if (t.statement.effect !== 'Allow') continue;
    const how = t.aws.map((e) => admits(e, caller)).find((h) => h !== null);
    if (!how) continue;
    const verdict = evaluateCondition(t.statement.condition, context);
    if (verdict.holds === false) continue;
    const grant = { conditions: verdict.undecided, mfa: verdict.mfa === 'present' };
    specific ||= t.callerSpecific;
    const current: { how: 'direct' | 'account'; grant: Grant } | null = best;
    if (!current || (how === 'direct' && current.how !== 'direct') || better(current.grant, grant) === grant)
      best = { how, grant, callerSpecific: specific };
  }
  if (!best) return null;
  for (const t of statements) {
    if (t.statement.effect !== 'Deny' || !t.aws.some((e) => admits(e, caller))) continue;
    const verdict = evaluateCondition(t.statement.condition, context);
    if (verdict.holds === true && verdict.mfa !== 'absent') return null;
    if (verdict.holds === true) best.grant = { ...best.grant, mfa: true };
    best.callerSpecific = true;
  }
  return best;
}
