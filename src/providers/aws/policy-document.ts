/**
 * IAM policy documents: parsing (URL-encoded, JSON text or objects, as IAM and the AWS CLI hand them out) and the
 * wildcard matching that IAM evaluation uses for actions and resources.
 */

import { globMatch } from '../../util/glob.js';

/** One statement, with every single-or-list field turned into a list. */
export interface PolicyStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** `Action` patterns, or null when the statement uses `NotAction`. */
  actions: string[] | null;
  notActions: string[] | null;
  resources: string[] | null;
  notResources: string[] | null;
  /** The `Condition` block, or null when the statement is unconditional. */
  condition: Record<string, unknown> | null;
  /** The `Principal` block (trust and resource policies only). */
  principal: unknown;
}

export interface PolicyDocument {
  statements: PolicyStatement[];
}

/** Thrown for a document that is not an IAM policy; callers turn it into a UserError or a privilege reason. */
export class PolicyDocumentError extends Error {
  override readonly name = 'PolicyDocumentError';
}

function asList(value: unknown, field: string): string[] | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new PolicyDocumentError(`"${field}" must be a string or a list of strings`);
}

/**
 * Decodes what IAM returns for a document: GetAccountAuthorizationDetails gives RFC 3986 URL-encoded JSON text,
 * the AWS CLI prints it decoded as an object, Organizations gives plain JSON text.
 */
export function decodePolicyDocument(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('{')) return JSON.parse(text) as unknown;
  return JSON.parse(decodeURIComponent(text)) as unknown;
}

/** Parses a policy document into statements; throws PolicyDocumentError on anything that is not a policy. */
export function parsePolicyDocument(value: unknown): PolicyDocument {
  let decoded: unknown;
  try {
    decoded = decodePolicyDocument(value);
  } catch (error) {
    throw new PolicyDocumentError(`not valid JSON: ${(error as Error).message}`);
  }
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new PolicyDocumentError('a policy document must be a JSON object');
  }
  const raw = (decoded as { Statement?: unknown }).Statement;
  if (raw === undefined) throw new PolicyDocumentError('no "Statement" in the policy document');
  const list = Array.isArray(raw) ? raw : [raw];
  const statements = list.map((item, index): PolicyStatement => {
    if (item === null || typeof item !== 'object') throw new PolicyDocumentError(`statement ${index} is not an object`);
    const s = item as Record<string, unknown>;
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      throw new PolicyDocumentError(`statement ${index}: "Effect" must be Allow or Deny`);
    const condition = s.Condition;
    return {
      ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
      effect: s.Effect,
      actions: asList(s.Action, 'Action'),
      notActions: asList(s.NotAction, 'NotAction'),
      resources: asList(s.Resource, 'Resource'),
      notResources: asList(s.NotResource, 'NotResource'),
      condition:
        condition && typeof condition === 'object' && Object.keys(condition).length > 0
          ? (condition as Record<string, unknown>)
          : null,
      principal: s.Principal ?? s.NotPrincipal,
    };
  });
  return { statements };
}

/**
 * IAM wildcard match: `*` any run of characters, `?` one character; actions compare case-insensitively, ARNs and
 * condition values case-sensitively. Linear in the value, however many stars the (outside) pattern has.
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = true): boolean {
  return globMatch(pattern, value, { ignoreCase, questionMark: true });
}

/** Whether the statement's Action/NotAction covers `action`. */
export function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  if (statement.actions) return statement.actions.some((p) => wildcardMatch(p, action));
  if (statement.notActions) return !statement.notActions.some((p) => wildcardMatch(p, action));
  return false;
}

/**
 * Whether the statement reaches "any resource" for its actions: `Resource: "*"`, or a `NotResource` (everything
 * but a list). A statement limited to named ARNs is narrower.
 */
export function statementCoversAnyResource(statement: PolicyStatement): boolean {
  if (statement.notResources) return true;
  return (statement.resources ?? []).some((r) => r === '*');
}

/**
 * Whether the statement reaches resources other than the caller's own, e.g. `arn:aws:iam::*:user/*` but not
 * `arn:aws:iam::123456789012:user/${aws:username}` (the usual self-service pattern).
 */
export function statementCoversOthers(statement: PolicyStatement): boolean {
  if (statement.notResources) return true;
  return (statement.resources ?? []).some(
    (r) => r.includes('*') && !r.includes('${aws:username}') && !r.includes('${aws:userid}'),
  );
}

/** The condition keys a statement tests (lower-cased), e.g. `aws:multifactorauthpresent`. */
export function conditionKeys(statement: PolicyStatement): string[] {
  if (!statement.condition) return [];
  const keys: string[] = [];
  for (const block of Object.values(statement.condition)) {
    if (block && typeof block === 'object') keys.push(...Object.keys(block).map((k) => k.toLowerCase()));
  }
  return keys;
}

/** Action patterns of a document split by effect, for `roles[].permissions` (NotAction written as `NOT <pattern>`). */
export function permissionPatterns(document: PolicyDocument): { allow: string[]; deny: string[] } {
  const allow = new Set<string>();
  const deny = new Set<string>();
  for (const s of document.statements) {
    const target = s.effect === 'Allow' ? allow : deny;
    for (const a of s.actions ?? []) target.add(a);
    for (const a of s.notActions ?? []) target.add(`NOT ${a}`);
  }
  return { allow: [...allow], deny: [...deny] };
}
