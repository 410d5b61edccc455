/**
 * Who can become an administrator of an Entra tenant or its Azure scopes, and by which shortest path, from what the
 * snapshot already holds: directory role assignments (active, PIM-activated, PIM-eligible), Azure role assignments
 * and eligibilities, and the principals they name. The graph, its hubs and its search are the provider-free kit's
 * (`providers/privilege/`); this file holds the Entra and Azure rules that fill it. BloodHound CE's AZ edges are the
 * anchor of each rule (docs/providers/azure.md lists them with their limits):
 *
 * - Global Administrator holds admin; an Azure role that writes role assignments (Owner, User Access Administrator,
 *   Role Based Access Control Administrator, a custom role with `Microsoft.Authorization/roleAssignments/write`) holds
 *   admin of its scope, and with an ABAC condition is an edge resting on that condition (AZOwner,
 *   AZUserAccessAdministrator).
 * - Privileged Role Administrator assigns itself any role: an edge to admin (AZPrivilegedRoleAdmin).
 * - Privileged Authentication Administrator resets any user's credentials: an edge to every user (AZResetPassword).
 * - Authentication, Helpdesk, Password and User Administrator reset those of users who hold no active directory role
 *   (Microsoft's protected targets): an edge to each such user, a user who is an Azure Owner included (AZResetPassword).
 * - Application and Cloud Application Administrator add a secret to any application's service principal and sign in
 *   as it: an edge to every service principal that is not a managed identity (AZAddSecret).
 *
 * - Owners of an application or service principal add a secret to it (AZOwns); owners of a group add themselves to it
 *   (AZOwns), role-assignable or not; Groups, User Administrator and Directory Writers add members to groups that are
 *   not role-assignable (AZAddMembers).
 * - Microsoft Graph application permissions: RoleManagement.ReadWrite.Directory and AppRoleAssignment.ReadWrite.All
 *   reach admin (AZMGGrantRole, AZMGGrantAppRoles), Application.ReadWrite.All adds secrets (AZMGAddSecret),
 *   Directory.ReadWrite.All and GroupMember.ReadWrite.All add members to groups that are not role-assignable
 *   (AZMGAddMember).
 * - An Azure role that runs code on a VM, Automation account, function or web app, Logic App or AKS cluster within
 *   its scope acts as the resource's managed identities (AZExecuteCommand, AZAutomationContributor, ...); one that
 *   reads Key Vault secrets reaches every service principal, resting on a vault holding its credential (AZGetSecrets).
 *
 * An eligible assignment is an edge that needs PIM activation (its MFA and approval rules are not in the snapshot, so
 * the activation is the edge's condition); one expired at the snapshot's time is no edge. A role scoped to an
 * administrative unit reaches that unit's members when the units were read; otherwise, and for another directory
 * object, its edge rests on a condition naming the scope, never on the whole tenant. Each class of targets is one hub,
 * so the graph grows with assignments plus principals. Pure.
 */
import type { Assignment, Principal, Role } from '../../snapshot/model.js';
import {
  EscalationGraph,
  levelByReach,
  type EscalationPath,
  type Grant,
  type HubMember,
  type PathStep,
} from '../privilege/index.js';
import type { HostFact, OwnerFact } from './escalation-facts.js';
import { GLOBAL_ADMINISTRATOR } from './privilege.js';
import {
  ADDS_MEMBERS,
  ADDS_SECRETS,
  AZURE_EDGE_KINDS,
  COMPUTE_EXECUTION,
  executionClasses,
  GRAPH_PERMISSION_EDGES,
  managementGroupOf,
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
  PRIVILEGED_ROLE_ADMINISTRATOR,
  readsSecrets,
  RESETS_NON_ADMINS,
} from './privilege-edges.js';

export { AZURE_EDGE_KINDS } from './privilege-edges.js';

/** The condition an eligible assignment's edge rests on. */
export const PIM_ACTIVATION = 'PIM activation (its MFA and approval rules are not in the snapshot)';

interface Node {
  uid: string;
  name: string;
}

const templateOf = (role: string) => /:directoryRole\/([^/]+)$/.exec(role)?.[1]?.toLowerCase();
const unitOf = (scope: string) => /^\/administrativeUnits\/([^/]+)$/i.exec(scope)?.[1]?.toLowerCase();
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const FREE: Grant = { conditions: [], mfa: false };

