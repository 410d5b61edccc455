/**
 * Who can become whom in Google Cloud, and so who can become an administrator and by which shortest path: the
 * privilege-graph kit (`providers/privilege/`) filled with Cloud IAM's rules, after Rhino Security Labs' catalogue of
 * GCP IAM privilege escalation (RhinoSecurityLabs/GCP-IAM-Privilege-Escalation, ExploitScripts/ and
 * PrivEscScanner/check_for_privesc.py).
 *
 * Nodes are the members of allow policies. An edge `A -> B` means A can act as service account B: it mints B's
 * tokens (getAccessToken, signBlob, signJwt), creates a key for B, grants itself one of those on B (the account's
 * setIamPolicy), delegates through an account that can (implicitDelegation), or runs code as B (actAs together with a
 * way to run code: an instance, function, Cloud Run service, build, scheduler job, Composer environment or Dataproc
 * cluster; actAs alone is no edge). deploymentmanager.deployments.create runs as the project's Google APIs service
 * agent, and cloudbuild.builds.create alone as the project's legacy Cloud Build service account. An edge `A -> admin`
 * is iam.roles.update on a custom role A holds on the resource hierarchy (it adds setIamPolicy to it). Bindings inherit down the hierarchy: a grant on a project, folder or organization reaches every
 * service account below it, through one hub per scope, so the graph grows with grants plus accounts.
 *
 * What cuts an edge: a disabled or deleted account (as target, and as caller), a deny policy covering the permission
 * for the member at the scope, an enforced iam.disableServiceAccountKeyCreation on the account's project (unless the
 * caller can lift it with orgpolicy.policy.set there: then the edge names both), a binding whose time condition ended
 * at collectedAt. Other IAM conditions are kept and named on the path. HMAC keys (storage.hmacKeys.create) mint no
 * OAuth token and make no edge. Pure.
 */
import { PREDEFINED_EDGE_PERMISSIONS } from './predefined-roles.js';
import {
  EscalationGraph,
  joinGrants,
  UNCONDITIONAL,
  type EscalationPath,
  type Grant,
  type PathStep,
  type Window,
} from '../privilege/index.js';

/** A principal as the graph sees it. */
export interface GcpGraphPrincipal {
  uid: string;
  /** The member's name (an email), as path texts show it. */
  name: string;
  /** A service account (its email is `name`) that others may become. */
  serviceAccount: boolean;
  /** A Google-managed service agent: no one can mint its tokens or keys, but Deployment Manager runs as one. */
  agent: boolean;
  /** False for a disabled or deleted account: it neither acts nor can be become. */
  enabled: boolean;
  /** Holds an administrator role already (what `privilege.ts` calls admin). */
  admin: boolean;
  /** The project a service account lives in. */
  project?: string;
  uniqueId?: string;
}

/** One binding's grant of one role to one principal at one resource. */
export interface HeldBinding {
  principal: number;
  role: string;
  /** Canonical resource: `organizations/O`, `folders/F`, `projects/P`, `//iam.googleapis.com/projects/P/serviceAccounts/E`. */
  resource: string;
  /** The role's permissions (`*` for Owner). */
  permissions: readonly string[];
  /** The binding's IAM condition, when it is more than an end time. */
  condition?: string;
  expiresAt?: string;
}

/** What the graph reads of the estate beside the bindings. */
export interface GcpGraphContext {
  collectedAt: string;
  /** A resource and everything above it, nearest first. */
  lineage(resource: string): string[];
  /** The project id of a project number (for the Google APIs service agent `<number>@cloudservices...`). */
  projectOfNumber(number: string): string | undefined;
  /** Projects (ids) whose effective iam.disableServiceAccountKeyCreation (legacy or managed) is enforced. */
  keyCreationBlocked: ReadonlySet<string>;
  /** The deny policy taking `permission` away from the principal at the resource, if any. */
  denied(principal: number, resource: string, permission: string): string | undefined;
}

const TOKEN: Record<string, string> = {
  'iam.serviceAccounts.getAccessToken': 'get-access-token',
  'iam.serviceAccounts.signBlob': 'sign-blob',
  'iam.serviceAccounts.signJwt': 'sign-jwt',
};
const KEY_CREATE = 'iam.serviceAccountKeys.create';
const SA_SET_IAM = 'iam.serviceAccounts.setIamPolicy';
const DELEGATION = 'iam.serviceAccounts.implicitDelegation';
const ACT_AS = 'iam.serviceAccounts.actAs';
const DEPLOYMENT = 'deploymentmanager.deployments.create';
const ROLE_UPDATE = 'iam.roles.update';
const ORG_POLICY_SET = 'orgpolicy.policy.set';
const BUILD_CREATE = 'cloudbuild.builds.create';

