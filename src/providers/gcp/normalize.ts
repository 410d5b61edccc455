/**
 * GCP raw documents -> snapshot part (pure). Members of allow policies become principals with their bindings at
 * organization, folder, project and resource scope; conditions are kept (a binding bounded by `request.time <
 * timestamp(...)` is just-in-time, one expired at collectedAt grants nothing); deny policies narrow what a binding
 * grants; service accounts carry their user-managed keys; directory users carry 2-Step Verification. Privilege is
 * then reach: the escalation graph (`privilege-graph.ts`) gives each principal that can become an administrator its
 * shortest path as the reason.
 */
import type {
  Assignment,
  Credential,
  Gap,
  Principal,
  Privilege,
  PrivilegeLevel,
  Role,
  Scope,
  SnapshotPart,
  Source,
} from '../../snapshot/model.js';
import { ItemLedger } from '../cloud/ledger.js';
import type { RawBundle } from '../types.js';
import { CLOUD_SHELL_GAP, gapsOfErrors, normalizeControls } from './normalize-controls.js';
import {
  CONSTRAINTS,
  DocumentKind,
  GapTopic,
  OPERATIONS,
  type ErrorBody,
  type DenyPoliciesBody,
  type DirectoryUser,
  type DirectoryUsersBody,
  type IamPolicy,
  type IamPolicyBody,
  type IamPolicySearchResult,
  type KeysBody,
  type OrgPolicy,
  type RolesBody,
  type Role as GcpRole,
  type ServiceAccount,
  type ServiceAccountsBody,
} from './documents.js';
import { ACCOUNT_BY_ID, Hierarchy } from './hierarchy.js';
import { denyForms, isServiceAgent, parseMember, serviceAccountProject, type Member } from './members.js';
import { applyPaths, keyCreationBlocked } from './privilege-paths.js';
import { edgePermissions, GcpPrivilegeGraph, type GcpGraphPrincipal, type HeldBinding } from './privilege-graph.js';
import { BASIC_ROLES, higher, judgeRole, permissionCovered, v1Permission, type RoleJudgement } from './privilege.js';

/** The text items of a list field; an edited export may hold anything there. */
const textItems = (list: unknown): string[] =>
  Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];

/** The grants (binding members) and audit configs of an allow policy: its items, for the ledger. */
function policyItems(policy: IamPolicy): number {
  return (policy.bindings ?? []).reduce((n, b) => n + (b.members?.length ?? 0), 0) + (policy.auditConfigs?.length ?? 0);
}

/**
 * The allow policies of a bundle, one per resource, from Cloud Asset results and getIamPolicy documents. A resource
 * whose policy two documents carry keeps the first (in document order); the second is skipped when it says the same,
 * and dropped (a gap) when it differs, since which one is current cannot be told.
 */
function placedPolicies(bundle: RawBundle, hierarchy: Hierarchy, ledger?: ItemLedger): Map<string, IamPolicy> {
  const byResource = new Map<string, { policy: IamPolicy; origin: string }>();
  const place = (resource: string, policy: IamPolicy, origin: string) => {
    const canonical = hierarchy.canonical(resource);
    const had = byResource.get(canonical);
    if (!had) {
      byResource.set(canonical, { policy, origin });
      return;
    }
    const items = policyItems(policy);
    if (JSON.stringify(had.policy) === JSON.stringify(policy))
      ledger?.skipped(
        origin,
        `a second copy of the allow policy of ${canonical} (the one in ${had.origin} is used)`,
        items,
      );
    else
      ledger?.dropped(
        origin,
        `allow policy of ${canonical} differs from the one in ${had.origin}, which is used; export one of them again`,
        GapTopic.iamPolicy,
        items,
      );
    if (items === 0) ledger?.read(origin, 0);
  };
  for (const d of bundle.documents) {
    if (d.kind === DocumentKind.assetIamPolicies)
      for (const r of d.body as IamPolicySearchResult[]) place(r.resource, r.policy ?? {}, d.origin);
    if (d.kind === DocumentKind.iamPolicy) {
      const body = d.body as IamPolicyBody;
      place(body.resource, body.policy, d.origin);
    }
  }
  for (const d of bundle.documents) {
    if (d.kind === DocumentKind.assetIamPolicies)
      ledger?.read(
        d.origin,
        (d.body as IamPolicySearchResult[]).reduce((n, r) => n + policyItems(r.policy ?? {}), 0),
      );
    if (d.kind === DocumentKind.iamPolicy) ledger?.read(d.origin, policyItems((d.body as IamPolicyBody).policy));
  }
  // Audit configs are read by every scope below the policy's resource.
  for (const { policy, origin } of byResource.values()) ledger?.used(origin, policy.auditConfigs?.length ?? 0);
  return new Map([...byResource].map(([resource, placed]) => [resource, placed.policy]));
}

