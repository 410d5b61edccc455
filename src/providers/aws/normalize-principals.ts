/**
 * IAM identities as snapshot principals: the root user, users, groups and roles, joined with the credential report
 * (credentials, MFA, last use), the virtual MFA device list (hardware or virtual), the account summary (root facts)
 * and the policy catalogue (assignments and privilege).
 */
import type { Assignment, Credential, Mfa, Principal, Scope } from '../../snapshot/model.js';
import { scopeKey } from '../../snapshot/model.js';
import { isoSeconds } from '../../snapshot/date-time.js';
import type { AccountView } from './account-view.js';
import { utcSeconds, type CredentialReportRow } from './credential-report.js';
import type { AttachedPolicy, InlinePolicy, PermissionsBoundary } from './documents.js';
import type { CatalogPolicy, PolicyCatalog } from './normalize-policies.js';
import { parsePolicyDocument, PolicyDocumentError, type PolicyDocument } from './policy-document.js';
import { analyzePrivilege, type Guardrail, type PrivilegeAnalysis } from './privilege.js';
import type { EscalationPath, GrantPower, GraphPrincipal, HeldPolicy } from './privilege-graph.js';
import { analyzeTrustPolicy } from './trust-policy.js';

interface Holding {
  policy: CatalogPolicy;
  via: string;
  owner: { kind: 'user' | 'group' | 'role'; arn: string };
}

/** The principals of one account, and what the privilege graph needs of each (with its own-policy analysis). */
export interface AccountPrincipals {
  principals: Principal[];
  graph: GraphPrincipal[];
  analyses: Map<string, PrivilegeAnalysis>;
}

/** Shared by the principals of one account: the catalogue, the SCP layers and a privilege cache. */
interface Context {
  view: AccountView;
  virtualHolders: Set<string> | undefined;
  scope: Scope;
  catalog: PolicyCatalog;
  scpLayers: Guardrail[];
  cache: Map<string, PrivilegeAnalysis>;
}

function latest(dates: Array<string | null | undefined>): string | null {
  const known = dates.filter((d): d is string => typeof d === 'string').sort();
  return known.at(-1) ?? null;
}

function iso(value: string | undefined): string | null {
  if (!value) return null;
  const direct = utcSeconds(value);
  if (direct !== undefined) return direct;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : isoSeconds(time);
}

function holdings(
  context: Context,
  owner: { kind: 'user' | 'group' | 'role'; name: string; arn: string },
  attached: AttachedPolicy[] | undefined,
  inline: InlinePolicy[] | undefined,
  via: string,
): Holding[] {
  const out: Holding[] = [];
  for (const a of attached ?? []) {
    const policy = a.PolicyArn ? context.catalog.managed.get(a.PolicyArn) : undefined;
    if (policy) out.push({ policy, via, owner });
  }
  for (const item of inline ?? []) out.push({ policy: context.catalog.inline(owner, item), via, owner });
  return out;
}

function assignmentsOf(context: Context, held: Holding[]): Assignment[] {
  return held.map((h) => ({ role: h.policy.uid, scope: scopeKey('aws', context.scope), mode: 'standing', via: h.via }));
}

/** Privilege of a set of held policies under the boundary and the account's SCPs, cached by that combination. */
function privilegeOf(context: Context, held: Holding[], boundary: PermissionsBoundary | undefined): PrivilegeAnalysis {
  const boundaryPolicy = boundary?.PermissionsBoundaryArn
    ? context.catalog.managed.get(boundary.PermissionsBoundaryArn)
    : undefined;
  const key = `${[...new Set(held.map((h) => h.policy.uid))].sort().join('|')}#${boundaryPolicy?.uid ?? ''}`;
  let analysis = context.cache.get(key);
  if (!analysis) {
    const guardrails = [...context.scpLayers];
    if (boundaryPolicy)
      guardrails.unshift({ name: `permissions boundary ${boundaryPolicy.name}`, documents: [boundaryPolicy.document] });
    const unique = [
      ...new Map(held.map((h) => [h.policy.uid, { name: h.policy.name, document: h.policy.document }])).values(),
    ];
    analysis = analyzePrivilege(unique, guardrails);
    context.cache.set(key, analysis);
  }
  return analysis;
}

