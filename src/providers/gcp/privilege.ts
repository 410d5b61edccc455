/**
 * Which GCP roles are privileged, and why: predefined roles by name, custom roles by the permissions they include.
 * "admin" means the role can grant itself anything (it can set IAM policies, or is Owner); "privileged" means it can
 * write broadly or act as other identities (Editor, impersonation, key creation, role edits).
 */
import type { Privilege, PrivilegeLevel } from '../../snapshot/model.js';

/** The basic (primitive) roles. */
export const BASIC_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer']);

interface Known {
  level: PrivilegeLevel;
  reason: string;
  /** The permissions that make the role what it is; a deny policy covering all of them takes the privilege away. */
  keys: string[];
}

const SET_IAM = (resource: string) => `resourcemanager.${resource}.setIamPolicy`;

/** Predefined roles judged by name. */
const PREDEFINED: Record<string, Known> = {
  'roles/owner': { level: 'admin', reason: 'basic role Owner: every permission, including setIamPolicy', keys: ['*'] },
  'roles/editor': {
    level: 'privileged',
    reason: 'basic role Editor: writes to almost every service, including actAs on service accounts',
    keys: ['*'],
  },
  'roles/resourcemanager.organizationAdmin': {
    level: 'admin',
    reason: 'Organization Administrator: sets the organization IAM policy',
    keys: [SET_IAM('organizations'), SET_IAM('folders'), SET_IAM('projects')],
  },
  'roles/resourcemanager.folderAdmin': {
    level: 'admin',
    reason: 'Folder Admin: sets folder and project IAM policies',
    keys: [SET_IAM('folders'), SET_IAM('projects')],
  },
  'roles/resourcemanager.folderIamAdmin': {
    level: 'admin',
    reason: 'Folder IAM Admin: sets folder IAM policies',
    keys: [SET_IAM('folders')],
  },
  'roles/resourcemanager.projectIamAdmin': {
    level: 'admin',
    reason: 'Project IAM Admin: sets project IAM policies',
    keys: [SET_IAM('projects')],
  },
  'roles/iam.securityAdmin': {
    level: 'admin',
    reason: 'Security Admin: sets any IAM policy it can read',
    keys: [SET_IAM('organizations'), SET_IAM('folders'), SET_IAM('projects')],
  },
  'roles/iam.organizationRoleAdmin': {
    level: 'privileged',
    reason: 'Organization Role Administrator: edits custom roles others hold',
    keys: ['iam.roles.update', 'iam.roles.create'],
  },
  'roles/iam.roleAdmin': {
    level: 'privileged',
    reason: 'Role Administrator: edits custom roles others hold',
    keys: ['iam.roles.update', 'iam.roles.create'],
  },
  'roles/iam.serviceAccountAdmin': {
    level: 'privileged',
    reason: 'Service Account Admin: sets service-account IAM policies (grants impersonation)',
    keys: ['iam.serviceAccounts.setIamPolicy'],
  },
  'roles/iam.serviceAccountUser': {
    level: 'privileged',
    reason: 'Service Account User: acts as service accounts (iam.serviceAccounts.actAs)',
    keys: ['iam.serviceAccounts.actAs'],
  },
  'roles/iam.serviceAccountTokenCreator': {
    level: 'privileged',
    reason: 'Service Account Token Creator: mints tokens for service accounts (iam.serviceAccounts.getAccessToken)',
    keys: [
      'iam.serviceAccounts.getAccessToken',
      'iam.serviceAccounts.signJwt',
      'iam.serviceAccounts.signBlob',
      'iam.serviceAccounts.implicitDelegation',
    ],
  },
  'roles/iam.serviceAccountKeyAdmin': {
    level: 'privileged',
    reason: 'Service Account Key Admin: creates service-account keys',
    keys: ['iam.serviceAccountKeys.create'],
  },
  'roles/iam.workloadIdentityUser': {
    level: 'privileged',
    reason: 'Workload Identity User: impersonates service accounts from workloads',
    keys: ['iam.serviceAccounts.getAccessToken'],
  },
  'roles/iam.denyAdmin': {
    level: 'privileged',
    reason: 'Deny Admin: removes the deny policies that narrow other grants',
    keys: ['iam.denypolicies.delete', 'iam.denypolicies.update'],
  },
  'roles/orgpolicy.policyAdmin': {
    level: 'privileged',
    reason: 'Organization Policy Administrator: lifts organization policies (key creation, domain restriction)',
    keys: ['orgpolicy.policy.set'],
  },
  'roles/cloudfunctions.admin': {
    level: 'privileged',
    reason: 'Cloud Functions Admin: sets function IAM policies and runs code as their service accounts',
    keys: ['cloudfunctions.functions.setIamPolicy'],
  },
  'roles/compute.admin': {
    level: 'privileged',
    reason: 'Compute Admin: runs instances as any service account it can act as, sets instance IAM',
    keys: ['compute.instances.setIamPolicy'],
  },
  'roles/storage.admin': {
    level: 'privileged',
    reason: 'Storage Admin: sets bucket IAM policies',
    keys: ['storage.buckets.setIamPolicy'],
  },
};