/** Why a directory user or service account without a usable email is set aside (no member can be named by it). */
const UNNAMED = 'no email that names an IAM member (empty or not an address)';

const TIME_BOUND = /request\.time\s*<=?\s*timestamp\(\s*["']([^"']+)["']\s*\)/;

/** The end of a time-bound condition, when the condition is one (`request.time < timestamp("...")`, no `||`). */
export function conditionExpiry(expression: string | undefined): string | undefined {
  if (typeof expression !== 'string' || !expression || expression.includes('||')) return undefined;
  const match = TIME_BOUND.exec(expression);
  if (!match || Number.isNaN(Date.parse(match[1]!))) return undefined;
  return new Date(match[1]!).toISOString().replace('.000Z', 'Z');
}

interface Builder {
  member: Member;
  assignments: Assignment[];
  /** Roles held, for privilege: judgement and the scope each is held at. */
  held: Array<{
    role: string;
    scope: string;
    judgement: RoleJudgement;
    narrowedBy?: string;
    expiresAt?: string;
    condition?: string;
  }>;
  expired: number;
  user?: DirectoryUser;
  account?: ServiceAccount;
  keys?: Credential[];
  /** The project a key list's key names say the account lives in. */
  keyProject?: string;
}

interface DenyEntry {
  attachment: string;
  name: string;
  principals: string[];
  exceptions: string[];
  permissions: string[];
  exceptionPermissions: string[];
}

function denyEntries(bundle: RawBundle, hierarchy: Hierarchy, ledger: ItemLedger): DenyEntry[] {
  const out: DenyEntry[] = [];
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.denyPolicies) continue;
    const body = d.body as DenyPoliciesBody;
    const policies = Array.isArray(body.policies) ? body.policies : [];
    ledger.read(
      d.origin,
      policies.reduce((n, p) => n + (Array.isArray(p?.rules) ? p.rules.length : 0), 0),
    );
    for (const policy of policies) {
      for (const rule of Array.isArray(policy?.rules) ? policy.rules : []) {
        const deny = rule?.denyRule;
        // A conditional deny may not apply; only unconditional denies are counted as narrowing a grant (a deny left
        // out can only make a grant look broader than it is, never narrower).
        if (!deny) {
          ledger.skipped(d.origin, 'deny-policy rule without a denyRule');
          continue;
        }
        if (deny.denialCondition?.expression) {
          ledger.skipped(
            d.origin,
            'conditional deny rule: not counted as narrowing any grant (its condition cannot be judged offline)',
          );
          continue;
        }
        ledger.used(d.origin);
        out.push({
          attachment: hierarchy.canonical(body.attachmentPoint),
          name: policy.displayName || policy.name.split('/').at(-1) || policy.name,
          principals: textItems(deny.deniedPrincipals),
          exceptions: textItems(deny.exceptionPrincipals),
          permissions: textItems(deny.deniedPermissions).map(v1Permission),
          exceptionPermissions: textItems(deny.exceptionPermissions).map(v1Permission),
        });
      }
    }
  }
  return out;
}

