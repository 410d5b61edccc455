import type { Assignment, Control, Credential, Principal, Role, Scope } from '../src/snapshot/model.js';
import type { Prng } from './prng.js';
import type { ExpectationTally } from './tenant-expectations.js';
import type { TenantLayout } from './tenant-layout.js';

const DAY_MS = 86_400_000;
const FIRST = [
  'ana',
  'ben',
  'chen',
  'dara',
  'eli',
  'fatima',
  'goran',
  'hana',
  'ivan',
  'jun',
  'kofi',
  'lea',
  'mo',
  'nia',
  'omar',
  'priya',
];
const LAST = [
  'smith',
  'garcia',
  'kim',
  'nguyen',
  'muller',
  'rossi',
  'okafor',
  'silva',
  'tanaka',
  'dubois',
  'novak',
  'haddad',
];

type Level = 'admin' | 'privileged' | 'none';

/** ISO time `days` before the snapshot was collected (never the wall clock). */
export function daysBefore(layout: TenantLayout, days: number): string {
  return new Date(Date.parse(layout.collectedAt) - Math.round(days * DAY_MS)).toISOString();
}

function personName(rng: Prng, i: number): string {
  return `${rng.pick(FIRST)}.${rng.pick(LAST)}${i}`;
}

function highest(levels: Level[]): Level {
  return levels.includes('admin') ? 'admin' : levels.includes('privileged') ? 'privileged' : 'none';
}

// ---------------------------------------------------------------- AWS

const AWS_POLICIES: Array<{ name: string; level: Level; allow: string[] }> = [
  { name: 'aws/AdministratorAccess', level: 'admin', allow: ['*'] },
  { name: 'aws/IAMFullAccess', level: 'admin', allow: ['iam:*'] },
  { name: 'aws/PowerUserAccess', level: 'privileged', allow: ['*'] },
  { name: 'aws/ReadOnlyAccess', level: 'none', allow: ['*:Describe*', '*:Get*', '*:List*'] },
  { name: 'aws/AmazonS3ReadOnlyAccess', level: 'none', allow: ['s3:Get*', 's3:List*'] },
  { name: 'app-deploy', level: 'privileged', allow: ['lambda:*', 'iam:PassRole'] },
  { name: 'app-runtime', level: 'none', allow: ['dynamodb:GetItem', 'dynamodb:PutItem', 'sqs:SendMessage'] },
];

function awsPolicyPick(rng: Prng): (typeof AWS_POLICIES)[number] {
  const roll = rng.next();
  if (roll < 0.03) return AWS_POLICIES[0]!;
  if (roll < 0.04) return AWS_POLICIES[1]!;
  if (roll < 0.1) return AWS_POLICIES[2]!;
  if (roll < 0.16) return AWS_POLICIES[5]!;
  return AWS_POLICIES[rng.pick([3, 4, 6])]!;
}

function awsAssignments(rng: Prng, account: string, count: number, via: string): Assignment[] {
  const out: Assignment[] = [];
  for (let i = 0; i < count; i++) {
    const policy = awsPolicyPick(rng);
    const role = `aws:${account}:policy/${policy.name}`;
    if (out.some((a) => a.role === role)) continue;
    out.push({ role, scope: `aws:account/${account}`, mode: 'standing', via, rolePrivilege: policy.level });
  }
  return out;
}

function awsAccessKey(rng: Prng, layout: TenantLayout): Credential {
  const created = rng.int(5, 900);
  return {
    kind: 'accessKey',
    id: `AKIA${rng.hex(16).toUpperCase()}`,
    active: rng.chance(0.85),
    createdAt: daysBefore(layout, created),
    lastUsedAt: rng.chance(0.8) ? daysBefore(layout, rng.int(0, created)) : null,
    lastRotatedAt: daysBefore(layout, created),
  };
}

/** Age in days at collection time of a timestamp made by daysBefore. */
function ageDays(layout: TenantLayout, at: string): number {
  return (Date.parse(layout.collectedAt) - Date.parse(at)) / DAY_MS;
}

/** Active access keys are rotated within 90 days (checked on root and users alike). */
function keysRotated(layout: TenantLayout, p: Principal): boolean {
  return (p.credentials ?? []).every(
    (c) => c.kind !== 'accessKey' || !c.active || ageDays(layout, c.lastRotatedAt!) <= 90,
  );
}

/** What the root user's checks find on it. */
function tallyAwsRoot(tally: ExpectationTally, layout: TenantLayout, root: Principal): void {
  const mfa = root.mfa!.state === 'enabled';
  tally.add('aws-root-mfa-enabled', mfa ? 'pass' : 'fail');
  tally.add('aws-root-hardware-mfa', mfa && root.mfa!.hardware === true ? 'pass' : 'fail');
  tally.add(
    'aws-root-no-access-keys',
    (root.details as { accessKeysPresent: boolean }).accessKeysPresent ? 'fail' : 'pass',
  );
  tally.add(
    'aws-root-not-used-recently',
    root.lastActivityAt === null || ageDays(layout, root.lastActivityAt!) >= 7 ? 'pass' : 'fail',
  );
  tally.add('aws-access-keys-rotated-90-days', keysRotated(layout, root) ? 'pass' : 'fail');
}

