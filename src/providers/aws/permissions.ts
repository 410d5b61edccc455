/**
 * The least-privilege, read-only IAM policy collection needs (`cloudward permissions aws`), generated from the
 * declared operations (operations.ts). Every action is a read; GenerateCredentialReport only asks IAM to refresh its
 * own report.
 */
import { UserError } from '../../errors.js';
import { permissionsOf } from '../cloud/permissions.js';
import { AWS_OPERATIONS, DEFAULT_ORG_ROLE } from './operations.js';

/** Actions read in every account. */
const ACCOUNT_ACTIONS = permissionsOf(AWS_OPERATIONS, 'scope');

/** Actions read once, with the caller's own credentials (the management account or a delegated administrator). */
const ORGANIZATION_ACTIONS = permissionsOf(AWS_OPERATIONS, 'organization');

/** The policy JSON, with the --org-role note as a statement id anyone reading it will see. */
/**
 * The policy; `orgRole` (`permissions aws --org-role`) names the role `collect aws --org-role` assumes in member
 * accounts (CloudwardAudit otherwise).
 */
export function awsPermissionsPolicy(orgRole?: string): string {
  // The same names `collect aws --org-role` accepts: an IAM role name, optionally with a path.
  if (orgRole !== undefined && !/^[\w+=,.@/-]{1,64}$/.test(orgRole)) {
    throw new UserError(`"${orgRole}" is not an IAM role name`, {
      where: '--org-role',
      hint: 'letters, digits and + = , . @ _ - / only, at most 64 characters',
    });
  }
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CloudwardReadAccount', Effect: 'Allow', Action: ACCOUNT_ACTIONS, Resource: '*' },
      { Sid: 'CloudwardReadOrganization', Effect: 'Allow', Action: ORGANIZATION_ACTIONS, Resource: '*' },
      {
        Sid: 'CloudwardOrgRoleOnlyAssumeTheReadOnlyRoleInMemberAccounts',
        Effect: 'Allow',
        Action: permissionsOf(AWS_OPERATIONS, 'enter'),
        Resource: `arn:aws:iam::*:role/${(orgRole ?? DEFAULT_ORG_ROLE).replace(/^\//, '')}`,
      },
    ],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}
