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
 * An eligible assignment is an edge that needs PIM activation (its MFA and approval rules are not in the snapshot, so
 * the activation is the edge's condition); one expired at the snapshot's time is no edge. A role scoped to an
 * administrative unit or another directory object reaches only that scope's members, which the snapshot does not
 * hold: its edge rests on a condition naming the scope, never on the whole tenant. Each class of targets is one hub,
 * so the graph grows with assignments plus principals. Pure.
 */
import type { Assignment, Principal, Role } from '../../snapshot/model.js';
import { EscalationGraph, levelByReach, type EscalationPath, type Grant, type PathStep } from '../privilege/index.js';
import { GLOBAL_ADMINISTRATOR } from './privilege.js';

const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = '7be44c8a-adaf-4e2a-84d6-ab2649e08a13';

/** Directory roles that reset the credentials of users who hold no directory role (Microsoft's protected targets). */
const RESETS_NON_ADMINS: Record<string, string> = {
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  '966707d0-3269-4727-9be2-8c3a10f19b9d': 'Password Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
};

/** Directory roles that add credentials to any application and its service principal. */
const ADDS_SECRETS: Record<string, string> = {
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
};

/** The condition an eligible assignment's edge rests on. */
export const PIM_ACTIVATION = 'PIM activation (its MFA and approval rules are not in the snapshot)';

/** Edge kinds, named after the BloodHound CE edge each one follows. */
export const AZURE_EDGE_KINDS = {
  globalAdmin: 'AZGlobalAdmin',
  privilegedRoleAdmin: 'AZPrivilegedRoleAdmin',
  resetPassword: 'AZResetPassword',
  addSecret: 'AZAddSecret',
  roleAssignmentWrite: 'AZUserAccessAdministrator',
} as const;

interface Node {
  uid: string;
  name: string;
}

const templateOf = (role: string) => /:directoryRole\/([^/]+)$/.exec(role)?.[1]?.toLowerCase();

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

  constructor(private readonly principals: readonly Principal[], private readonly roles: ReadonlyMap<string, Role>, private readonly at: string | undefined) {
    this.graph = new EscalationGraph(principals.map((p) => ({ uid: p.uid, name: p.name })), at === undefined ? {} : { at });
    this.byUid = new Map(principals.map((p, i) => [p.uid, i]));
    this.build();
  }

  private build(): void {
    const active = (a: Assignment) => a.mode !== 'eligible' && inForce(a, this.at);
    // Users who hold an active directory role are protected from the non-admin resetters.
    const protectedUser = (p: Principal) => (p.assignments ?? []).some((a) => templateOf(a.role) !== undefined && active(a));
    const users = () => this.principals.flatMap((p, to) => (p.kind === 'user' ? [{ to, grant: { conditions: [], mfa: false } }] : []));
    const nonAdmins = () => this.principals.flatMap((p, to) => (p.kind === 'user' && !protectedUser(p) ? [{ to, grant: { conditions: [], mfa: false } }] : []));
    const apps = () => this.principals.flatMap((p, to) => (p.kind === 'servicePrincipal' ? [{ to, grant: { conditions: [], mfa: false } }] : []));
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
        const conditions = [...(eligible ? [PIM_ACTIVATION] : []), ...(a.condition ? [`ABAC condition: ${a.condition}`] : [])];
        const window = a.expiresAt ? { notAfter: a.expiresAt } : undefined;
        const grantOf = (extra: string[]): Grant => ({ conditions: [...conditions, ...extra], mfa: false });
        const held = `${eligible ? 'eligible ' : ''}${this.roles.get(a.role)?.name ?? a.role}${a.via !== 'direct' ? ` (via group ${this.nameOf(a.via)})` : ''}`;
        const edge = (to: number, action: string, kind: string, extra: string[] = []) => this.graph.addEdge({ from, to, action: `${held}: ${action}`, kind, grant: grantOf(extra), ...(window ? { window } : {}) });
        const template = templateOf(a.role);
        if (template === undefined) {
          if (this.holdsAdmin(a)) edge(this.graph.admin, `write role assignments on ${a.scope}`, AZURE_EDGE_KINDS.roleAssignmentWrite);
          continue;
        }
        // A role scoped below the tenant reaches only that scope's members, which the snapshot does not hold.
        const narrowed = a.scope === '/' || a.scope === '' ? [] : [`target is within directory scope ${a.scope} (its members are not in the snapshot)`];
        if (template === GLOBAL_ADMINISTRATOR) edge(this.graph.admin, 'activate', AZURE_EDGE_KINDS.globalAdmin);
        else if (template === PRIVILEGED_ROLE_ADMINISTRATOR) edge(this.graph.admin, 'assign Global Administrator', AZURE_EDGE_KINDS.privilegedRoleAdmin, narrowed);
        else if (template === PRIVILEGED_AUTHENTICATION_ADMINISTRATOR) edge(this.graph.hub('reset:all', users), 'reset the credentials of', AZURE_EDGE_KINDS.resetPassword, narrowed);
        else if (RESETS_NON_ADMINS[template]) edge(this.graph.hub('reset:non-admin', nonAdmins), 'reset the password of', AZURE_EDGE_KINDS.resetPassword, narrowed);
        else if (ADDS_SECRETS[template]) edge(this.graph.hub('add-secret', apps), 'add a secret to', AZURE_EDGE_KINDS.addSecret, narrowed);
      }
    });
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
    return this.graph.paths((step: PathStep) => (step.to === 'admin' ? step.action : `${step.action} ${this.nameOf(step.to)}`));
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
export function applyAzurePaths(principals: Principal[], roles: ReadonlyMap<string, Role>, collectedAt: string | undefined): void {
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
    if (own.level !== 'admin') principal.privilege = { level, reasons: [...own.reasons, `path to admin: ${path.text}${path.conditions.length > 0 ? ` (rests on: ${path.conditions.join('; ')})` : ''}`] };
    principal.details = { ...principal.details, escalation: path.kinds, escalationPath: { text: path.text, firstStep: path.firstStep, steps: path.steps, conditions: path.conditions, mfa: path.mfa } };
  }
}
