/**
 * Privilege analysis of IAM identity policies: is the effective permission set "admin" (every action on every
 * resource), "privileged" (a privilege-escalation path or an equally dangerous grant), or neither — each with the
 * human-readable reasons an auditor reads in the report.
 *
 * Evaluation follows IAM's rules closely enough for an audit: an action is granted when an identity-policy Allow
 * covers it (Action/NotAction, Resource/NotResource wildcards), no unconditional Deny covers it, and every guardrail
 * layer (the permissions boundary, each level of SCPs) also allows it and does not deny it. A conditional Allow still
 * counts (the condition can usually be met by the holder); a conditional Deny does not narrow (it may not apply).
 */
import {
  statementCoversAction,
  statementCoversAnyResource,
  statementCoversOthers,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-document.js';

/** A policy attached to a principal, with the name the reasons quote. */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

/** A layer that can only narrow: a permissions boundary, or the SCPs attached at one level of the organization. */
export interface Guardrail {
  /** e.g. `permissions boundary ReadOnlyBoundary`, `SCPs at the organization root`. */
  name: string;
  documents: PolicyDocument[];
}

export interface PrivilegeAnalysis {
  level: 'admin' | 'privileged' | 'none';
  reasons: string[];
  /** Ids of the escalation rules the policies satisfy (empty for `none`). */
  escalation: string[];
}

type ResourceReach = 'some' | 'others' | 'any';

interface EscalationRule {
  id: string;
  actions: string[];
  reach: ResourceReach;
  reason: string;
}

/** Known privilege-escalation paths (after Rhino Security Labs' catalogue and the AWS IAM documentation). */
export const ESCALATION_RULES: readonly EscalationRule[] = [
  {
    id: 'create-policy-version',
    actions: ['iam:CreatePolicyVersion'],
    reach: 'some',
    reason: 'can publish a new default version of a managed policy (iam:CreatePolicyVersion)',
  },
  {
    id: 'set-default-policy-version',
    actions: ['iam:SetDefaultPolicyVersion'],
    reach: 'some',
    reason: 'can switch a managed policy to another version (iam:SetDefaultPolicyVersion)',
  },
  {
    id: 'attach-user-policy',
    actions: ['iam:AttachUserPolicy'],
    reach: 'some',
    reason: 'can attach any managed policy to a user (iam:AttachUserPolicy)',
  },
  {
    id: 'attach-group-policy',
    actions: ['iam:AttachGroupPolicy'],
    reach: 'some',
    reason: 'can attach any managed policy to a group (iam:AttachGroupPolicy)',
  },
  {
    id: 'attach-role-policy',
    actions: ['iam:AttachRolePolicy'],
    reach: 'some',
    reason: 'can attach any managed policy to a role (iam:AttachRolePolicy)',
  },
  {
    id: 'put-user-policy',
    actions: ['iam:PutUserPolicy'],
    reach: 'some',
    reason: 'can write an inline policy on a user (iam:PutUserPolicy)',
  },
  {
    id: 'put-group-policy',
    actions: ['iam:PutGroupPolicy'],
    reach: 'some',
    reason: 'can write an inline policy on a group (iam:PutGroupPolicy)',
  },
  {
    id: 'put-role-policy',
    actions: ['iam:PutRolePolicy'],
    reach: 'some',
    reason: 'can write an inline policy on a role (iam:PutRolePolicy)',
  },
  {
    id: 'add-user-to-group',
    actions: ['iam:AddUserToGroup'],
    reach: 'some',
    reason: 'can add users to groups (iam:AddUserToGroup)',
  },
  {
    id: 'update-assume-role-policy',
    actions: ['iam:UpdateAssumeRolePolicy'],
    reach: 'some',
    reason: 'can rewrite who may assume a role (iam:UpdateAssumeRolePolicy)',
  },
  {
    id: 'create-access-key',
    actions: ['iam:CreateAccessKey'],
    reach: 'others',
    reason: 'can create access keys for other users (iam:CreateAccessKey on users other than itself)',
  },
  {
    id: 'create-login-profile',
    actions: ['iam:CreateLoginProfile'],
    reach: 'others',
    reason: 'can set a console password for other users (iam:CreateLoginProfile)',
  },
  {
    id: 'update-login-profile',
    actions: ['iam:UpdateLoginProfile'],
    reach: 'others',
    reason: 'can reset the console password of other users (iam:UpdateLoginProfile)',
  },
  {
    id: 'delete-permissions-boundary',
    actions: ['iam:DeleteUserPermissionsBoundary'],
    reach: 'some',
    reason: "can remove a user's permissions boundary (iam:DeleteUserPermissionsBoundary)",
  },
  {
    id: 'delete-role-permissions-boundary',
    actions: ['iam:DeleteRolePermissionsBoundary'],
    reach: 'some',
    reason: "can remove a role's permissions boundary (iam:DeleteRolePermissionsBoundary)",
  },
  {
    id: 'pass-role-ec2',
    actions: ['iam:PassRole', 'ec2:RunInstances'],
    reach: 'some',
    reason: 'can pass a role to a new EC2 instance and use its credentials (iam:PassRole + ec2:RunInstances)',
  },
  {
    id: 'pass-role-lambda',
    actions: ['iam:PassRole', 'lambda:CreateFunction'],
    reach: 'some',
    reason: 'can pass a role to a new Lambda function and run code as it (iam:PassRole + lambda:CreateFunction)',
  },
  {
    id: 'pass-role-cloudformation',
    actions: ['iam:PassRole', 'cloudformation:CreateStack'],
    reach: 'some',
    reason:
      'can pass a role to a CloudFormation stack that creates anything the role may (iam:PassRole + cloudformation:CreateStack)',
  },
  {
    id: 'pass-role-glue',
    actions: ['iam:PassRole', 'glue:CreateDevEndpoint'],
    reach: 'some',
    reason: 'can pass a role to a Glue development endpoint (iam:PassRole + glue:CreateDevEndpoint)',
  },
  {
    id: 'pass-role-codebuild',
    actions: ['iam:PassRole', 'codebuild:CreateProject'],
    reach: 'some',
    reason:
      'can pass a role to a CodeBuild project that runs arbitrary commands (iam:PassRole + codebuild:CreateProject)',
  },
  {
    id: 'pass-role-sagemaker',
    actions: ['iam:PassRole', 'sagemaker:CreateNotebookInstance'],
    reach: 'some',
    reason: 'can pass a role to a SageMaker notebook (iam:PassRole + sagemaker:CreateNotebookInstance)',
  },
  {
    id: 'update-function-code',
    actions: ['lambda:UpdateFunctionCode'],
    reach: 'some',
    reason: 'can replace the code of existing Lambda functions and run as their roles (lambda:UpdateFunctionCode)',
  },
  {
    id: 'assume-any-role',
    actions: ['sts:AssumeRole'],
    reach: 'any',
    reason: 'can assume any role whose trust policy allows the account (sts:AssumeRole on *)',
  },
];

/** An action no service defines: allowed only by a grant of every action (`*`, `*:*` or a broad NotAction). */
const EVERY_ACTION_PROBE = 'cloudwardprobe:AnyUnlistedAction';
/**
 * Actions an administrator must hold: identities, credentials, roles, compute and data. A Deny of any of them makes
 * "*" merely privileged. The guardrails organizations put on nearly every OU (no leaving the organization, no stopping
 * or deleting the trail) are left out on purpose: under them, AdministratorAccess still administers the account.
 */
const ADMIN_PROBES = [
  'iam:CreateUser',
  'iam:AttachRolePolicy',
  'iam:CreateAccessKey',
  'iam:PassRole',
  'ec2:RunInstances',
  'sts:AssumeRole',
  's3:GetObject',
];

interface Grant {
  granted: boolean;
  via: string[];
  conditional: boolean;
}

function reaches(statement: PolicyStatement, reach: ResourceReach): boolean {
  if (reach === 'any') return statementCoversAnyResource(statement);
  if (reach === 'others') return statementCoversOthers(statement);
  return true;
}

function unconditionalDeny(documents: PolicyDocument[], action: string): boolean {
  return documents.some((d) =>
    d.statements.some(
      (s) => s.effect === 'Deny' && !s.condition && statementCoversAnyResource(s) && statementCoversAction(s, action),
    ),
  );
}

function layerAllows(layer: Guardrail, action: string): boolean {
  const allowed = layer.documents.some((d) =>
    d.statements.some((s) => s.effect === 'Allow' && statementCoversAction(s, action)),
  );
  return allowed && !unconditionalDeny(layer.documents, action);
}

/** Whether the identity policies grant `action` at the given resource reach, after denies and guardrails. */
export function grantOf(policies: NamedPolicy[], guardrails: Guardrail[], action: string, reach: ResourceReach): Grant {
  const via: string[] = [];
  let unconditional = false;
  for (const policy of policies) {
    for (const s of policy.document.statements) {
      if (s.effect === 'Allow' && statementCoversAction(s, action) && reaches(s, reach)) {
        if (!via.includes(policy.name)) via.push(policy.name);
        if (!s.condition) unconditional = true;
      }
    }
  }
  if (via.length === 0) return { granted: false, via, conditional: false };
  if (
    unconditionalDeny(
      policies.map((p) => p.document),
      action,
    )
  )
    return { granted: false, via: [], conditional: false };
  if (!guardrails.every((g) => layerAllows(g, action))) return { granted: false, via: [], conditional: false };
  return { granted: true, via, conditional: !unconditional };
}

function describeVia(grant: Grant): string {
  return `${grant.via.join(', ')}${grant.conditional ? ', under a condition' : ''}`;
}

/** Whether one document alone allows `*` on `*` without a condition (the CIS "full administrative privileges" test). */
export function grantsFullAdmin(document: PolicyDocument): boolean {
  return document.statements.some(
    (s) =>
      s.effect === 'Allow' &&
      !s.condition &&
      (s.actions ?? []).some((a) => a === '*' || a === '*:*') &&
      (s.resources ?? []).includes('*'),
  );
}

/** Classifies what a set of policies lets its holder do, after denies, the boundary and SCPs. */
export function analyzePrivilege(policies: NamedPolicy[], guardrails: Guardrail[] = []): PrivilegeAnalysis {
  if (policies.length === 0) return { level: 'none', reasons: [], escalation: [] };
  const everything = grantOf(policies, guardrails, EVERY_ACTION_PROBE, 'any');
  const limits = guardrails.map((g) => g.name);
  if (everything.granted && ADMIN_PROBES.every((a) => grantOf(policies, guardrails, a, 'any').granted)) {
    const narrowed = limits.length > 0 ? ` (not narrowed by ${limits.join('; ')})` : '';
    return {
      level: 'admin',
      reasons: [`allows every action on every resource through ${describeVia(everything)}${narrowed}`],
      escalation: ['full-admin'],
    };
  }
  const reasons: string[] = [];
  const escalation: string[] = [];
  for (const rule of ESCALATION_RULES) {
    const grants = rule.actions.map((a) => grantOf(policies, guardrails, a, rule.reach));
    if (!grants.every((g) => g.granted)) continue;
    const via = {
      granted: true,
      via: [...new Set(grants.flatMap((g) => g.via))],
      conditional: grants.some((g) => g.conditional),
    };
    escalation.push(rule.id);
    reasons.push(`${rule.reason} through ${describeVia(via)}`);
  }
  if (everything.granted)
    reasons.unshift(`allows every action except some denied ones through ${describeVia(everything)}`);
  return { level: reasons.length > 0 ? 'privileged' : 'none', reasons, escalation };
}