/** What the IAM user checks find on a user. */
function tallyAwsUser(tally: ExpectationTally, layout: TenantLayout, user: Principal): void {
  const mfa = user.mfa!.state === 'enabled';
  const level = user.privilege!.level;
  const credentials = user.credentials ?? [];
  if (user.interactive !== false) tally.add('aws-console-users-mfa', mfa ? 'pass' : 'fail');
  if (level === 'admin' || level === 'privileged') tally.add('aws-privileged-users-mfa', mfa ? 'pass' : 'fail');
  tally.add('aws-no-standing-admin-users', level === 'admin' ? 'fail' : 'pass');
  if (level !== 'admin')
    tally.add(
      'aws-no-privilege-escalation-users',
      (user.details as { escalation: string[] }).escalation.length === 0 ? 'pass' : 'fail',
    );
  tally.add(
    'aws-permissions-through-groups',
    (user.assignments ?? []).every((a) => a.via !== 'direct') ? 'pass' : 'fail',
  );
  tally.add(
    'aws-one-active-access-key',
    credentials.filter((c) => c.kind === 'accessKey' && c.active).length <= 1 ? 'pass' : 'fail',
  );
  tally.add('aws-access-keys-rotated-90-days', keysRotated(layout, user) ? 'pass' : 'fail');
  // Every active password or key was used within 45 days, or (never used) created within 45 days.
  const fresh = credentials.every(
    (c) =>
      !c.active ||
      (c.kind !== 'password' && c.kind !== 'accessKey') ||
      ageDays(layout, c.lastUsedAt ?? c.createdAt!) <= 45,
  );
  tally.add('aws-credentials-unused-45-days-disabled', fresh ? 'pass' : 'fail');
}

/** Root, IAM users, groups and roles of every account, as the AWS normalizer shapes them. */
export function* awsPrincipals(layout: TenantLayout, rng: Prng, tally: ExpectationTally): Generator<Principal> {
  for (const account of layout.aws.accounts) {
    const scope: Scope = { kind: 'account', id: account.id, name: `acct-${account.id.slice(-4)}` };
    const arn = (path: string) => `arn:aws:iam::${account.id}:${path}`;
    const rootMfa = rng.chance(0.85);
    const rootKeys = rng.chance(0.03) ? [awsAccessKey(rng, layout)] : [];
    const root: Principal = {
      uid: `aws:${account.id}:root`,
      provider: 'aws',
      scope,
      nativeId: arn('root'),
      kind: 'root',
      name: 'root',
      interactive: true,
      enabled: true,
      mfa: rootMfa
        ? { state: 'enabled', methods: ['hardware'], hardware: true, phishingResistant: false }
        : { state: 'disabled', methods: [] },
      credentials: [
        {
          kind: 'password',
          id: 'password',
          active: true,
          createdAt: daysBefore(layout, 1500),
          lastUsedAt: daysBefore(layout, rng.int(1, 400)),
        },
        ...rootKeys,
      ],
      privilege: { level: 'admin', reasons: ['the root user holds every permission in the account'] },
      lastActivityAt: daysBefore(layout, rng.int(1, 400)),
      createdAt: daysBefore(layout, 1500),
      details: {
        accountMfaEnabled: rootMfa,
        accessKeysPresent: rootKeys.length > 0,
        signingCertificatesPresent: false,
        passwordPresent: true,
      },
    };
    tallyAwsRoot(tally, layout, root);
    yield root;
    const groups: string[] = [];
    for (let i = 1; i < account.principals; i++) {
      const roll = rng.next();
      if (roll < 0.13 || groups.length === 0) {
        const name = `team-${groups.length}`;
        groups.push(name);
        const assignments = awsAssignments(rng, account.id, rng.int(1, 3), 'direct');
        const group: Principal = {
          uid: `aws:${account.id}:group/${name}`,
          provider: 'aws',
          scope,
          nativeId: arn(`group/${name}`),
          kind: 'group',
          name,
          assignments,
          privilege: {
            level: highest(assignments.map((a) => a.rolePrivilege!)),
            reasons: assignments
              .filter((a) => a.rolePrivilege !== 'none')
              .map((a) => `holds ${a.role.split('/').pop()}`),
          },
          createdAt: daysBefore(layout, rng.int(30, 2000)),
          details: { path: '/', members: rng.int(0, 40) },
        };
        // One group in nine gives its members a path to admin (no extra draw: the rest of the tenant is unchanged).
        const escalation = groups.length % 9 === 4 ? ['attach-group-policy'] : [];
        group.details!.escalation = escalation;
        if (escalation.length > 0)
          group.details!.escalationPath = { text: `${name} -> iam:AttachGroupPolicy on itself -> admin`, mfa: false };
        if ((group.details!.members as number) >= 1 && group.privilege!.level !== 'admin')
          tally.add('aws-no-privilege-escalation-groups', escalation.length === 0 ? 'pass' : 'fail');
        yield group;
      } else if (roll < 0.58) {
        const name = personName(rng, i);
        const console = rng.chance(0.7);
        const group = rng.pick(groups);
        const assignments = [
          ...awsAssignments(rng, account.id, rng.int(0, 2), 'direct'),
          ...awsAssignments(rng, account.id, 1, `aws:${account.id}:group/${group}`),
        ];
        const credentials: Credential[] = [];
        if (console)
          credentials.push({
            kind: 'password',
            id: 'password',
            active: true,
            createdAt: daysBefore(layout, rng.int(30, 1500)),
            lastUsedAt: daysBefore(layout, rng.int(0, 200)),
          });
        for (let k = rng.int(0, 2); k > 0; k--) credentials.push(awsAccessKey(rng, layout));
        const mfaOn = console && rng.chance(0.8);
        const user: Principal = {
          uid: `aws:${account.id}:user/${name}`,
          provider: 'aws',
          scope,
          nativeId: arn(`user/${name}`),
          kind: 'user',
          name,
          interactive: console,
          enabled: console || credentials.some((c) => c.active),
          mfa: mfaOn
            ? { state: 'enabled', methods: [rng.chance(0.2) ? 'hardware' : 'virtual'] }
            : { state: 'disabled', methods: [] },
          credentials,
          assignments,
          privilege: {
            level: highest(assignments.map((a) => a.rolePrivilege!)),
            reasons: assignments
              .filter((a) => a.rolePrivilege !== 'none')
              .map((a) => `holds ${a.role.split('/').pop()}`),
          },
          lastActivityAt: rng.chance(0.9) ? daysBefore(layout, rng.int(0, 300)) : null,
          createdAt: daysBefore(layout, rng.int(30, 2000)),
          details: {
            path: '/',
            groups: [group],
            permissionsBoundary: null,
            escalation: rng.chance(0.04)
              ? [rng.pick(['iam:CreatePolicyVersion', 'iam:AttachUserPolicy', 'iam:PassRole+lambda:CreateFunction'])]
              : [],
          },
        };
        tallyAwsUser(tally, layout, user);
        yield user;
      } else {
        const service = rng.pick(['lambda', 'ec2', 'ecs-tasks', 'codebuild', 'sso']);
        const name =
          service === 'sso'
            ? `AWSReservedSSO_${rng.pick(['Admin', 'ReadOnly', 'Dev'])}_${rng.hex(16)}`
            : `${service}-app-${i}`;
        const assignments = awsAssignments(rng, account.id, rng.int(1, 3), 'direct');
        yield {
          uid: `aws:${account.id}:role/${name}`,
          provider: 'aws',
          scope,
          nativeId: arn(`role/${name}`),
          kind: 'role',
          name,
          interactive: false,
          assignments,
          privilege: {
            level: highest(assignments.map((a) => a.rolePrivilege!)),
            reasons: assignments
              .filter((a) => a.rolePrivilege !== 'none')
              .map((a) => `holds ${a.role.split('/').pop()}`),
          },
          lastActivityAt: rng.chance(0.7) ? daysBefore(layout, rng.int(0, 400)) : null,
          createdAt: daysBefore(layout, rng.int(30, 2000)),
          details: {
            path: '/',
            serviceLinked: false,
            permissionsBoundary: null,
            trust:
              service === 'sso'
                ? {
                    awsPrincipals: [],
                    services: [],
                    federated: [`arn:aws:iam::${account.id}:saml-provider/AWSSSO`],
                    conditions: [],
                  }
                : { awsPrincipals: [], services: [`${service}.amazonaws.com`], federated: [], conditions: [] },
            assumableByIamPrincipals: false,
            trustRequiresMfa: false,
            maxSessionDurationSeconds: 3600,
          },
        };
      }
    }
  }
}