/** Whether an assignment is in force at `at` (no expiry, or an expiry after it; an unreadable time counts). */
function inForce(a: Assignment, at: string | undefined): boolean {
  if (!a.expiresAt || at === undefined) return true;
  const end = Date.parse(a.expiresAt);
  const now = Date.parse(at);
  return Number.isNaN(end) || Number.isNaN(now) || now < end;
}

/** The Entra and Azure escalation graph of one tenant's principals, judged at `collectedAt`. */
export class AzurePrivilegeGraph {
  private readonly graph: EscalationGraph<Node>;
  private readonly byUid: Map<string, number>;
  private readonly byId: Map<string, number>;
  /** Identities compute runs as, by class and by every scope that holds the compute (`/` and each ancestor of its id). */
  private readonly hosts = new Map<string, number[]>();

  constructor(
    private readonly principals: readonly Principal[],
    private readonly roles: ReadonlyMap<string, Role>,
    private readonly at: string | undefined,
  ) {
    this.graph = new EscalationGraph(
      principals.map((p) => ({ uid: p.uid, name: p.name })),
      at === undefined ? {} : { at },
    );
    this.byUid = new Map(principals.map((p, i) => [p.uid, i]));
    this.byId = new Map(principals.map((p, i) => [(p.nativeId ?? '').toLowerCase(), i]));
    principals.forEach((p, identity) => {
      for (const host of list<HostFact>(p.details?.runsOn)) {
        const parts = host.id.toLowerCase().split('/').filter(Boolean);
        for (let k = 0; k <= parts.length; k++) {
          const key = `${host.class} /${parts.slice(0, k).join('/')}`;
          const held = this.hosts.get(key);
          if (held === undefined) this.hosts.set(key, [identity]);
          else if (held.at(-1) !== identity) held.push(identity);
        }
      }
    });
    this.build();
  }