/** The deny policy that takes away every permission making a role privileged, for this member at this scope. */
function narrowingDeny(member: Member, lineage: string[], keys: string[], denies: DenyEntry[]): string | undefined {
  if (keys.length === 0) return undefined;
  const forms = new Set(denyForms(member));
  const applicable = denies.filter(
    (d) =>
      lineage.includes(d.attachment) &&
      d.principals.some((p) => forms.has(p)) &&
      !d.exceptions.some((p) => forms.has(p)),
  );
  for (const deny of applicable) {
    const covered = keys.every(
      (key) =>
        deny.permissions.some((p) => permissionCovered(p, key)) &&
        !deny.exceptionPermissions.some((p) => permissionCovered(p, key)),
    );
    if (covered) return deny.name;
  }
  return undefined;
}

/**
 * The roles the files describe, one per name. `gcloud iam roles list` prints roles in the API's BASIC view, without
 * `includedPermissions`, and `gcloud iam roles describe` prints them in full: a copy with its permissions is kept over
 * one without, whichever file comes first (the other copy is skipped, not lost silently).
 */
function describedRoles(bundle: RawBundle, ledger: ItemLedger): Map<string, GcpRole> {
  const documents = bundle.documents.filter((d) => d.kind === DocumentKind.roles);
  const roles = new Map<string, { role: GcpRole; origin: string }>();
  for (const d of documents) {
    for (const r of (d.body as RolesBody).roles) {
      const had = roles.get(r.name);
      if (!r.deleted && (!had || (had.role.includedPermissions === undefined && r.includedPermissions !== undefined)))
        roles.set(r.name, { role: r, origin: d.origin });
    }
  }
  for (const d of documents) {
    const list = (d.body as RolesBody).roles;
    ledger.read(d.origin, list.length);
    for (const r of list) {
      const kept = roles.get(r.name);
      if (r.deleted) ledger.skipped(d.origin, 'deleted role (it grants nothing)');
      else if (kept?.role === r) ledger.used(d.origin);
      else
        ledger.skipped(
          d.origin,
          r.includedPermissions === undefined && kept!.role.includedPermissions !== undefined
            ? `role ${r.name} as listed, without its permissions (the description in ${kept!.origin} is used)`
            : `a second copy of role ${r.name} (the one in ${kept!.origin} is used)`,
        );
    }
  }
  return new Map([...roles].map(([name, { role }]) => [name, role]));
}

function iso(value: string | undefined): string | null {
  if (!value || Number.isNaN(Date.parse(value))) return null;
  const t = new Date(value);
  // The Admin SDK writes 1970-01-01 for "never signed in".
  if (t.getTime() <= 0) return null;
  return t.toISOString().replace('.000Z', 'Z');
}

/** The hierarchy documents (organizations, folders, projects) and error documents, accounted. */
function accountHierarchy(bundle: RawBundle, ledger: ItemLedger): void {
  for (const d of bundle.documents) {
    if (d.kind === DocumentKind.organizations || d.kind === DocumentKind.folders || d.kind === DocumentKind.projects) {
      const list = d.body as Array<{ name?: string; projectId?: string; lifecycleState?: string; state?: string }>;
      ledger.read(d.origin, list.length);
      for (const item of list) {
        if (/DELETE/.test(item.lifecycleState ?? item.state ?? '') && d.kind !== DocumentKind.organizations)
          ledger.skipped(d.origin, `${d.kind === DocumentKind.projects ? 'project' : 'folder'} pending deletion`);
        else ledger.used(d.origin);
      }
    }
    if (d.kind === DocumentKind.error) {
      const body = d.body as ErrorBody;
      ledger.read(d.origin);
      if (body.operation in OPERATIONS) ledger.used(d.origin);
      else
        ledger.dropped(
          d.origin,
          `an error of operation "${body.operation}", which cloudward does not call (no gap can be opened for it)`,
        );
    }
  }
}