/** Ways to run code as a service account once the caller may act as it, by the permission that creates the runner. */
export const RUNNERS: Record<string, string> = {
  'compute.instances.create': 'actas-compute',
  'cloudfunctions.functions.create': 'actas-cloudfunctions',
  'cloudfunctions.functions.update': 'actas-cloudfunctions',
  'run.services.create': 'actas-run',
  'cloudbuild.builds.create': 'actas-cloudbuild',
  'cloudscheduler.jobs.create': 'actas-cloudscheduler',
  'composer.environments.create': 'actas-composer',
  'dataproc.clusters.create': 'actas-dataproc',
};

/** Every permission that makes an edge: the rest of a role is not read. */
export const EDGE_PERMISSIONS: ReadonlySet<string> = new Set([
  ...Object.keys(TOKEN),
  KEY_CREATE,
  SA_SET_IAM,
  DELEGATION,
  ACT_AS,
  DEPLOYMENT,
  ROLE_UPDATE,
  ORG_POLICY_SET,
  ...Object.keys(RUNNERS),
]);

/**
 * The permissions of a role that make edges: its described ones, else those Google's dump of predefined roles lists
 * for it (`predefined-roles.ts`, dated; regenerated by scripts/gcp-predefined-roles.ts).
 */
export function edgePermissions(role: string, included: readonly string[] | undefined): string[] {
  // Own entries only: an edited export may name a role __proto__.
  const all = included ?? (Object.hasOwn(PREDEFINED_EDGE_PERMISSIONS, role) ? PREDEFINED_EDGE_PERMISSIONS[role]! : []);
  if (all.includes('*')) return ['*'];
  return all.filter((p) => EDGE_PERMISSIONS.has(p));
}

const SA_RESOURCE = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/([^/]+)$/;
const HIERARCHY = /^(organizations|folders|projects)\/[^/]+$/;

/** One permission held at one resource, with what it rests on. */
interface Held {
  resource: string;
  role: string;
  grant: Grant;
  window?: Window;
}

/** The window of two grants taken together: the later start, the earlier end. */
function windowOf(a: Window | undefined, b: Window | undefined): { window?: Window } {
  if (!a && !b) return {};
  const notBefore = [a?.notBefore, b?.notBefore]
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  const notAfter = [a?.notAfter, b?.notAfter].filter((t): t is string => t !== undefined).sort()[0];
  return { window: { ...(notBefore ? { notBefore } : {}), ...(notAfter ? { notAfter } : {}) } };
}

function isPureTimeBound(expression: string): boolean {
  return expression.replace(/request\.time\s*<=?\s*timestamp\(\s*["'][^"']+["']\s*\)/, '').trim() === '';
}

/** The power to make another principal an administrator: editing a custom role that principal holds on the hierarchy. */
export interface GrantPower {
  text: string;
  /** uid of the principal made an administrator. */
  target: string;
  kind: 'update-others-role';
  conditions: string[];
}

/** The Google Cloud escalation graph of one bundle, and the paths the normalizer reads. */
export class GcpPrivilegeGraph {
  readonly graph: EscalationGraph<GcpGraphPrincipal>;
  private readonly byEmail = new Map<string, number>();
  /** Service accounts others may become, by every scope above them (their own resource included). */
  private readonly under = new Map<string, number[]>();
  /** Google APIs service agents (`<number>@cloudservices...`) by every scope above their project. */
  private readonly agentsUnder = new Map<string, number[]>();
  /** Legacy Cloud Build service accounts (`<number>@cloudbuild...`), which builds run as by default, likewise. */
  private readonly buildersUnder = new Map<string, number[]>();
  private readonly held: Array<Map<string, Held[]>>;
  /** Principals that can make another principal an administrator without becoming it (grant power), and how. */
  readonly grantPowers = new Map<string, GrantPower>();

