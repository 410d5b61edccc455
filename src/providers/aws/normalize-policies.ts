/**
 * IAM policies (managed and inline) as snapshot `roles[]` entries, and the catalogue principals are joined against.
 */
import { UserError } from '../../errors.js';
import type { Role, Scope } from '../../snapshot/model.js';
import type { AccountView } from './account-view.js';
import type { InlinePolicy, ManagedPolicyDetail } from './documents.js';
import {
  parsePolicyDocument,
  permissionPatterns,
  PolicyDocumentError,
  type PolicyDocument,
} from './policy-document.js';
import { analyzePrivilege, grantsFullAdmin } from './privilege.js';
import type { ManagedPolicyFacts } from './privilege-graph.js';

/** A policy that principals can hold: its snapshot role uid, its name and its parsed default document. */
export interface CatalogPolicy {
  uid: string;
  name: string;
  document: PolicyDocument;
  /** Managed policies only. */
  arn?: string;
}

export interface PolicyCatalog {
  /** Managed policies by ARN. */
  managed: Map<string, CatalogPolicy>;
  /** What the privilege graph needs to know of each managed policy (editable, admin now, admin in another version). */
  facts: Map<string, ManagedPolicyFacts>;
  roles: Role[];
  /** Adds (once) and returns an inline policy of a user, group or role. */
  inline(owner: { kind: 'user' | 'group' | 'role'; name: string; arn: string }, policy: InlinePolicy): CatalogPolicy;
}

function parseOrExplain(document: unknown, what: string): PolicyDocument {
  try {
    return parsePolicyDocument(document);
  } catch (error) {
    if (error instanceof PolicyDocumentError) {
      throw new UserError(`${what}: ${error.message}`, {
        where: 'iam:GetAccountAuthorizationDetails',
        hint: 'the export is damaged; export it again with `aws iam get-account-authorization-details`',
      });
    }
    throw error;
  }
}

/** The snapshot uid of a managed policy: customer-managed by name, AWS-managed under `policy/aws/`. */
export function managedPolicyUid(accountId: string, arn: string, name: string): string {
  const awsManaged = /^arn:[^:]+:iam::aws:policy\//.exec(arn);
  return awsManaged
    ? `aws:${accountId}:policy/aws/${arn.slice(awsManaged[0].length)}`
    : `aws:${accountId}:policy/${name}`;
}

function isAwsManaged(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

/** Builds the catalogue and the roles[] entries of an account's managed policies; inline policies join as met. */
export function buildPolicyCatalog(view: AccountView, scope: Scope): PolicyCatalog {
  const accountId = view.accountId;
  const managed = new Map<string, CatalogPolicy>();
  const facts = new Map<string, ManagedPolicyFacts>();
  const roles: Role[] = [];
  const referenced = new Set<string>();
  const details = view.details;
  for (const entity of [...(details?.users ?? []), ...(details?.groups ?? []), ...(details?.roles ?? [])]) {
    for (const attached of entity.AttachedManagedPolicies ?? [])
      if (attached.PolicyArn) referenced.add(attached.PolicyArn);
  }

  const toRole = (policy: CatalogPolicy, nativeId: string, builtIn: boolean, extra: Record<string, unknown>): Role => {
    const analysis = analyzePrivilege([{ name: policy.name, document: policy.document }]);
    return {
      uid: policy.uid,
      provider: 'aws',
      scope,
      nativeId,
      name: policy.name,
      builtIn,
      permissions: permissionPatterns(policy.document),
      privilege: { level: analysis.level, reasons: analysis.reasons },
      details: { ...extra, grantsFullAdmin: grantsFullAdmin(policy.document), escalation: analysis.escalation },
    };
  };

  for (const detail of details?.policies ?? []) {
    const arn = detail.Arn;
    const name = detail.PolicyName;
    if (!arn || !name) continue;
    const version = defaultVersion(detail);
    if (!version) continue;
    const policy: CatalogPolicy = {
      uid: managedPolicyUid(accountId, arn, name),
      name,
      document: parseOrExplain(version, `managed policy ${name}`),
      arn,
    };
    managed.set(arn, policy);
    const awsManaged = isAwsManaged(arn);
    facts.set(arn, {
      arn,
      awsManaged,
      admin: analyzePrivilege([policy]).level === 'admin',
      adminVersion: otherVersions(detail).some((v) => adminDocument(v, name)),
      document: policy.document,
    });
    const attachments = detail.AttachmentCount ?? 0;
    // AWS-managed policies nobody here uses would only pad the snapshot.
    if (awsManaged && attachments === 0 && !referenced.has(arn) && (detail.PermissionsBoundaryUsageCount ?? 0) === 0)
      continue;
    roles.push(
      toRole(policy, arn, awsManaged, {
        policyType: awsManaged ? 'aws-managed' : 'customer-managed',
        attachmentCount: attachments,
        permissionsBoundaryUsageCount: detail.PermissionsBoundaryUsageCount ?? 0,
        defaultVersionId: detail.DefaultVersionId ?? null,
        path: detail.Path ?? '/',
      }),
    );
  }

  const inlineByUid = new Map<string, CatalogPolicy>();
  const inline: PolicyCatalog['inline'] = (owner, item) => {
    const name = item.PolicyName ?? 'unnamed';
    const uid = `aws:${accountId}:inline/${owner.kind}/${owner.name}/${name}`;
    const known = inlineByUid.get(uid);
    if (known) return known;
    const policy: CatalogPolicy = {
      uid,
      name: `${owner.name}/${name}`,
      document: parseOrExplain(item.PolicyDocument, `inline policy ${name} of ${owner.kind} ${owner.name}`),
    };
    inlineByUid.set(uid, policy);
    roles.push(
      toRole(policy, `${owner.arn}#${name}`, false, {
        policyType: 'inline',
        attachmentCount: 1,
        attachedTo: `${owner.kind}/${owner.name}`,
      }),
    );
    return policy;
  };
  return { managed, facts, roles, inline };
}

function otherVersions(detail: ManagedPolicyDetail): unknown[] {
  const versions = Array.isArray(detail.PolicyVersionList)
    ? detail.PolicyVersionList.filter((v) => v !== null && typeof v === 'object')
    : [];
  return versions
    .filter((v) => v.IsDefaultVersion !== true && v.VersionId !== detail.DefaultVersionId && v.Document !== undefined)
    .map((v) => v.Document);
}

/** Whether a (non-default) policy version grants every action; an unreadable old version grants nothing we know. */
function adminDocument(document: unknown, name: string): boolean {
  try {
    return analyzePrivilege([{ name, document: parsePolicyDocument(document) }]).level === 'admin';
  } catch (error) {
    if (error instanceof PolicyDocumentError) return false;
    throw error;
  }
}

function defaultVersion(detail: ManagedPolicyDetail): unknown {
  const versions = Array.isArray(detail.PolicyVersionList)
    ? detail.PolicyVersionList.filter((v) => v !== null && typeof v === 'object')
    : [];
  return (
    versions.find((v) => v.IsDefaultVersion === true) ?? versions.find((v) => v.VersionId === detail.DefaultVersionId)
  )?.Document;
}