function reportCredentials(row: CredentialReportRow, passwordPresent: boolean | null): Credential[] {
  const credentials: Credential[] = [];
  if (passwordPresent === true) {
    credentials.push({
      kind: 'password',
      id: 'password',
      active: true,
      createdAt: row.passwordLastChanged ?? row.userCreationTime,
      lastUsedAt: row.passwordLastUsed,
      lastRotatedAt: row.passwordLastChanged,
    });
  }
  for (const key of row.accessKeys) {
    credentials.push({
      kind: 'accessKey',
      id: key.slot,
      active: key.active,
      createdAt: key.lastRotated,
      lastUsedAt: key.lastUsedDate,
      lastRotatedAt: key.lastRotated,
    });
  }
  for (const cert of row.certificates) {
    credentials.push({
      kind: 'certificate',
      id: cert.slot,
      active: cert.active,
      createdAt: cert.lastRotated,
      lastRotatedAt: cert.lastRotated,
    });
  }
  return credentials;
}

function lastActivity(row: CredentialReportRow): string | null {
  return latest([row.passwordLastUsed, ...row.accessKeys.map((k) => k.lastUsedDate)]);
}

/** ARNs holding a virtual MFA device; undefined when the device list was not read. The root's is `...:root`. */
function virtualMfaHolders(view: AccountView): Set<string> | undefined {
  return view.virtualMfaDevices
    ? new Set(view.virtualMfaDevices.map((d) => d.User?.Arn ?? '').filter(Boolean))
    : undefined;
}

/** MFA of a user or the root: state from the report or summary, hardware vs virtual from the virtual device list. */
function mfaOf(virtualHolders: Set<string> | undefined, arn: string, active: boolean | undefined): Mfa | undefined {
  if (active === undefined) return undefined;
  if (!active) return { state: 'disabled', methods: [] };
  const mfa: Mfa = { state: 'enabled' };
  if (virtualHolders) {
    // MFA on and no virtual device of this ARN means a hardware TOTP or FIDO key (prowler's rule, provider-apis.md 1.5).
    const virtual = virtualHolders.has(arn);
    mfa.methods = [virtual ? 'virtual' : 'hardware'];
    mfa.hardware = !virtual;
  }
  return mfa;
}

function rootPrincipal(context: Context, reportRows: Map<string, CredentialReportRow>): Principal {
  const { view, scope } = context;
  const arn = `arn:${view.partition}:iam::${view.accountId}:root`;
  const row = [...reportRows.values()].find((r) => r.isRoot);
  const summary = view.summary;
  const flag = (key: string): boolean | undefined =>
    summary && typeof summary[key] === 'number' ? summary[key] > 0 : undefined;
  const root: Principal = {
    uid: `aws:${view.accountId}:root`,
    provider: 'aws',
    scope,
    nativeId: arn,
    kind: 'root',
    name: 'root',
    privilege: {
      level: 'admin',
      reasons: [
        'the root user holds every permission in the account; IAM policies cannot restrict it (only SCPs can, and not in the management account)',
      ],
    },
  };
  const passwordPresent = flag('AccountPasswordPresent');
  if (passwordPresent !== undefined) root.interactive = passwordPresent;
  const mfa = mfaOf(context.virtualHolders, arn, flag('AccountMFAEnabled') ?? row?.mfaActive);
  if (mfa) root.mfa = mfa;
  if (row) {
    root.credentials = reportCredentials(row, passwordPresent ?? null);
    root.lastActivityAt = lastActivity(row);
    root.createdAt = row.userCreationTime;
  }
  const details: Record<string, unknown> = {};
  if (summary) {
    details.accountMfaEnabled = flag('AccountMFAEnabled') ?? null;
    details.accessKeysPresent = flag('AccountAccessKeysPresent') ?? null;
    details.signingCertificatesPresent = flag('AccountSigningCertificatesPresent') ?? null;
    details.passwordPresent = passwordPresent ?? null;
  }
  root.details = details;
  return root;
}

