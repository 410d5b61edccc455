/**
 * A role's trust policy (AssumeRolePolicyDocument): who may assume it, and whether assuming it needs MFA — the
 * facts the just-in-time checks read.
 */
import { conditionKeys, parsePolicyDocument, PolicyDocumentError, statementCoversAction } from './policy-document.js';

interface TrustFacts {
  /** AWS principals (account roots, users, roles, `*`) allowed to call sts:AssumeRole. */
  awsPrincipals: string[];
  services: string[];
  federated: string[];
  /** Whether IAM users or roles (not only AWS services or an IdP) can assume the role. */
  assumableByIamPrincipals: boolean;
  /** Every statement that lets AWS principals assume the role tests aws:MultiFactorAuthPresent or MultiFactorAuthAge. */
  requiresMfa: boolean;
  /** Raw Condition blocks of the AWS-principal statements, as JSON text, for evidence. */
  conditions: string[];
}

const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

function principalValues(principal: unknown, key: 'AWS' | 'Service' | 'Federated'): string[] {
  if (principal === '*') return key === 'AWS' ? ['*'] : [];
  if (!principal || typeof principal !== 'object') return [];
  const value = (principal as Record<string, unknown>)[key];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads a trust policy; an unreadable one is reported as assumable by nobody known, without MFA. */
export function analyzeTrustPolicy(document: unknown): TrustFacts {
  const facts: TrustFacts = {
    awsPrincipals: [],
    services: [],
    federated: [],
    assumableByIamPrincipals: false,
    requiresMfa: false,
    conditions: [],
  };
  let statements;
  try {
    statements = parsePolicyDocument(document).statements;
  } catch (error) {
    if (error instanceof PolicyDocumentError) return facts;
    throw error;
  }
  let awsStatements = 0;
  let mfaStatements = 0;
  for (const s of statements) {
    if (s.effect !== 'Allow' || !ASSUME_ACTIONS.some((a) => statementCoversAction(s, a))) continue;
    const aws = principalValues(s.principal, 'AWS');
    facts.services.push(...principalValues(s.principal, 'Service'));
    facts.federated.push(...principalValues(s.principal, 'Federated'));
    if (aws.length === 0) continue;
    facts.awsPrincipals.push(...aws);
    awsStatements++;
    const keys = conditionKeys(s);
    if (keys.includes('aws:multifactorauthpresent') || keys.includes('aws:multifactorauthage')) mfaStatements++;
    if (s.condition) facts.conditions.push(JSON.stringify(s.condition));
  }
  facts.assumableByIamPrincipals = awsStatements > 0;
  facts.requiresMfa = awsStatements > 0 && mfaStatements === awsStatements;
  return facts;
}