  constructor(
    private readonly nodes: readonly GcpGraphPrincipal[],
    bindings: readonly HeldBinding[],
    private readonly context: GcpGraphContext,
  ) {
    this.graph = new EscalationGraph(nodes, { at: context.collectedAt });
    this.held = nodes.map(() => new Map());
    nodes.forEach((p, i) => {
      if (!p.serviceAccount) return;
      this.byEmail.set(p.name.toLowerCase(), i);
      if (p.uniqueId) this.byEmail.set(p.uniqueId, i);
      const runsAs = /^(\d+)@(cloudservices|cloudbuild)\.gserviceaccount\.com$/.exec(p.name);
      if (runsAs) {
        const project = context.projectOfNumber(runsAs[1]!);
        if (project && p.enabled)
          for (const scope of context.lineage(`projects/${project}`))
            this.push(runsAs[2] === 'cloudservices' ? this.agentsUnder : this.buildersUnder, scope, i);
        return;
      }
      if (p.agent || !p.enabled || !p.project) return;
      this.push(this.under, this.saResource(i), i);
      for (const scope of context.lineage(`projects/${p.project}`)) this.push(this.under, scope, i);
    });
    for (const b of bindings) {
      const caller = nodes[b.principal]!;
      if (!caller.enabled || caller.admin) continue;
      const conditions = b.condition && !isPureTimeBound(b.condition) ? [`IAM condition ${b.condition}`] : [];
      const grant: Grant = { conditions, mfa: false };
      const window = b.expiresAt ? { notAfter: b.expiresAt } : undefined;
      const permissions = b.permissions.includes('*') ? [...EDGE_PERMISSIONS] : b.permissions;
      for (const permission of permissions) {
        if (context.denied(b.principal, b.resource, permission)) continue;
        const list = this.held[b.principal]!.get(permission) ?? [];
        list.push({ resource: this.canonicalAccount(b.resource), role: b.role, grant, ...(window ? { window } : {}) });
        this.held[b.principal]!.set(permission, list);
      }
    }
    this.build(bindings);
  }

  private push<K>(map: Map<K, number[]>, key: K, value: number): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  private saResource(i: number): string {
    return `//iam.googleapis.com/projects/${this.nodes[i]!.project}/serviceAccounts/${this.nodes[i]!.name}`;
  }

  /** A service account's resource named by its email (Cloud Asset names it by unique id); other resources unchanged. */
  private canonicalAccount(resource: string): string {
    const account = this.accountOf(resource);
    return account !== undefined && this.nodes[account]!.project ? this.saResource(account) : resource;
  }

  /** The service account a resource names, when it names one. */
  private accountOf(resource: string): number | undefined {
    const id = SA_RESOURCE.exec(resource)?.[1];
    return id === undefined ? undefined : this.byEmail.get(id.toLowerCase());
  }

  /** The lineage of a resource, with a service account's own resource first. */
  private lineage(resource: string): string[] {
    const account = this.accountOf(resource);
    if (account !== undefined && this.nodes[account]!.project)
      return [this.saResource(account), ...this.context.lineage(`projects/${this.nodes[account]!.project}`)];
    return this.context.lineage(resource);
  }

  /** The narrower of two scopes when one lies within the other, else undefined. */
  private within(a: string, b: string): string | undefined {
    if (this.lineage(a).includes(b)) return a;
    if (this.lineage(b).includes(a)) return b;
    return undefined;
  }

  /** Edges from `from` to every account under `scope` that `accept` takes: one direct edge, or one to the scope's hub. */
  private toAccounts(
    from: number,
    scope: string,
    key: string,
    action: string,
    kind: string,
    held: Held,
    accept: (sa: number) => boolean = () => true,
    extra: Grant = UNCONDITIONAL,
  ): void {
    const grant = joinGrants(held.grant, extra);
    const window = held.window;
    const account = this.accountOf(scope);
    if (account !== undefined) {
      if (this.under.get(scope)?.[0] === account && accept(account))
        this.graph.addEdge({
          from,
          to: account,
          action: `${action} on ${this.nodes[account]!.name}`,
          kind,
          grant,
          ...(window ? { window } : {}),
        });
      return;
    }
    const members = this.under.get(scope);
    if (!members || members.length === 0) return;
    const hub = this.graph.hub(`${key}|${scope}`, () =>
      members.filter(accept).map((to) => ({ to, grant: UNCONDITIONAL })),
    );
    this.graph.addEdge({ from, to: hub, action: `${action} on ${scope}`, kind, grant, ...(window ? { window } : {}) });
  }