function heldPolicies(held: Holding[]): HeldPolicy[] {
  const unique = new Map<string, HeldPolicy>();
  for (const h of held)
    if (!unique.has(h.policy.uid))
      unique.set(h.policy.uid, {
        name: h.policy.name,
        document: h.policy.document,
        owner: h.owner,
        ...(h.policy.arn ? { arn: h.policy.arn } : {}),
      });
  return [...unique.values()];
}

function boundaryOf(context: Context, boundary: PermissionsBoundary | undefined): GraphPrincipal['boundary'] {
  const arn = boundary?.PermissionsBoundaryArn;
  const policy = arn ? context.catalog.managed.get(arn) : undefined;
  return arn && policy ? { arn, name: `permissions boundary ${policy.name}`, document: policy.document } : undefined;
}

function trustDocument(document: unknown): PolicyDocument | undefined {
  try {
    return document === undefined ? undefined : parsePolicyDocument(document);
  } catch (error) {
    if (error instanceof PolicyDocumentError) return undefined;
    throw error;
  }
}

/** Builds every principal of the account. */
export function normalizePrincipals(
  view: AccountView,
  scope: Scope,
  catalog: PolicyCatalog,
  scpLayers: Guardrail[],
  now: string,
): AccountPrincipals {
  const context: Context = {
    view,
    virtualHolders: virtualMfaHolders(view),
    scope,
    catalog,
    scpLayers,
    cache: new Map(),
  };
  const graph: GraphPrincipal[] = [];
  const analyses = new Map<string, PrivilegeAnalysis>();
  const node = (
    uid: string,
    arn: string,
    kind: GraphPrincipal['kind'],
    name: string,
    held: Holding[],
    privilege: PrivilegeAnalysis,
    extra: Partial<GraphPrincipal>,
  ) => {
    analyses.set(uid, privilege);
    graph.push({
      uid,
      arn,
      kind,
      name,
      account: view.accountId,
      partition: view.partition,
      policies: heldPolicies(held),
      scps: scpLayers,
      admin: privilege.level === 'admin',
      now,
      ...extra,
    });
  };
  const groupMembers = new Map<string, string[]>();
  for (const user of view.details?.users ?? []) {
    for (const g of user.GroupList ?? []) {
      if (!groupMembers.has(g)) groupMembers.set(g, []);
      groupMembers.get(g)!.push(`aws:${view.accountId}:user/${user.UserName ?? ''}`);
    }
  }
  const reportRows = new Map((view.report?.rows ?? []).map((r) => [r.arn, r]));
  const principals: Principal[] = [rootPrincipal(context, reportRows)];
  const acct = view.accountId;
  const groupUid = (name: string) => `aws:${acct}:group/${name}`;
  const groupHoldings = new Map<string, Holding[]>();
  const memberCounts = new Map<string, number>();
  for (const user of view.details?.users ?? [])
    for (const g of user.GroupList ?? []) memberCounts.set(g, (memberCounts.get(g) ?? 0) + 1);

  for (const group of view.details?.groups ?? []) {
    const name = group.GroupName ?? '';
    const arn = group.Arn ?? '';
    const held = holdings(
      context,
      { kind: 'group', name, arn },
      group.AttachedManagedPolicies,
      group.GroupPolicyList,
      'direct',
    );
    groupHoldings.set(name, held);
    const privilege = privilegeOf(context, held, undefined);
    const members = memberCounts.get(name) ?? 0;
    node(groupUid(name), arn, 'group', name, held, privilege, { members: groupMembers.get(name) ?? [] });
    principals.push({
      uid: groupUid(name),
      provider: 'aws',
      scope,
      nativeId: arn,
      kind: 'group',
      name,
      assignments: assignmentsOf(context, held),
      privilege: { level: privilege.level, reasons: privilege.reasons },
      createdAt: iso(group.CreateDate),
      details: { path: group.Path ?? '/', members, escalation: privilege.escalation },
    });
  }

  const seenUsers = new Set<string>();
  for (const user of view.details?.users ?? []) {
    const name = user.UserName ?? '';
    const arn = user.Arn ?? '';
    seenUsers.add(arn);
    const direct = holdings(
      context,
      { kind: 'user', name, arn },
      user.AttachedManagedPolicies,
      user.UserPolicyList,
      'direct',
    );
    const viaGroups = (user.GroupList ?? []).flatMap((g) =>
      (groupHoldings.get(g) ?? []).map((h) => ({ ...h, via: groupUid(g) })),
    );
    const held = [...direct, ...viaGroups];
    const privilege = privilegeOf(context, held, user.PermissionsBoundary);
    const row = reportRows.get(arn);
    const boundary = boundaryOf(context, user.PermissionsBoundary);
    node(`aws:${acct}:user/${name}`, arn, 'user', name, held, privilege, {
      groups: (user.GroupList ?? []).map(groupUid),
      ...(boundary ? { boundary } : {}),
      ...(typeof row?.passwordEnabled === 'boolean' ? { hasPassword: row.passwordEnabled } : {}),
    });
    const principal: Principal = {
      uid: `aws:${acct}:user/${name}`,
      provider: 'aws',
      scope,
      nativeId: arn,
      kind: 'user',
      name,
      assignments: assignmentsOf(context, held),
      privilege: { level: privilege.level, reasons: privilege.reasons },
      createdAt: iso(user.CreateDate),
      details: {
        path: user.Path ?? '/',
        groups: user.GroupList ?? [],
        permissionsBoundary: user.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
        directPolicies: direct.map((h) => h.policy.uid),
        escalation: privilege.escalation,
      },
    };
    addReportFacts(context, principal, reportRows.get(arn), view.report !== undefined);
    principals.push(principal);
  }
  // Users the report lists but the authorization details do not (that call failed, or the user is newer).
  for (const row of reportRows.values()) {
    if (row.isRoot || seenUsers.has(row.arn)) continue;
    const principal: Principal = {
      uid: `aws:${acct}:user/${row.user}`,
      provider: 'aws',
      scope,
      nativeId: row.arn,
      kind: 'user',
      name: row.user,
      createdAt: row.userCreationTime,
      details: {},
    };
    addReportFacts(context, principal, row, true);
    principals.push(principal);
  }

  for (const role of view.details?.roles ?? []) {
    const name = role.RoleName ?? '';
    const arn = role.Arn ?? '';
    const held = holdings(
      context,
      { kind: 'role', name, arn },
      role.AttachedManagedPolicies,
      role.RolePolicyList,
      'direct',
    );
    const privilege = privilegeOf(context, held, role.PermissionsBoundary);
    const trust = analyzeTrustPolicy(role.AssumeRolePolicyDocument);
    const boundary = boundaryOf(context, role.PermissionsBoundary);
    const trustPolicy = trustDocument(role.AssumeRolePolicyDocument);
    node(`aws:${acct}:role/${name}`, arn, 'role', name, held, privilege, {
      ...(boundary ? { boundary } : {}),
      ...(trustPolicy ? { trust: trustPolicy } : {}),
      ...(role.InstanceProfileList ? { instanceProfiles: role.InstanceProfileList.length } : {}),
    });
    const details: Record<string, unknown> = {
      path: role.Path ?? '/',
      serviceLinked: (role.Path ?? '').startsWith('/aws-service-role/'),
      permissionsBoundary: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
      trust: {
        awsPrincipals: trust.awsPrincipals,
        services: trust.services,
        federated: trust.federated,
        conditions: trust.conditions,
      },
      assumableByIamPrincipals: trust.assumableByIamPrincipals,
      trustRequiresMfa: trust.requiresMfa,
      escalation: privilege.escalation,
    };
    const maxSession = role.MaxSessionDuration ?? view.maxSessionDuration?.get(name);
    if (maxSession !== undefined) details.maxSessionDurationSeconds = maxSession;
    principals.push({
      uid: `aws:${acct}:role/${name}`,
      provider: 'aws',
      scope,
      nativeId: arn,
      kind: 'role',
      name,
      interactive: false,
      assignments: assignmentsOf(context, held).map((a) =>
        trust.requiresMfa ? { ...a, condition: 'aws:MultiFactorAuthPresent' } : a,
      ),
      privilege: { level: privilege.level, reasons: privilege.reasons },
      lastActivityAt: iso(role.RoleLastUsed?.LastUsedDate),
      createdAt: iso(role.CreateDate),
      details,
    });
  }
  return { principals, graph, analyses };
}