export function* awsRoles(layout: TenantLayout): Generator<Role> {
  for (const account of layout.aws.accounts) {
    const scope: Scope = { kind: 'account', id: account.id, name: `acct-${account.id.slice(-4)}` };
    for (const policy of AWS_POLICIES) {
      const builtIn = policy.name.startsWith('aws/');
      yield {
        uid: `aws:${account.id}:policy/${policy.name}`,
        provider: 'aws',
        scope,
        nativeId: builtIn
          ? `arn:aws:iam::aws:policy/${policy.name.slice(4)}`
          : `arn:aws:iam::${account.id}:policy/${policy.name}`,
        name: policy.name.replace(/^aws\//, ''),
        builtIn,
        permissions: { allow: policy.allow, deny: [] },
        privilege: {
          level: policy.level,
          reasons: policy.level === 'none' ? [] : [`allows ${policy.allow.join(', ')}`],
        },
      };
    }
  }
}

export function* awsControls(layout: TenantLayout, rng: Prng, tally: ExpectationTally): Generator<Control> {
  for (const account of layout.aws.accounts) {
    const scope: Scope = { kind: 'account', id: account.id, name: `acct-${account.id.slice(-4)}` };
    const strong = rng.chance(0.6);
    tally.add('aws-password-policy-strong', strong ? 'pass' : 'fail');
    yield {
      uid: `aws:${account.id}:password-policy`,
      provider: 'aws',
      scope,
      type: 'password-policy',
      name: 'IAM account password policy',
      state: 'enabled',
      settings: {
        configured: true,
        minimumLength: strong ? 14 : 8,
        requireSymbols: strong,
        requireNumbers: true,
        requireUppercase: strong,
        requireLowercase: true,
        allowUsersToChangePassword: true,
        expirePasswords: false,
        maxPasswordAgeDays: null,
        reusePrevention: strong ? 24 : 0,
        hardExpiry: false,
      },
    };
    const logging = rng.chance(0.85);
    const trail: Control = {
      uid: `aws:${account.id}:trail/us-east-1/org-trail`,
      provider: 'aws',
      scope,
      type: 'audit-logging',
      name: 'org-trail',
      state: logging ? 'enabled' : 'disabled',
      settings: {
        multiRegion: true,
        includeGlobalServiceEvents: true,
        isLogging: logging,
        logFileValidation: rng.chance(0.7),
        managementEvents: { read: true, write: true },
        homeRegion: 'us-east-1',
      },
    };
    tally.add('aws-cloudtrail-trails-logging', logging ? 'pass' : 'fail');
    tally.add('aws-cloudtrail-log-file-validation', trail.settings!.logFileValidation ? 'pass' : 'fail');
    // One multi-region trail per account, read and write management events: the account passes when it logs.
    tally.add('aws-cloudtrail-multi-region-logging', logging ? 'pass' : 'fail');
    tally.add('aws-cloudtrail-management-events', logging ? 'pass' : 'fail');
    // No service control policy is generated, so no account has one denying CloudShell.
    tally.add('aws-scp-denies-cloudshell', 'fail');
    yield trail;
  }
}

// ---------------------------------------------------------------- Azure

const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const AZURE_DIRECTORY_ROLES: Array<{ id: string; name: string; level: Level }> = [
  { id: GLOBAL_ADMIN, name: 'Global Administrator', level: 'admin' },
  { id: 'e8611ab8-c189-46e8-94e1-60213ab1f814', name: 'Privileged Role Administrator', level: 'admin' },
  { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', name: 'User Administrator', level: 'privileged' },
  { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', name: 'Global Reader', level: 'none' },
];
const AZURE_RBAC_ROLES: Array<{ id: string; name: string; level: Level }> = [
  { id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', name: 'Owner', level: 'admin' },
  { id: '18d7d88d-d35e-4fb5-a5c3-7773c4a72d9d', name: 'User Access Administrator', level: 'admin' },
  { id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', name: 'Contributor', level: 'privileged' },
  { id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', name: 'Reader', level: 'none' },
];
const CUSTOM_ROLES_PER_SUBSCRIPTION = 3;

function azureAssignment(layout: TenantLayout, rng: Prng, level: Level, mode: Assignment['mode']): Assignment {
  const tenant = layout.azure.tenantId;
  const subscription = rng.pick(layout.azure.subscriptions);
  // Admin: half Global Administrator, a quarter Privileged Role Administrator, a quarter Owner on a subscription.
  if (level === 'admin') {
    const roll = rng.next();
    if (roll < 0.75) {
      const role = AZURE_DIRECTORY_ROLES[roll < 0.5 ? 0 : 1]!;
      return {
        role: `azure:${tenant}:directoryRole/${role.id}`,
        scope: '/',
        mode,
        via: 'direct',
        rolePrivilege: 'admin',
      };
    }
    return {
      role: `azure:${tenant}:roleDefinition/${AZURE_RBAC_ROLES[0]!.id}`,
      scope: `/subscriptions/${subscription.id}`,
      mode,
      via: 'direct',
      rolePrivilege: 'admin',
    };
  }
  if (level === 'privileged') {
    if (rng.chance(0.5))
      return {
        role: `azure:${tenant}:directoryRole/${AZURE_DIRECTORY_ROLES[2]!.id}`,
        scope: '/',
        mode,
        via: 'direct',
        rolePrivilege: 'privileged',
      };
    return {
      role: `azure:${tenant}:roleDefinition/${AZURE_RBAC_ROLES[2]!.id}`,
      scope: `/subscriptions/${subscription.id}`,
      mode,
      via: 'direct',
      rolePrivilege: 'privileged',
    };
  }
  return {
    role: `azure:${tenant}:roleDefinition/${AZURE_RBAC_ROLES[3]!.id}`,
    scope: `/subscriptions/${subscription.id}`,
    mode: 'standing',
    via: 'direct',
    rolePrivilege: 'none',
  };
}

function privilegeReasons(assignments: Assignment[]): string[] {
  return assignments
    .filter((a) => a.rolePrivilege !== 'none')
    .map((a) => `holds ${a.role.split('/').pop()} at ${a.scope}`);
}

/**
 * Entra ID users, groups, service principals and managed identities, with the statuses the Azure principal checks
 * should report tallied as each is made.
 */
export function* azurePrincipals(
  layout: TenantLayout,
  rng: Prng,
  tally: ExpectationTally,
  counters: { globalAdmins: number },
): Generator<Principal> {
  const tenant = layout.azure.tenantId;
  const scope: Scope = { kind: 'tenant', id: tenant, name: 'contoso.example' };
  for (let i = 0; i < layout.azure.principals; i++) {
    const roll = rng.next();
    const objectId = rng.guid();
    const kind: Principal['kind'] =
      roll < 0.7 ? 'user' : roll < 0.78 ? 'group' : roll < 0.93 ? 'servicePrincipal' : 'managedIdentity';
    const enabled = kind === 'user' ? rng.chance(0.95) : true;
    const levelRoll = rng.next();
    const level: Level =
      kind === 'user'
        ? levelRoll < 0.02
          ? 'admin'
          : levelRoll < 0.07
            ? 'privileged'
            : 'none'
        : kind === 'managedIdentity'
          ? 'none'
          : levelRoll < 0.02
            ? 'admin'
            : levelRoll < 0.06
              ? 'privileged'
              : 'none';
    const assignments: Assignment[] = [];
    if (level !== 'none')
      assignments.push(azureAssignment(layout, rng, level, rng.chance(0.4) ? 'standing' : 'eligible'));
    for (let k = rng.int(0, 2); k > 0; k--) assignments.push(azureAssignment(layout, rng, 'none', 'standing'));
    const principal: Principal = {
      uid: `azure:${tenant}:${kind === 'user' ? 'user' : kind === 'group' ? 'group' : 'servicePrincipal'}/${objectId}`,
      provider: 'azure',
      scope,
      nativeId: objectId,
      kind,
      name: '',
      enabled,
      assignments,
      privilege: { level, reasons: privilegeReasons(assignments) },
    };
    if (kind === 'user') {
      const name = personName(rng, i);
      const guest = rng.chance(0.08);
      principal.name = guest ? `${name}_partner.example#EXT#@contoso.example` : `${name}@contoso.example`;
      principal.guest = guest;
      principal.interactive = true;
      const mfaRoll = rng.next();
      const state = mfaRoll < 0.85 ? 'enabled' : mfaRoll < 0.97 ? 'disabled' : 'unknown';
      principal.mfa =
        state === 'enabled'
          ? { state, methods: rng.chance(0.2) ? ['fido2'] : ['microsoftAuthenticator'], phishingResistant: false }
          : { state, methods: [] };
      principal.credentials = [
        { kind: 'password', id: 'password', active: enabled, lastRotatedAt: daysBefore(layout, rng.int(0, 700)) },
      ];
      principal.lastActivityAt = rng.chance(0.9) ? daysBefore(layout, rng.int(0, 120)) : null;
      principal.createdAt = daysBefore(layout, rng.int(30, 2500));
      const mfaStatus = state === 'enabled' ? 'pass' : state === 'disabled' ? 'fail' : 'unknown';
      if (enabled && level !== 'none') tally.add('azure-privileged-users-mfa-registered', mfaStatus);
      if (enabled && !guest) tally.add('azure-all-users-mfa-registered', mfaStatus);
      if (guest)
        tally.add(
          'azure-no-guest-privileged-roles',
          assignments.some((a) => a.rolePrivilege !== 'none') ? 'fail' : 'pass',
        );
    } else if (kind === 'group') {
      principal.name = `grp-${rng.pick(['eng', 'ops', 'fin', 'sec', 'data'])}-${i}`;
      principal.interactive = false;
      principal.details = { securityEnabled: true, roleAssignable: level !== 'none', members: rng.int(0, 200) };
    } else {
      principal.name =
        kind === 'servicePrincipal'
          ? `app-${rng.pick(['ci', 'etl', 'web', 'api'])}-${i}`
          : `mi-${rng.pick(['vm', 'func', 'aks'])}-${i}`;
      principal.interactive = false;
      principal.credentials =
        kind === 'managedIdentity'
          ? []
          : Array.from({ length: rng.int(0, 2) }, () => ({
              kind: rng.chance(0.7) ? ('secret' as const) : ('certificate' as const),
              id: rng.guid(),
              active: true,
              createdAt: daysBefore(layout, rng.int(10, 700)),
              expiresAt: daysBefore(layout, -rng.int(-60, 700)),
            }));
      principal.details = {
        appId: rng.guid(),
        servicePrincipalType: kind === 'managedIdentity' ? 'ManagedIdentity' : 'Application',
      };
    }
    const adminAssignments = assignments.filter((a) => a.rolePrivilege === 'admin');
    if ((kind === 'user' || kind === 'group') && adminAssignments.length > 0) {
      tally.add(
        'azure-privileged-roles-just-in-time',
        adminAssignments.some((a) => a.mode === 'standing') ? 'fail' : 'pass',
      );
    }
    if (kind === 'servicePrincipal' || kind === 'managedIdentity') {
      tally.add(
        'azure-service-principals-no-standing-access-grant',
        adminAssignments.some((a) => a.mode === 'standing') ? 'fail' : 'pass',
      );
    }
    const roleWriters = adminAssignments.filter((a) => a.role.includes(':roleDefinition/'));
    if (roleWriters.length > 0)
      tally.add(
        'azure-no-standing-role-assignment-writers',
        roleWriters.some((a) => a.mode === 'standing') ? 'fail' : 'pass',
      );
    if (enabled && kind !== 'group' && assignments.some((a) => a.role.endsWith(`directoryRole/${GLOBAL_ADMIN}`)))
      counters.globalAdmins++;
    yield principal;
  }
}

export function* azureRoles(layout: TenantLayout, rng: Prng, tally: ExpectationTally): Generator<Role> {
  const tenant = layout.azure.tenantId;
  const tenantScope: Scope = { kind: 'tenant', id: tenant, name: 'contoso.example' };
  for (const role of [...AZURE_DIRECTORY_ROLES, ...AZURE_RBAC_ROLES]) {
    const directory = AZURE_DIRECTORY_ROLES.includes(role);
    yield {
      uid: `azure:${tenant}:${directory ? 'directoryRole' : 'roleDefinition'}/${role.id}`,
      provider: 'azure',
      scope: tenantScope,
      nativeId: role.id,
      name: role.name,
      builtIn: true,
      permissions: { allow: role.level === 'none' ? ['*/read'] : ['*'], deny: [] },
      privilege: { level: role.level, reasons: role.level === 'none' ? [] : [`${role.name} is a ${role.level} role`] },
    };
  }
  for (const subscription of layout.azure.subscriptions) {
    const scope: Scope = { kind: 'subscription', id: subscription.id, name: subscription.name };
    for (let k = 0; k < CUSTOM_ROLES_PER_SUBSCRIPTION; k++) {
      const id = rng.guid();
      const hiddenOwner = rng.chance(0.1);
      const allow = hiddenOwner
        ? [rng.pick(['*', '*/write', 'Microsoft.Authorization/*'])]
        : [
            'Microsoft.Compute/virtualMachines/read',
            'Microsoft.Compute/virtualMachines/restart/action',
            'Microsoft.Storage/storageAccounts/read',
          ];
      tally.add('azure-no-custom-owner-roles', hiddenOwner ? 'fail' : 'pass');
      tally.add('azure-no-custom-wildcard-role-at-subscription', allow.includes('*') ? 'fail' : 'pass');
      yield {
        uid: `azure:${subscription.id}:roleDefinition/${id}`,
        provider: 'azure',
        scope,
        nativeId: `/subscriptions/${subscription.id}/providers/Microsoft.Authorization/roleDefinitions/${id}`,
        name: `custom-${subscription.name}-${k}`,
        builtIn: false,
        permissions: { allow, deny: [] },
        privilege: { level: hiddenOwner ? 'admin' : 'none', reasons: hiddenOwner ? [`allows ${allow[0]}`] : [] },
        details: { assignableScopes: [`/subscriptions/${subscription.id}`] },
      };
    }
  }
}

export function* azureControls(layout: TenantLayout, rng: Prng, tally: ExpectationTally): Generator<Control> {
  const tenant = layout.azure.tenantId;
  const tenantScope: Scope = { kind: 'tenant', id: tenant, name: 'contoso.example' };
  const management = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
  const policies = [
    {
      name: 'Require MFA for Azure management',
      state: layout.azure.caEnforcesMfa ? 'enabled' : 'report-only',
      apps: [management],
      users: ['All'],
      roles: [],
      controls: ['mfa'],
    },
    {
      name: 'Require MFA for admins',
      state: 'enabled',
      apps: ['All'],
      users: [],
      roles: [GLOBAL_ADMIN, 'e8611ab8-c189-46e8-94e1-60213ab1f814', '7be44c8a-adaf-4e2a-84d6-ab2649e08a13'],
      controls: ['mfa'],
    },
    {
      name: 'Block legacy authentication',
      state: 'enabled',
      apps: ['All'],
      users: ['All'],
      roles: [],
      controls: ['block'],
    },
    {
      name: 'Compliant device for Office',
      state: 'enabled',
      apps: ['Office365'],
      users: ['All'],
      roles: [],
      controls: ['compliantDevice'],
    },
  ] as const;
  for (const [i, p] of policies.entries()) {
    yield {
      uid: `azure:${tenant}:conditionalAccessPolicy/${String(i).padStart(2, '0')}`,
      provider: 'azure',
      scope: tenantScope,
      type: 'conditional-access',
      name: p.name,
      state: p.state,
      settings: {
        includeUsers: [...p.users],
        excludeUsers: [],
        includeRoles: [...p.roles],
        includeApplications: [...p.apps],
        builtInControls: [...p.controls],
        operator: 'OR',
        // As the normalizer derives them.
        requiresMfa: p.controls.includes('mfa' as never),
        coversAllUsers: p.users.includes('All' as never),
        coversAdminRoles: p.users.includes('All' as never) || p.roles.length === 3,
        coversAllApps: p.apps.includes('All' as never),
        coversAzureManagement: p.apps.includes('All' as never) || p.apps.includes(management as never),
      },
    };
  }
  yield {
    uid: `azure:${tenant}:securityDefaults`,
    provider: 'azure',
    scope: tenantScope,
    type: 'security-defaults',
    name: 'Security defaults',
    state: 'disabled',
    settings: {},
  };
  tally.add('azure-ca-mfa-azure-management', layout.azure.caEnforcesMfa ? 'pass' : 'fail');
  tally.add('azure-ca-mfa-admin-roles', 'pass');
  tally.add('azure-ca-mfa-all-users', 'fail');
  for (const subscription of layout.azure.subscriptions) {
    const scope: Scope = { kind: 'subscription', id: subscription.id, name: subscription.name };
    const d = subscription.diagnostics;
    tally.add('azure-activity-log-diagnostic-setting', d === 'gap' ? 'unknown' : d === 'full' ? 'pass' : 'fail');
    if (d === 'gap' || d === 'none') continue;
    const categories =
      d === 'partial'
        ? ['Administrative', 'Security']
        : [
            'Administrative',
            'Security',
            'ServiceHealth',
            'Alert',
            'Recommendation',
            'Policy',
            'Autoscale',
            'ResourceHealth',
          ];
    yield {
      uid: `azure:${subscription.id}:diagnosticSetting/activity-to-law`,
      provider: 'azure',
      scope,
      type: 'audit-logging',
      name: 'activity-to-law',
      state: d === 'disabled' ? 'disabled' : 'enabled',
      settings: {
        categories,
        destination: `/subscriptions/${subscription.id}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-${rng.hex(6)}`,
      },
    };
  }
}

/** Counts that need every principal seen first: the tenant's Global Administrators. */
export function finishAzure(tally: ExpectationTally, counters: { globalAdmins: number }): void {
  tally.add(
    'azure-global-admins-two-to-four',
    counters.globalAdmins >= 2 && counters.globalAdmins <= 4 ? 'pass' : 'fail',
  );
}

// ---------------------------------------------------------------- GCP

const GCP_ROLES: Array<{ name: string; level: Level }> = [
  { name: 'roles/owner', level: 'admin' },
  { name: 'roles/resourcemanager.organizationAdmin', level: 'admin' },
  { name: 'roles/editor', level: 'privileged' },
  { name: 'roles/iam.serviceAccountUser', level: 'privileged' },
  { name: 'roles/viewer', level: 'none' },
  { name: 'roles/storage.objectViewer', level: 'none' },
];

function gcpAssignment(layout: TenantLayout, rng: Prng, level: Level): Assignment {
  const candidates = GCP_ROLES.filter((r) => r.level === level);
  const role = rng.pick(candidates);
  const project = rng.pick(layout.gcp.projects);
  const scope =
    role.name === 'roles/resourcemanager.organizationAdmin'
      ? `organizations/${layout.gcp.orgId}`
      : `projects/${project.id}`;
  return { role: `gcp:${layout.gcp.orgId}:${role.name}`, scope, mode: 'standing', via: 'direct', rolePrivilege: level };
}

/** Cloud Identity users and groups (organization scope) and service accounts (project scope). */
export function* gcpPrincipals(layout: TenantLayout, rng: Prng, tally: ExpectationTally): Generator<Principal> {
  const org = layout.gcp.orgId;
  const orgScope: Scope = { kind: 'organization', id: org, name: 'example.com' };
  for (let i = 0; i < layout.gcp.orgPrincipals; i++) {
    const isGroup = rng.chance(0.09);
    const levelRoll = rng.next();
    const level: Level = levelRoll < 0.03 ? 'admin' : levelRoll < 0.12 ? 'privileged' : 'none';
    const assignments = [
      gcpAssignment(layout, rng, level),
      ...(rng.chance(0.5) ? [gcpAssignment(layout, rng, 'none')] : []),
    ];
    // Checks on users and groups alike: basic roles, impersonation on the hierarchy, duties, standing privilege.
    const roleOf = (a: Assignment) => a.role.slice(a.role.lastIndexOf(':') + 1);
    tally.add(
      'gcp-no-basic-roles-for-users',
      assignments.some((a) => /^roles\/(owner|editor|viewer)$/.test(roleOf(a))) ? 'fail' : 'pass',
    );
    tally.add(
      'gcp-no-sa-user-or-token-creator-on-hierarchy',
      assignments.some((a) => roleOf(a) === 'roles/iam.serviceAccountUser') ? 'fail' : 'pass',
    );
    tally.add('gcp-sa-admin-separation-of-duties', 'pass');
    tally.add('gcp-privileged-bindings-time-bound', level === 'none' ? 'pass' : 'fail');
    if (isGroup) {
      const email = `grp-${i}@example.com`;
      yield {
        uid: `gcp:${org}:group/${email}`,
        provider: 'gcp',
        scope: orgScope,
        nativeId: `group:${email}`,
        kind: 'group',
        name: email,
        interactive: false,
        enabled: true,
        assignments,
        privilege: { level, reasons: privilegeReasons(assignments) },
      };
      continue;
    }
    const email = `${personName(rng, i)}@example.com`;
    const enabled = rng.chance(0.97);
    const mfaRoll = rng.next();
    const state = mfaRoll < 0.75 ? 'enabled' : mfaRoll < 0.97 ? 'disabled' : 'unknown';
    if (enabled)
      tally.add('gcp-users-2sv-enrolled', state === 'enabled' ? 'pass' : state === 'disabled' ? 'fail' : 'unknown');
    // Enforcement follows enrolment for two in three users (no draw, so the other counts stay as they were).
    const enforced = state === 'enabled' && i % 3 !== 0;
    if (enabled && level === 'admin') tally.add('gcp-admins-2sv-enforced', enforced ? 'pass' : 'fail');
    yield {
      uid: `gcp:${org}:user/${email}`,
      provider: 'gcp',
      scope: orgScope,
      nativeId: `user:${email}`,
      kind: 'user',
      name: email,
      interactive: true,
      enabled,
      mfa:
        state === 'enabled'
          ? { state, methods: [rng.chance(0.3) ? 'securityKey' : 'authenticator'] }
          : { state, methods: [] },
      assignments,
      privilege: { level, reasons: privilegeReasons(assignments) },
      lastActivityAt: daysBefore(layout, rng.int(0, 180)),
      createdAt: daysBefore(layout, rng.int(30, 2500)),
      details: {
        orgUnitPath: rng.pick(layout.gcp.cloudShell).unit,
        isAdmin: level === 'admin',
        isEnforcedIn2Sv: enforced,
      },
    };
  }
  for (const project of layout.gcp.projects) {
    const scope: Scope = { kind: 'project', id: project.id, name: project.id };
    for (let i = 0; i < project.serviceAccounts; i++) {
      const email = `sa-${i}@${project.id}.iam.gserviceaccount.com`;
      const enabled = rng.chance(0.95);
      const levelRoll = rng.next();
      const level: Level = levelRoll < 0.06 ? 'admin' : levelRoll < 0.2 ? 'privileged' : 'none';
      const assignments = [gcpAssignment(layout, rng, level)];
      const credentials: Credential[] = [];
      if (rng.chance(0.25)) {
        const id = rng.hex(40);
        const active = rng.chance(0.8);
        const age = rng.int(1, 900);
        credentials.push({
          kind: 'serviceAccountKey',
          id,
          active,
          createdAt: daysBefore(layout, age),
          expiresAt: null,
        });
      }
      if (enabled)
        tally.add(
          'gcp-service-account-keys-rotated',
          credentials.some(
            (c) => c.active && Date.parse(layout.collectedAt) - Date.parse(c.createdAt!) >= 90 * 86_400_000,
          )
            ? 'fail'
            : 'pass',
        );
      // Admin level or a basic role (Owner, Editor) fails.
      const basic = assignments.some((a) => /:roles\/(owner|editor)$/.test(a.role));
      tally.add(
        'gcp-service-accounts-not-admin',
        project.audit === 'gap' ? 'unknown' : level === 'admin' || basic ? 'fail' : 'pass',
      );
      if (enabled)
        tally.add('gcp-service-accounts-no-user-managed-keys', credentials.some((c) => c.active) ? 'fail' : 'pass');
      yield {
        uid: `gcp:${project.id}:serviceAccount/${email}`,
        provider: 'gcp',
        scope,
        nativeId: `serviceAccount:${email}`,
        kind: 'serviceAccount',
        name: email,
        interactive: false,
        enabled,
        credentials,
        assignments,
        privilege: { level, reasons: privilegeReasons(assignments) },
        details: {
          uniqueId: String(100_000_000_000_000_000_000n + BigInt(rng.uint32())),
          displayName: `service account ${i}`,
        },
      };
    }
  }
}

export function* gcpRoles(layout: TenantLayout): Generator<Role> {
  const org = layout.gcp.orgId;
  const scope: Scope = { kind: 'organization', id: org, name: 'example.com' };
  for (const role of GCP_ROLES) {
    yield {
      uid: `gcp:${org}:${role.name}`,
      provider: 'gcp',
      scope,
      nativeId: role.name,
      name: role.name,
      builtIn: true,
      permissions: { allow: role.level === 'none' ? ['*.get', '*.list'] : ['*'], deny: [] },
      privilege: { level: role.level, reasons: role.level === 'none' ? [] : [`${role.name} is a ${role.level} role`] },
    };
  }
}

function gcpAuditControl(uid: string, scope: Scope, kind: 'full' | 'partial'): Control {
  return {
    uid,
    provider: 'gcp',
    scope,
    type: 'audit-logging',
    name: 'allServices',
    state: 'enabled',
    settings: {
      service: 'allServices',
      logTypes: kind === 'full' ? ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'] : ['ADMIN_READ'],
      exemptedMembers: [],
    },
  };
}

export function* gcpControls(layout: TenantLayout, tally: ExpectationTally): Generator<Control> {
  const org = layout.gcp.orgId;
  const orgScope: Scope = { kind: 'organization', id: org, name: 'example.com' };
  const constraints = [
    { constraint: 'iam.allowedPolicyMemberDomains', allowedValues: ['C0example'], restricted: true },
    { constraint: 'compute.requireOsLogin', enforce: true },
    { constraint: 'iam.managed.disableServiceAccountKeyCreation', enforce: layout.gcp.orgPolicyEnforced },
  ];
  for (const c of constraints) {
    yield {
      uid: `gcp:${org}:orgPolicy/${c.constraint}`,
      provider: 'gcp',
      scope: orgScope,
      type: 'org-policy',
      name: c.constraint,
      state: 'enabled',
      settings: { ...c },
    };
  }
  tally.add('gcp-org-policy-disable-sa-key-creation', layout.gcp.orgPolicyEnforced ? 'pass' : 'fail');
  // Domain restriction is set at the organization; projects carry no effective policy of their own here.
  tally.add('gcp-domain-restricted-sharing', 'pass');
  for (let i = 0; i < layout.gcp.projects.length; i++) tally.add('gcp-domain-restricted-sharing', 'fail');
  for (const { unit, access } of layout.gcp.cloudShell) {
    const settings: Record<string, unknown> = { appliesTo: unit };
    if (access !== 'unreadable') settings.access = access;
    tally.add(
      'gcp-cloud-shell-restricted',
      access === 'unreadable' ? 'unknown' : access === 'enabled' ? 'fail' : 'pass',
    );
    yield {
      uid: `gcp:${org}:cloudShell${unit === '/' ? '/root' : unit}`,
      provider: 'gcp',
      scope: orgScope,
      type: 'cloud-shell-restriction',
      name: `Cloud Shell access ${unit}`,
      state: 'enabled',
      settings,
    };
  }
  if (layout.gcp.orgAudit !== 'none')
    yield gcpAuditControl(`gcp:${org}:auditConfig/allServices`, orgScope, layout.gcp.orgAudit);
  tally.add('gcp-audit-logging-all-services', layout.gcp.orgAudit === 'full' ? 'pass' : 'fail');
  for (const project of layout.gcp.projects) {
    const scope: Scope = { kind: 'project', id: project.id, name: project.id };
    tally.add(
      'gcp-audit-logging-all-services',
      project.audit === 'gap' ? 'unknown' : project.audit === 'full' ? 'pass' : 'fail',
    );
    if (project.audit === 'full' || project.audit === 'partial')
      yield gcpAuditControl(`gcp:${project.id}:auditConfig/allServices`, scope, project.audit);
  }
}
