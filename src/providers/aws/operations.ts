/**
 * Every call the AWS collector makes, with the IAM action it needs and the gap topic its failure opens. The
 * permissions policy (`cloudward permissions aws`) is generated from this list, and a test asserts that every call a
 * collection makes against the fake AWS server is declared here.
 */
import type { OperationDeclaration } from '../types.js';
import { GapTopic, OPERATIONS } from './documents.js';

/** What each gap topic covers (the adapter's declared vocabulary; checks name these in `needs`). */
export const AWS_GAP_TOPICS: Record<string, string> = {
  [GapTopic.authorizationDetails]: 'IAM users, groups, roles and policies (GetAccountAuthorizationDetails)',
  [GapTopic.credentialReport]: 'the credential report: passwords, MFA, access keys and their last use',
  [GapTopic.accountSummary]: 'account summary: root access keys and MFA',
  [GapTopic.virtualMfa]: 'virtual MFA devices (whether root MFA is hardware)',
  [GapTopic.passwordPolicy]: 'the account password policy',
  [GapTopic.roleSettings]: 'role settings ListRoles alone carries (MaxSessionDuration)',
  [GapTopic.scp]: "Organizations service control policies, their targets, and each account's OU path",
  [GapTopic.cloudtrail]: 'CloudTrail trails',
  [GapTopic.cloudtrailStatus]: 'CloudTrail trail status and event selectors',
  [GapTopic.cloudtrailRegions]:
    "the enabled regions (CloudTrail is read in each; without them only the collector's region)",
};

const PURPOSE: Record<string, string> = {
  GetAccountAuthorizationDetails: 'every user, group, role and policy in O(pages) calls',
  GenerateCredentialReport: 'asks IAM to refresh its own credential report (no resource is changed)',
  GetCredentialReport: 'MFA, passwords and access keys of every user',
  GetAccountSummary: 'root access keys and MFA',
  ListVirtualMFADevices: 'whether root MFA is a virtual device',
  GetAccountPasswordPolicy: 'the password policy',
  ListRoles: 'role MaxSessionDuration',
  ListPolicies: 'service control policies',
  DescribePolicy: 'each SCP document',
  ListTargetsForPolicy: 'where each SCP is attached',
  ListParents: "each account's OU path up to the root (each OU read once), so SCPs on OUs narrow its accounts",
  ListRegions: 'the regions enabled for the account, to read CloudTrail in each',
  DescribeTrails: 'trails in each enabled region, shadow trails included',
  GetTrailStatus: 'whether each trail is logging',
  GetEventSelectors: 'which events each trail records',
};

/** The read-only role the member accounts are entered through (`--org-role`); the policy names the default. */
export const DEFAULT_ORG_ROLE = 'CloudwardAudit';

export const AWS_OPERATIONS: OperationDeclaration[] = [
  ...Object.entries(OPERATIONS).map(
    ([name, info]): OperationDeclaration => ({
      id: `${info.service}:${name}`,
      kind: 'api',
      topic: info.topic,
      permission: `${info.service}:${name}`,
      level: info.service === 'organizations' ? 'organization' : 'scope',
      purpose: PURPOSE[name]!,
    }),
  ),
  {
    id: 'organizations:ListAccounts',
    kind: 'api',
    permission: 'organizations:ListAccounts',
    level: 'organization',
    purpose: 'the active accounts of the organization (--org-role); a failure stops the run',
  },
  {
    id: 'sts:AssumeRole',
    kind: 'api',
    permission: 'sts:AssumeRole',
    level: 'enter',
    purpose:
      'enter each member account through the read-only role (--org-role); a failure is a gap on every topic of that account',
  },
  {
    id: 'sts:GetCallerIdentity',
    kind: 'api',
    level: 'organization',
    purpose: 'who is calling (needs no permission); a failure stops the run',
  },
];