  private keyAllowed = (sa: number): boolean => !this.context.keyCreationBlocked.has(this.nodes[sa]!.project!);
  private keyBlocked = (sa: number): boolean => this.context.keyCreationBlocked.has(this.nodes[sa]!.project!);

  private build(bindings: readonly HeldBinding[]): void {
    this.nodes.forEach((p, i) => {
      if (p.admin) this.graph.holdsAdmin(i);
    });
    // Custom roles each principal holds on the resource hierarchy, for iam.roles.update.
    const customHeld = new Map<number, Array<{ role: string; grant: Grant }>>();
    const holders = new Map<string, { principal: number; resource: string }>();
    for (const b of bindings) {
      if (b.role.startsWith('roles/') || !HIERARCHY.test(b.resource)) continue;
      if (!holders.has(b.role) && !this.nodes[b.principal]!.admin)
        holders.set(b.role, { principal: b.principal, resource: b.resource });
      const list = customHeld.get(b.principal) ?? [];
      list.push({
        role: b.role,
        grant:
          b.condition && !isPureTimeBound(b.condition)
            ? { conditions: [`IAM condition ${b.condition}`], mfa: false }
            : UNCONDITIONAL,
      });
      customHeld.set(b.principal, list);
    }
    const delegations: Array<{ from: number; held: Held }> = [];
    this.held.forEach((perms, i) => {
      for (const [permission, kind] of Object.entries(TOKEN))
        for (const h of perms.get(permission) ?? []) this.toAccounts(i, h.resource, 'token', permission, kind, h);
      for (const h of perms.get(SA_SET_IAM) ?? [])
        this.toAccounts(i, h.resource, 'token', SA_SET_IAM, 'set-sa-iam-policy', h);
      for (const h of perms.get(KEY_CREATE) ?? []) {
        this.toAccounts(i, h.resource, 'key', KEY_CREATE, 'create-key', h, this.keyAllowed);
        for (const lift of perms.get(ORG_POLICY_SET) ?? []) {
          const scope = this.within(h.resource, lift.resource);
          if (scope)
            this.toAccounts(
              i,
              scope,
              'key-blocked',
              `${ORG_POLICY_SET} on ${lift.resource} (lifting iam.disableServiceAccountKeyCreation) + ${KEY_CREATE}`,
              'lift-org-policy-create-key',
              h,
              this.keyBlocked,
              lift.grant,
            );
        }
      }
      for (const h of perms.get(DELEGATION) ?? []) delegations.push({ from: i, held: h });
      const actAs = perms.get(ACT_AS) ?? [];
      if (actAs.length > 0) {
        const byKind = new Map<string, { permission: string; held: Held }[]>();
        for (const [permission, kind] of Object.entries(RUNNERS))
          for (const h of perms.get(permission) ?? [])
            byKind.set(kind, [...(byKind.get(kind) ?? []), { permission, held: h }]);
        for (const [kind, runners] of byKind) {
          for (const a of actAs) {
            for (const r of runners) {
              const scope = this.within(a.resource, r.held.resource);
              if (scope)
                this.toAccounts(i, scope, 'actas', `${ACT_AS} + ${r.permission}`, kind, a, undefined, r.held.grant);
            }
          }
        }
      }
      for (const h of perms.get(DEPLOYMENT) ?? []) {
        const agents = this.agentsUnder.get(h.resource) ?? [];
        for (const to of agents)
          this.graph.addEdge({
            from: i,
            to,
            action: `${DEPLOYMENT} on ${h.resource} (runs as the Google APIs service agent)`,
            kind: 'deployment-manager',
            grant: h.grant,
            ...(h.window ? { window: h.window } : {}),
          });
      }
      // A build runs as the project's legacy Cloud Build account unless told otherwise: no actAs needed.
      for (const h of perms.get(BUILD_CREATE) ?? []) {
        for (const to of this.buildersUnder.get(h.resource) ?? [])
          this.graph.addEdge({
            from: i,
            to,
            action: `${BUILD_CREATE} on ${h.resource} (runs as the legacy Cloud Build service account)`,
            kind: 'cloudbuild-default',
            grant: h.grant,
            ...(h.window ? { window: h.window } : {}),
          });
      }
      for (const h of perms.get(ROLE_UPDATE) ?? []) {
        if (!this.grantPowers.has(this.nodes[i]!.uid)) {
          for (const [role, holder] of holders) {
            if (holder.principal === i || !this.context.lineage(role.split('/roles/')[0]!).includes(h.resource))
              continue;
            const target = this.nodes[holder.principal]!;
            this.grantPowers.set(this.nodes[i]!.uid, {
              text: `${ROLE_UPDATE} on ${role}, which ${target.name} holds on ${holder.resource} (adding setIamPolicy)`,
              target: target.uid,
              kind: 'update-others-role',
              conditions: h.grant.conditions,
            });
            break;
          }
        }
        for (const own of customHeld.get(i) ?? []) {
          const parent = own.role.split('/roles/')[0]!;
          if (!this.context.lineage(parent).includes(h.resource)) continue;
          this.graph.addEdge({
            from: i,
            to: this.graph.admin,
            action: `${ROLE_UPDATE} on ${own.role}, which it holds (adding setIamPolicy)`,
            kind: 'update-held-role',
            grant: joinGrants(h.grant, own.grant),
            ...(h.window ? { window: h.window } : {}),
          });
          break;
        }
      }
    });
    this.addDelegations(delegations);
  }