function addReportFacts(
  context: Context,
  principal: Principal,
  row: CredentialReportRow | undefined,
  reportRead: boolean,
): void {
  if (!row) {
    // Read but absent: the user was created after the report was generated; its credentials are unknown.
    if (reportRead) (principal.details ??= {}).notInCredentialReport = true;
    return;
  }
  principal.interactive = row.passwordEnabled === true;
  principal.enabled =
    row.passwordEnabled === true || row.accessKeys.some((k) => k.active) || row.certificates.some((c) => c.active);
  const mfa = mfaOf(context.virtualHolders, row.arn, row.mfaActive);
  if (mfa) principal.mfa = mfa;
  principal.credentials = reportCredentials(row, row.passwordEnabled);
  principal.lastActivityAt = lastActivity(row);
}

/** The reason a principal that can become an administrator is privileged: its shortest path, and what that rests on. */
export function pathReason(path: EscalationPath): string {
  const notes = [...new Set(path.steps.map((s) => s.note).filter((n): n is string => n !== undefined))];
  const tail = [
    ...(path.mfa ? ['needs an MFA-authenticated session'] : []),
    ...(path.conditions.length > 0
      ? [`only if these conditions hold (not decidable from the snapshot): ${path.conditions.join(', ')}`]
      : []),
    ...notes,
  ];
  return `can become an administrator: ${path.text}${tail.length > 0 ? ` (${tail.join('; ')})` : ''}`;
}