  private build(): void {
    const active = (a: Assignment) => a.mode !== 'eligible' && inForce(a, this.at);
    // Users who hold an active directory role are protected from the non-admin resetters.
    const protectedUser = (p: Principal) =>
      (p.assignments ?? []).some((a) => templateOf(a.role) !== undefined && active(a));
    const members =
      (keep: (p: Principal) => boolean, grant: (p: Principal) => Grant = () => FREE): (() => HubMember[]) =>
      () =>
        this.principals.flatMap((p, to) => (keep(p) ? [{ to, grant: grant(p) }] : []));
    const inUnit = (unit: string | undefined) => (p: Principal) =>
      unit === undefined || list<string>(p.details?.administrativeUnits).includes(unit);
    // Units were read when users carry their memberships (an empty list included).
    const unitsRead = this.principals.some((p) => Array.isArray(p.details?.administrativeUnits));
    const users = (unit?: string) => members((p) => p.kind === 'user' && inUnit(unit)(p));
    const nonAdmins = (unit?: string) => members((p) => p.kind === 'user' && !protectedUser(p) && inUnit(unit)(p));
    const apps = members((p) => p.kind === 'servicePrincipal');
    // A group whose isAssignableToRole was not read (null, or the group was not listed) may be role-assignable: the
    // edge rests on it not being one.
    const editableGroups = members(
      (p) => p.kind === 'group' && p.details?.roleAssignable !== true,
      (p) =>
        p.details?.roleAssignable === null || p.details?.unresolved === true
          ? { conditions: [`group ${p.name} is not role-assignable (isAssignableToRole was not read)`], mfa: false }
          : FREE,
    );
    const holds = new Uint8Array(this.principals.length);
    this.principals.forEach((p, i) => {
      for (const a of p.assignments ?? []) {
        if (active(a) && !a.condition && this.holdsAdmin(a)) holds[i] = 1;
      }
    });
    this.principals.forEach((p, from) => {
      if (holds[from] === 1) {
        this.graph.holdsAdmin(from);
        return;
      }
      for (const a of p.assignments ?? []) {
        const eligible = a.mode === 'eligible';
        const conditions = [
          ...(eligible ? [PIM_ACTIVATION] : []),
          ...(a.condition ? [`ABAC condition: ${a.condition}`] : []),
        ];
        const window = a.expiresAt ? { notAfter: a.expiresAt } : undefined;
        const grantOf = (extra: string[]): Grant => ({ conditions: [...conditions, ...extra], mfa: false });
        const held = `${eligible ? 'eligible ' : ''}${this.roles.get(a.role)?.name ?? a.role}${a.via !== 'direct' ? ` (via group ${this.nameOf(a.via)})` : ''}`;
        const edge = (to: number, action: string, kind: string, extra: string[] = []) =>
          this.graph.addEdge({
            from,
            to,
            action: `${held}: ${action}`,
            kind,
            grant: grantOf(extra),
            ...(window ? { window } : {}),
          });
        const template = templateOf(a.role);
        if (template === undefined) {
          this.azureRoleEdges(a, edge);
          continue;
        }
        // A role scoped to a unit that was read reaches its members; any other scope below the tenant rests on a condition.
        const unit = unitOf(a.scope);
        const tenantWide = a.scope === '/' || a.scope === '';
        const reachable = tenantWide || (unit !== undefined && unitsRead);
        const narrowed = reachable
          ? []
          : [`target is within directory scope ${a.scope} (its members are not in the snapshot)`];
        const key = reachable && !tenantWide ? `:au:${unit}` : '';
        const scoped = reachable && !tenantWide ? unit : undefined;
        if (template === GLOBAL_ADMINISTRATOR) edge(this.graph.admin, 'activate', AZURE_EDGE_KINDS.globalAdmin);
        // Assigning roles within a unit does not reach the tenant's roles: only a tenant-wide one is unconditional.
        else if (template === PRIVILEGED_ROLE_ADMINISTRATOR)
          edge(
            this.graph.admin,
            'assign Global Administrator',
            AZURE_EDGE_KINDS.privilegedRoleAdmin,
            tenantWide ? [] : [`target is within directory scope ${a.scope} (its members are not in the snapshot)`],
          );
        else if (template === PRIVILEGED_AUTHENTICATION_ADMINISTRATOR)
          edge(
            this.graph.hub(`reset:all${key}`, users(scoped)),
            'reset the credentials of',
            AZURE_EDGE_KINDS.resetPassword,
            narrowed,
          );
        if (RESETS_NON_ADMINS[template])
          edge(
            this.graph.hub(`reset:non-admin${key}`, nonAdmins(scoped)),
            'reset the password of',
            AZURE_EDGE_KINDS.resetPassword,
            narrowed,
          );
        if (ADDS_SECRETS[template])
          edge(
            this.graph.hub('add-secret', apps),
            'add a secret to',
            AZURE_EDGE_KINDS.addSecret,
            tenantWide ? [] : [`target is within directory scope ${a.scope} (its members are not in the snapshot)`],
          );
        // Group membership within a unit is not modelled: only a tenant-wide assignment edits every group.
        if (ADDS_MEMBERS[template] && tenantWide)
          edge(this.graph.hub('add-member', editableGroups), 'add itself as a member of', AZURE_EDGE_KINDS.addMembers);
      }
      for (const permission of list<string>(p.details?.graphAppRoles)) {
        const rule = GRAPH_PERMISSION_EDGES[permission];
        if (!rule) continue;
        const to =
          rule.reaches === 'admin'
            ? this.graph.admin
            : rule.reaches === 'add-secret'
              ? this.graph.hub('add-secret', apps)
              : this.graph.hub('add-member', editableGroups);
        this.graph.addEdge({
          from,
          to,
          action: `Microsoft Graph ${permission}: ${rule.does}`,
          kind: rule.kind,
          grant: FREE,
        });
      }
    });
    // Owners act as what they own, whatever else they hold (an owner who holds admin has no path to search).
    this.principals.forEach((p, to) => {
      for (const owner of list<OwnerFact>(p.details?.owners)) {
        const from = this.byId.get(owner.id);
        if (from === undefined || holds[from] === 1) continue;
        const action =
          owner.of === 'group'
            ? `owner of group ${p.name}: add itself as a member of`
            : `owner of ${owner.of === 'application' ? 'the application of' : 'service principal'} ${p.name}: add a secret to`;
        this.graph.addEdge({ from, to, action, kind: AZURE_EDGE_KINDS.owns, grant: FREE });
      }
    });
  }