/** Permissions that make a custom role privileged, with the reason; `*.setIamPolicy` on resource-manager nodes makes it admin. */
const DANGEROUS: Array<{ test: RegExp; level: PrivilegeLevel; reason: string }> = [
  {
    test: /^resourcemanager\.(organizations|folders|projects)\.setIamPolicy$/,
    level: 'admin',
    reason: 'can set the IAM policy of the resource hierarchy',
  },
  {
    test: /^iam\.serviceAccounts\.(actAs|getAccessToken|signJwt|signBlob|implicitDelegation|getOpenIdToken)$/,
    level: 'privileged',
    reason: 'can impersonate service accounts',
  },
  { test: /^iam\.serviceAccountKeys\.create$/, level: 'privileged', reason: 'can create service-account keys' },
  {
    test: /^iam\.serviceAccounts\.setIamPolicy$/,
    level: 'privileged',
    reason: 'can grant impersonation of service accounts',
  },
  { test: /^iam\.roles\.(update|create)$/, level: 'privileged', reason: 'can edit custom roles' },
  { test: /^orgpolicy\.policy\.set$/, level: 'privileged', reason: 'can lift organization policies' },
  { test: /^iam\.denypolicies\.(delete|update)$/, level: 'privileged', reason: 'can remove deny policies' },
  { test: /\.setIamPolicy$/, level: 'privileged', reason: 'can set resource IAM policies' },
];

const RANK: Record<PrivilegeLevel, number> = { none: 0, privileged: 1, admin: 2 };

export function higher(a: PrivilegeLevel, b: PrivilegeLevel): PrivilegeLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A role's privilege, the permissions that decide it, and whether it could be judged at all. */
export interface RoleJudgement {
  privilege: Privilege;
  keys: string[];
  known: boolean;
}

/** Judges a role: predefined by name, custom (or described predefined) by its included permissions. */
export function judgeRole(name: string, includedPermissions: string[] | undefined): RoleJudgement {
  // Own entries only: a role named `__proto__` or `constructor` in an edited export is no predefined role.
  const predefined = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
  if (predefined)
    return { privilege: { level: predefined.level, reasons: [predefined.reason] }, keys: predefined.keys, known: true };
  if (includedPermissions === undefined) {
    // A predefined role outside the table is judged by name only: these are read or narrow service roles.
    if (name.startsWith('roles/'))
      return {
        privilege: {
          level: /admin$/i.test(name) ? 'privileged' : 'none',
          reasons: /admin$/i.test(name) ? [`${name}: an administrator role of its service`] : [],
        },
        keys: [],
        known: true,
      };
    return { privilege: { level: 'none', reasons: ['permissions not read'] }, keys: [], known: false };
  }
  let level: PrivilegeLevel = 'none';
  const reasons: string[] = [];
  const keys: string[] = [];
  for (const permission of Array.isArray(includedPermissions)
    ? includedPermissions.filter((p) => typeof p === 'string')
    : []) {
    const rule = DANGEROUS.find((d) => d.test.test(permission));
    if (!rule) continue;
    level = higher(level, rule.level);
    keys.push(permission);
    reasons.push(`${rule.reason} (${permission})`);
  }
  return { privilege: { level, reasons: [...new Set(reasons)] }, keys, known: true };
}

/** A deny policy's permission (`iam.googleapis.com/serviceAccountKeys.create`) in v1 form (`iam.serviceAccountKeys.create`). */
export function v1Permission(denied: string): string {
  const slash = denied.indexOf('/');
  if (slash === -1) return denied;
  const service = denied.slice(0, slash).replace(/\.googleapis\.com$/, '');
  const rest = denied.slice(slash + 1);
  return `${service === 'cloudresourcemanager' ? 'resourcemanager' : service}.${rest}`;
}

/** Whether a denied permission pattern (v1 form, possibly `service.*` or `*`) covers a permission. */
export function permissionCovered(pattern: string, permission: string): boolean {
  if (pattern === '*' || pattern === '*.*') return true;
  if (pattern.endsWith('.*')) return permission.startsWith(pattern.slice(0, -1));
  return pattern === permission;
}