function normalizeBundle(bundle: RawBundle, part: SnapshotPart): void {
  const hierarchy = new Hierarchy(bundle);
  const ledger = new ItemLedger();
  accountHierarchy(bundle, ledger);
  const estate: Scope = { ...bundle.scope };
  const org = hierarchy.organizations.get(`organizations/${estate.id}`);
  if (estate.kind === 'organization' && org?.displayName && !estate.name) estate.name = org.displayName;
  const at = Date.parse(bundle.collectedAt);
  const projectScope = (id: string): Scope => {
    const info = hierarchy.projects.get(id);
    return { kind: 'project', id, ...(info?.name ? { name: info.name } : {}) };
  };
  const scopeOfProject = (id: string | undefined): Scope =>
    id && hierarchy.projects.has(id) && !(estate.kind === 'project' && estate.id === id) ? projectScope(id) : estate;

  // Sources: the organization (or lone project), then each project.
  const gapsByScope = new Map<string, Gap[]>();
  const addGap = (scope: Scope, gap: Gap) => gapsByScope.set(scope.id, [...(gapsByScope.get(scope.id) ?? []), gap]);
  for (const gap of bundle.gaps) addGap(estate, gap);
  if (estate.kind === 'organization') addGap(estate, CLOUD_SHELL_GAP);
  for (const { target, gap } of gapsOfErrors(bundle)) {
    const project = target.startsWith('projects/')
      ? hierarchy.projectId(target.split('/')[1]!)
      : target.includes('@')
        ? serviceAccountProject(target)
        : undefined;
    addGap(scopeOfProject(project), gap);
  }
  const policies = placedPolicies(bundle, hierarchy, ledger);
  for (const id of hierarchy.projects.keys()) {
    const scope = scopeOfProject(id);
    if (
      !policies.has(`projects/${id}`) &&
      !(gapsByScope.get(scope.id) ?? []).some((g) => g.what === GapTopic.iamPolicy)
    ) {
      addGap(scope, {
        what: GapTopic.iamPolicy,
        reason: `the allow policy of projects/${id} was not read (no Cloud Asset result or get-iam-policy document for it)`,
      });
    }
  }
  // Cloud Asset names service accounts by unique id: one no service-account list ties to an email is a resource whose
  // grants (who can become the account) cannot be placed on it.
  for (const resource of policies.keys()) {
    const unique = ACCOUNT_BY_ID.exec(resource)?.[2];
    if (!unique || hierarchy.accountEmail(unique)) continue;
    const project = hierarchy.projectOf(resource);
    addGap(scopeOfProject(project), {
      what: GapTopic.serviceAccounts,
      reason: `the allow policy of service account ${unique} names it by unique id, which no service-account list ties to an email: who can act as it is unknown (gcloud iam service-accounts list --project=${project ?? 'PROJECT'} --format=json)`,
    });
  }
  const withOrgPolicies = new Set(
    bundle.documents
      .filter((d) => d.kind === DocumentKind.orgPolicy)
      .map((d) => (d.body as OrgPolicy).name.split('/policies/')[0]!)
      .filter((n) => n.startsWith('projects/'))
      .map((n) => hierarchy.projectId(n.split('/')[1]!)),
  );
  accountOrgPolicies(bundle, hierarchy, ledger);
  for (const id of hierarchy.projects.keys()) {
    const scope = scopeOfProject(id);
    if (
      scope === estate ||
      withOrgPolicies.has(id) ||
      (gapsByScope.get(scope.id) ?? []).some((g) => g.what === GapTopic.orgPolicy)
    )
      continue;
    addGap(scope, {
      what: GapTopic.orgPolicy,
      reason: `the effective org policies of projects/${id} were not read (gcloud org-policies describe CONSTRAINT --effective --project=${id})`,
    });
  }
  const scopes = [
    estate,
    ...[...hierarchy.projects.keys()]
      .filter((id) => !(estate.kind === 'project' && estate.id === id))
      .sort()
      .map(projectScope),
  ];
  const sources: Source[] = [];
  for (const scope of scopes)
    sources.push({
      provider: 'gcp',
      scope,
      method: bundle.method,
      collectedAt: bundle.collectedAt,
      gaps: gapsByScope.get(scope.id) ?? [],
    } satisfies Source);
  part.sources.push(...sources);

  // Roles: described ones, then every role a binding names.
  const described = describedRoles(bundle, ledger);
  const roleScope = (name: string): Scope => {
    const project = /^projects\/([^/]+)\/roles\//.exec(name)?.[1];
    return project ? scopeOfProject(hierarchy.projectId(project)) : estate;
  };
  const roleUid = (name: string) => `gcp:${roleScope(name).id}:${name}`;
  const judgements = new Map<string, RoleJudgement>();
  const judge = (name: string): RoleJudgement => {
    let j = judgements.get(name);
    if (!j) judgements.set(name, (j = judgeRole(name, described.get(name)?.includedPermissions)));
    return j;
  };
  const roles = new Map<string, Role>();
  const addRole = (name: string) => {
    if (roles.has(name)) return;
    const doc = described.get(name);
    const j = judge(name);
    roles.set(name, {
      uid: roleUid(name),
      provider: 'gcp',
      scope: roleScope(name),
      nativeId: name,
      name: doc?.title || name,
      builtIn: name.startsWith('roles/'),
      permissions: { allow: textItems(doc?.includedPermissions).sort(), deny: [] },
      privilege: j.privilege,
      details: {
        basic: BASIC_ROLES.has(name),
        permissionsListed: doc?.includedPermissions !== undefined,
        ...(doc?.stage ? { stage: doc.stage } : {}),
      },
    });
  };
  for (const name of described.keys()) addRole(name);

  // Principals from every binding.
  const denies = denyEntries(bundle, hierarchy, ledger);
  const originOf = new Map<IamPolicy, string>();
  for (const d of bundle.documents) {
    if (d.kind === DocumentKind.assetIamPolicies)
      for (const r of d.body as IamPolicySearchResult[]) if (r.policy) originOf.set(r.policy, d.origin);
    if (d.kind === DocumentKind.iamPolicy) originOf.set((d.body as IamPolicyBody).policy, d.origin);
  }
  const builders = new Map<string, Builder>();
  const builder = (member: Member): Builder => {
    let b = builders.get(member.key);
    if (!b) builders.set(member.key, (b = { member, assignments: [], held: [], expired: 0 }));
    return b;
  };
  for (const [resource, policy] of [...policies].sort(([a], [b]) => a.localeCompare(b))) {
    const lineage = hierarchy.lineage(resource);
    const origin = originOf.get(policy) ?? bundle.scope.id;
    for (const binding of policy.bindings ?? []) {
      addRole(binding.role);
      const expression = binding.condition?.expression;
      const expiresAt = conditionExpiry(expression);
      const j = judge(binding.role);
      for (const raw of binding.members ?? []) {
        const member = parseMember(raw);
        if (!member) {
          ledger.dropped(
            origin,
            `member "${raw.slice(0, 80)}" of ${binding.role} on ${resource} is no IAM member form cloudward knows`,
            GapTopic.iamPolicy,
          );
          continue;
        }
        ledger.used(origin);
        const b = builder(member);
        if (expiresAt && Date.parse(expiresAt) <= at) {
          b.expired++;
          continue;
        }
        const narrowedBy = j.privilege.level === 'none' ? undefined : narrowingDeny(member, lineage, j.keys, denies);
        const level: PrivilegeLevel = narrowedBy ? 'none' : j.privilege.level;
        b.assignments.push({
          role: roleUid(binding.role),
          scope: resource,
          mode: expiresAt ? 'active-jit' : 'standing',
          via: 'direct',
          ...(expiresAt ? { expiresAt } : {}),
          ...(expression ? { condition: expression } : {}),
          ...(j.known ? { rolePrivilege: level } : {}),
        });
        b.held.push({
          role: binding.role,
          scope: resource,
          judgement: j,
          ...(narrowedBy ? { narrowedBy } : {}),
          ...(expiresAt ? { expiresAt } : {}),
          ...(expression ? { condition: expression } : {}),
        });
      }
    }
  }

  // Directory users, service accounts and their keys.
  const directoryRead = bundle.documents.some((d) => d.kind === DocumentKind.directoryUsers);
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.directoryUsers) continue;
    const users = (d.body as DirectoryUsersBody).users ?? [];
    ledger.read(d.origin, users.length);
    for (const user of users) {
      const member = parseMember(`user:${user.primaryEmail.toLowerCase()}`);
      if (member) {
        builder(member).user = user;
        ledger.used(d.origin);
      } else ledger.dropped(d.origin, UNNAMED, GapTopic.directoryUsers);
    }
  }
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.serviceAccounts) continue;
    const accounts = (d.body as ServiceAccountsBody).accounts;
    ledger.read(d.origin, accounts.length);
    for (const account of accounts) {
      const member = parseMember(`serviceAccount:${account.email.toLowerCase()}`);
      if (member) {
        builder(member).account = account;
        ledger.used(d.origin);
      } else ledger.dropped(d.origin, UNNAMED, GapTopic.serviceAccounts);
    }
  }
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.serviceAccountKeys) continue;
    const body = d.body as KeysBody;
    const b = builder(parseMember(`serviceAccount:${body.serviceAccount.toLowerCase()}`)!);
    // The key's own name says its account's project (`projects/<p>/serviceAccounts/<email>/keys/<id>`).
    const keyProject = body.keys
      .map((k) => /^projects\/([^/]+)\/serviceAccounts\//.exec(k.name)?.[1])
      .find((p) => p !== undefined && p !== '-');
    if (keyProject) b.keyProject = hierarchy.projectId(keyProject);
    const systemManaged = body.keys.filter((k) => k.keyType === 'SYSTEM_MANAGED').length;
    ledger.read(d.origin, body.keys.length).used(d.origin, body.keys.length - systemManaged);
    if (systemManaged > 0)
      ledger.skipped(
        d.origin,
        'Google-managed key (Google holds and rotates it; no one can download it)',
        systemManaged,
      );
    b.keys = [
      ...(b.keys ?? []),
      ...body.keys
        .filter((k) => k.keyType !== 'SYSTEM_MANAGED')
        .map((k) => {
          const expires = iso(k.validBeforeTime);
          // Keys Google issues without an end carry validBeforeTime 9999-12-31.
          const expiresAt = expires?.startsWith('9999-') ? null : expires;
          return {
            kind: 'serviceAccountKey' as const,
            id: k.name.split('/').at(-1) ?? k.name,
            active: !k.disabled && (expiresAt === null || Date.parse(expiresAt) > at),
            createdAt: iso(k.validAfterTime),
            expiresAt,
          };
        }),
    ];
  }

  const sorted = [...builders.values()].sort((x, y) => x.member.key.localeCompare(y.member.key));
  const principals = sorted.map((b) => principalOf(b, estate, scopeOfProject, directoryRead));
  applyEscalationGraph(bundle, hierarchy, sorted, principals, described, denies);
  part.principals.push(...principals);
  for (const role of [...roles.values()].sort((a, b) => a.uid.localeCompare(b.uid))) part.roles.push(role);
  part.controls.push(...normalizeControls(bundle, hierarchy, policies, estate, scopeOfProject));
  // The bundle's items are accounted on its own scope's source (the organization, or the lone project).
  ledger.settle(sources[0]!);
  for (const source of sources)
    source.gaps.sort((a, b) =>
      `${a.what} ${a.call ?? ''} ${a.reason}`.localeCompare(`${b.what} ${b.call ?? ''} ${b.reason}`),
    );
}