/** The reason a principal that can make another principal an administrator is privileged. */
export function grantReason(grant: GrantPower): string {
  const tail = [
    ...(grant.mfa ? ['needs an MFA-authenticated session'] : []),
    ...(grant.conditions.length > 0
      ? [`only if these conditions hold (not decidable from the snapshot): ${grant.conditions.join(', ')}`]
      : []),
  ];
  return `can make another principal an administrator: ${grant.text}${tail.length > 0 ? ` (${tail.join('; ')})` : ''}`;
}

/**
 * Privilege as reach: a principal that is not an administrator itself is privileged when the graph has a path from
 * it to admin (the path is the reason and `details.escalationPath`), when it can make another principal an
 * administrator (its grant power: the reason and `details.grantPower`), or when it allows every action but a few.
 */
export function applyEscalationPaths(
  principals: Principal[],
  analyses: Map<string, PrivilegeAnalysis>,
  paths: Map<string, EscalationPath>,
  grants: Map<string, GrantPower> = new Map(),
): void {
  for (const principal of principals) {
    const analysis = analyses.get(principal.uid);
    if (!analysis || analysis.level === 'admin') continue;
    const details = (principal.details ??= {});
    const path = paths.get(principal.uid);
    const almostAll = analysis.reasons.filter((r) => r.startsWith('allows every action except'));
    if (path) {
      principal.privilege = { level: 'privileged', reasons: [pathReason(path), ...almostAll] };
      details.escalation = path.kinds;
      details.escalationPath = { text: path.text, steps: path.steps, conditions: path.conditions, mfa: path.mfa };
    } else {
      const grant = grants.get(principal.uid);
      const reasons = [...(grant ? [grantReason(grant)] : []), ...almostAll];
      principal.privilege = { level: reasons.length > 0 ? 'privileged' : 'none', reasons };
      details.escalation = [];
      if (grant)
        details.grantPower = {
          text: grant.text,
          target: grant.target,
          kind: grant.kind,
          conditions: grant.conditions,
          mfa: grant.mfa,
          ...(grant.via ? { via: grant.via } : {}),
        };
    }
  }
}