  /**
   * implicitDelegation, as the IAM Credentials API checks a delegated request: the caller holds it on the first
   * delegate, each delegate holds it on the next, and the last mints the target's token (getAccessToken, signBlob,
   * signJwt). Chains of any length are followed, breadth-first, so each target keeps its shortest chain. An account's
   * setIamPolicy or key creation is no delegated call: a delegate's other edges are not followed.
   */
  private addDelegations(delegations: ReadonlyArray<{ from: number; held: Held }>): void {
    if (delegations.length === 0) return;
    const tokenKinds = new Set(Object.values(TOKEN));
    const tokenEdges = new Map<number, number[]>();
    this.graph.edges.forEach((e, index) => {
      if (e.from < this.nodes.length && tokenKinds.has(e.kind)) this.push(tokenEdges, e.from, index);
    });
    const delegatesOf = new Map<number, Held[]>();
    for (const { from, held } of delegations) delegatesOf.set(from, [...(delegatesOf.get(from) ?? []), held]);
    const middlesOf = (held: Held): readonly number[] => {
      const account = this.accountOf(held.resource);
      return account !== undefined ? [account] : (this.under.get(held.resource) ?? []);
    };
    interface Link {
      middle: number;
      chain: string;
      grant: Grant;
      window?: Window;
    }
    for (const [from, helds] of delegatesOf) {
      // A target the caller mints tokens for itself needs no delegation: that shorter evidence is kept.
      const own = new Set((this.held[from]!.get('iam.serviceAccounts.getAccessToken') ?? []).map((h) => h.resource));
      const mintsItself = (to: number) =>
        to < this.nodes.length && own.size > 0 && this.lineage(this.saResource(to)).some((r) => own.has(r));
      const seen = new Set<number>([from]);
      const reached = new Set<number>();
      const links = (held: Held, before?: Link): Link[] =>
        middlesOf(held)
          .filter((m) => !seen.has(m) && seen.add(m))
          .map((middle) => ({
            middle,
            chain: `${before ? `${before.chain}, then its ` : ''}${DELEGATION} on ${this.nodes[middle]!.name}`,
            grant: before ? joinGrants(before.grant, held.grant) : held.grant,
            ...windowOf(before?.window, held.window),
          }));
      let frontier = helds.flatMap((held) => links(held));
      while (frontier.length > 0) {
        const next: Link[] = [];
        for (const link of frontier) {
          for (const e of tokenEdges.get(link.middle) ?? []) {
            const edge = this.graph.edges[e]!;
            if (edge.to === from || reached.has(edge.to) || mintsItself(edge.to)) continue;
            reached.add(edge.to);
            this.graph.addEdge({
              from,
              to: edge.to,
              action: `${link.chain}, then its ${edge.action}`,
              kind: 'implicit-delegation',
              grant: joinGrants(link.grant, edge.grant),
              ...(link.window ? { window: link.window } : {}),
            });
          }
          for (const held of delegatesOf.get(link.middle) ?? []) next.push(...links(held, link));
        }
        frontier = next;
      }
    }
  }

  /** Each principal's shortest path to admin, keyed by uid. */
  paths(): Map<string, EscalationPath> {
    const names = new Map(this.nodes.map((n) => [n.uid, n.name]));
    return this.graph.paths((step: PathStep) => {
      const name = names.get(step.to) ?? step.to;
      return step.edit || step.action.endsWith(` on ${name}`) ? step.action : `${step.action} (as ${name})`;
    });
  }
}