/**
 * Effective org policies: a policy named by a project number no document ties to a project id cannot be placed (it
 * would be credited to no project, or the wrong scope): dropped, with a gap on the organization. Constraints no check
 * reads are skipped.
 */
function accountOrgPolicies(bundle: RawBundle, hierarchy: Hierarchy, ledger: ItemLedger): void {
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.orgPolicy) continue;
    ledger.read(d.origin);
    const policy = d.body as OrgPolicy;
    const constraint = policy.name.split('/policies/')[1] ?? '';
    const number = /^projects\/(\d+)\/policies\//.exec(policy.name)?.[1];
    if (!CONSTRAINTS.includes(constraint as never))
      ledger.skipped(d.origin, `constraint ${constraint || policy.name} (no check reads it)`);
    else if (number && !hierarchy.knowsNumber(number) && !hierarchy.projects.has(number)) {
      ledger.dropped(
        d.origin,
        `${policy.name} names project number ${number}, which no imported file ties to a project id (add \`gcloud projects list --format=json\`)`,
        GapTopic.orgPolicy,
      );
    } else ledger.used(d.origin);
  }
}

function privilegeOf(b: Builder): Privilege | undefined {
  let level: PrivilegeLevel = 'none';
  let unknown = false;
  const reasons: string[] = [];
  for (const h of b.held) {
    if (!h.judgement.known) {
      unknown = true;
      continue;
    }
    if (h.judgement.privilege.level === 'none') continue;
    const until = h.expiresAt ? ` until ${h.expiresAt}` : '';
    if (h.narrowedBy) {
      reasons.push(`${h.role} on ${h.scope}${until}: narrowed by deny policy ${h.narrowedBy}`);
      continue;
    }
    level = higher(level, h.judgement.privilege.level);
    reasons.push(`${h.role} on ${h.scope}${until}: ${h.judgement.privilege.reasons.join('; ')}`);
  }
  // A custom role whose permissions were not read could make anyone below admin privileged: say nothing then.
  if (unknown && level !== 'admin') return undefined;
  return { level, reasons };
}