  /** An Azure role's edges: writing role assignments, running code as compute identities within its scope, reading secrets. */
  private azureRoleEdges(
    a: Assignment,
    edge: (to: number, action: string, kind: string, extra?: string[]) => void,
  ): void {
    if (this.holdsAdmin(a)) {
      edge(this.graph.admin, `write role assignments on ${a.scope}`, AZURE_EDGE_KINDS.roleAssignmentWrite);
      return;
    }
    const role = this.roles.get(a.role);
    const scope = a.scope.toLowerCase();
    const group = managementGroupOf(scope);
    for (const cls of executionClasses(role)) {
      // A management group's subscriptions are not in the snapshot: each host under it rests on being there.
      const under =
        group !== undefined
          ? [`the ${cls} is under management group ${group} (the hierarchy is not in the snapshot)`]
          : [];
      const held =
        this.hosts.get(`${cls} ${group !== undefined ? '/' : `/${scope.split('/').filter(Boolean).join('/')}`}`) ?? [];
      const hub = this.graph.hub(`exec:${cls}:${scope}`, () =>
        held.map((to) => ({ to, grant: { conditions: under, mfa: false } })),
      );
      edge(
        hub,
        `${COMPUTE_EXECUTION[cls].does} within ${a.scope} and act as its managed identity`,
        COMPUTE_EXECUTION[cls].kind,
      );
    }
    if (readsSecrets(role)) {
      const apps = () =>
        this.principals.flatMap((p, to) => (p.kind === 'servicePrincipal' ? [{ to, grant: FREE }] : []));
      edge(
        this.graph.hub('key-vault-secrets', apps),
        `read Key Vault secrets within ${a.scope}, among them a credential of`,
        AZURE_EDGE_KINDS.getSecrets,
        [
          `a Key Vault within ${a.scope} holds a credential of the service principal reached (vault contents are not read)`,
        ],
      );
    }
  }
  /** Whether an assignment makes its holder an administrator: Global Administrator, or an Azure role that grants access. */
  private holdsAdmin(a: Assignment): boolean {
    if (templateOf(a.role) !== undefined) return templateOf(a.role) === GLOBAL_ADMINISTRATOR;
    return this.roles.get(a.role)?.details?.grantsAccess === true;
  }

  private nameOf(uid: string): string {
    const i = this.byUid.get(uid);
    return i === undefined ? uid : this.principals[i]!.name;
  }

  /** Each principal's shortest path to admin, for those that do not hold it already. */
  paths(): Map<string, EscalationPath> {
    return this.graph.paths((step: PathStep) =>
      step.to === 'admin' ? step.action : `${step.action} ${this.nameOf(step.to)}`,
    );
  }

  get size(): { nodes: number; edges: number; hubs: number } {
    return this.graph.size;
  }
}

/**
 * Sets each principal's privilege from its shortest path, as AWS and Google Cloud do: a principal its own assignments
 * make an administrator stays admin (its reasons are kept; the path is in its details); any other with a path to admin
 * is privileged, the path its last reason, whatever the path rests on (PIM activation, a condition the snapshot cannot
 * decide). `admin` keeps meaning what a principal holds, so checks that count standing administrators do not count
 * those who could become one; those are the escalation checks' findings, read from `details.escalationPath`.
 * `details.escalation` holds the path's edge kinds, `[]` for a principal the graph searched and found no path from.
 */
export function applyAzurePaths(
  principals: Principal[],
  roles: ReadonlyMap<string, Role>,
  collectedAt: string | undefined,
): void {
  const paths = new AzurePrivilegeGraph(principals, roles, collectedAt).paths();
  for (const principal of principals) {
    const path = paths.get(principal.uid);
    if (!path) {
      principal.details = { ...principal.details, escalation: [] };
      continue;
    }
    const own = principal.privilege ?? { level: 'none', reasons: [] };
    const level = levelByReach(own.level, { path });
    // An administrator by its own assignments keeps their reasons; the path is in its details.
    if (own.level !== 'admin')
      principal.privilege = {
        level,
        reasons: [
          ...own.reasons,
          `path to admin: ${path.text}${path.conditions.length > 0 ? ` (rests on: ${path.conditions.join('; ')})` : ''}`,
        ],
      };
    principal.details = {
      ...principal.details,
      escalation: path.kinds,
      escalationPath: {
        text: path.text,
        firstStep: path.firstStep,
        steps: path.steps,
        conditions: path.conditions,
        mfa: path.mfa,
      },
    };
  }
}