function principalOf(
  b: Builder,
  estate: Scope,
  scopeOfProject: (id: string | undefined) => Scope,
  directoryRead: boolean,
): Principal {
  const { member } = b;
  const agent = member.kind === 'serviceAccount' && isServiceAgent(member.name);
  const scope =
    member.kind === 'serviceAccount'
      ? scopeOfProject(b.account?.projectId ?? b.keyProject ?? serviceAccountProject(member.name))
      : estate;
  const principal: Principal = {
    uid: `gcp:${scope.id}:${member.key}`,
    provider: 'gcp',
    scope,
    nativeId: member.nativeId,
    kind: member.kind,
    name: member.name,
  };
  const details: Record<string, unknown> = { memberType: member.memberType };
  if (member.public) details.public = true;
  if (member.deleted) details.deleted = true;
  if (b.expired > 0) details.expiredBindings = b.expired;
  if (member.kind === 'user' && member.memberType === 'user') {
    principal.interactive = true;
    const user = b.user;
    if (user) {
      principal.enabled = !user.suspended && !user.archived && !member.deleted;
      principal.mfa = { state: user.isEnrolledIn2Sv ? 'enabled' : 'disabled' };
      principal.lastActivityAt = iso(user.lastLoginTime);
      if (user.creationTime) principal.createdAt = iso(user.creationTime);
      Object.assign(details, {
        isAdmin: user.isAdmin === true,
        isDelegatedAdmin: user.isDelegatedAdmin === true,
        isEnrolledIn2Sv: user.isEnrolledIn2Sv === true,
        isEnforcedIn2Sv: user.isEnforcedIn2Sv === true,
        directory: true,
      });
    } else {
      // A member the directory does not hold: another domain or a consumer account (its 2SV cannot be read).
      principal.enabled = !member.deleted;
      if (directoryRead) details.external = true;
    }
  } else if (member.deleted) principal.enabled = false;
  if (member.kind === 'serviceAccount') {
    principal.interactive = false;
    details.serviceAgent = agent;
    if (b.account) {
      principal.enabled = !b.account.disabled && !member.deleted;
      if (b.account.uniqueId) details.uniqueId = b.account.uniqueId;
      if (b.account.displayName) details.displayName = b.account.displayName;
    }
    // A key list read for the account says its keys, whether or not the account list was imported.
    if (b.keys) principal.credentials = b.keys;
    else if (agent) principal.credentials = [];
    if (/-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/.test(member.name))
      details.defaultServiceAccount = true;
  }
  principal.assignments = b.assignments;
  const privilege = privilegeOf(b);
  if (privilege) principal.privilege = privilege;
  principal.details = details;
  return principal;
}

/** Normalizes GCP bundles (one per organization or project) into one snapshot part. */
export function normalizeGcpBundles(bundles: RawBundle[]): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  for (const bundle of [...bundles].sort((a, b) => a.scope.id.localeCompare(b.scope.id))) normalizeBundle(bundle, part);
  return part;
}

/**
 * Privilege as reach: the escalation graph over the bundle's principals (`privilege-graph.ts`), and each path to admin
 * as the principal's privilege and `details.escalationPath`.
 */
function applyEscalationGraph(
  bundle: RawBundle,
  hierarchy: Hierarchy,
  builders: Builder[],
  principals: Principal[],
  described: Map<string, GcpRole>,
  denies: DenyEntry[],
): void {
  const nodes: GcpGraphPrincipal[] = builders.map((b, i) => {
    const p = principals[i]!;
    const sa = b.member.kind === 'serviceAccount';
    return {
      uid: p.uid,
      name: b.member.name,
      serviceAccount: sa && !b.member.deleted,
      agent: sa && isServiceAgent(b.member.name),
      enabled: p.enabled !== false && !b.member.deleted,
      admin: p.privilege?.level === 'admin',
      ...(sa ? { project: b.account?.projectId ?? b.keyProject ?? serviceAccountProject(b.member.name) } : {}),
      ...(b.account?.uniqueId ? { uniqueId: b.account.uniqueId } : {}),
    };
  });
  const permissionsOf = new Map<string, string[]>();
  const bindings: HeldBinding[] = [];
  builders.forEach((b, principal) => {
    for (const h of b.held) {
      if (h.narrowedBy) continue;
      let permissions = permissionsOf.get(h.role);
      if (!permissions)
        permissionsOf.set(h.role, (permissions = edgePermissions(h.role, described.get(h.role)?.includedPermissions)));
      if (permissions.length === 0) continue;
      bindings.push({
        principal,
        role: h.role,
        resource: h.scope,
        permissions,
        ...(h.condition ? { condition: h.condition } : {}),
        ...(h.expiresAt ? { expiresAt: h.expiresAt } : {}),
      });
    }
  });
  // No binding makes an edge: the graph would find no path, and every principal is marked as searched.
  if (bindings.length === 0) {
    applyPaths(principals, new Map());
    return;
  }
  const lineages = new Map<string, string[]>();
  const lineage = (resource: string): string[] => {
    let l = lineages.get(resource);
    if (!l) lineages.set(resource, (l = hierarchy.lineage(resource)));
    return l;
  };
  const graph = new GcpPrivilegeGraph(nodes, bindings, {
    collectedAt: bundle.collectedAt,
    lineage,
    projectOfNumber: (number) => (hierarchy.knowsNumber(number) ? hierarchy.projectId(number) : undefined),
    keyCreationBlocked: keyCreationBlocked(bundle, hierarchy),
    denied: (principal, resource, permission) =>
      denies.length === 0
        ? undefined
        : narrowingDeny(builders[principal]!.member, lineage(resource), [permission], denies),
  });
  applyPaths(principals, graph.paths(), graph.grantPowers);
}
