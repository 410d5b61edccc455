/**
 * Who can become whom: a graph over the IAM users, groups and roles of every account in a snapshot, and, from it,
 * who can become an administrator and by which shortest path.
 *
 * Nodes are principals. An edge `A -> B` means whoever holds A's credentials can act with B's permissions:
 * sts:AssumeRole where B's trust policy admits A, credential takeover of a user (access key, console password),
 * joining a group, rewriting a role's trust policy, passing a role to a service that runs code as it, or running
 * code on existing compute that holds a role. An edge `A -> admin` is a policy edit that makes A (or a principal A
 * can become) an administrator: attaching or writing a policy, a new or older default policy version, removing a
 * permissions boundary or a policy that carries a Deny. Every edge is judged with the caller's identity policies,
 * permissions boundary and SCPs against the target's ARN (resource awareness) and with conditions evaluated at the
 * snapshot's time (condition awareness; undecidable ones are kept and named).
 *
 * Edges to "every role of a kind" go through hub nodes (one per account and kind), so a caller with a wildcard grant
 * adds one edge, not one per role, and passing a hub is no extra step; privilege is a single reverse breadth-first
 * search from `admin` (fewest steps, then fewest undecided conditions and MFA needs). Pure.
 *
 * The graph, its hubs, searches and path evidence are the provider-free kit's (`providers/privilege/`); this file holds
 * the AWS rules that fill it, beside trust policies (`privilege-trust.ts`), what a principal may do
 * (`privilege-authority.ts`), which IAM actions make edges (`privilege-rules.ts`), the policy edits that make an
 * administrator (`privilege-edits.ts`) and grant power (`privilege-grant-power.ts`).
 */
import {
  EscalationGraph,
  grantScore,
  joinGrants,
  stepFacts,
  UNCONDITIONAL,
  type EscalationPath,
  type Grant,
  type PathStep,
} from '../privilege/index.js';
import { probeArn, type Authority } from './privilege-authority.js';
import { PolicyEdits } from './privilege-edits.js';
import { GrantPowers, type GrantPower } from './privilege-grant-power.js';
import { PrincipalSet, type GraphPrincipal, type ManagedPolicyFacts } from './privilege-principals.js';
import { COMPUTE_TAKEOVERS, PASS_ROLE_SERVICES, TAKEOVER_ACTIONS } from './privilege-rules.js';
import {
  servicePrincipals,
  trustAdmits,
  trustStatements,
  type AccountTrust,
  type TrustStatement,
} from './privilege-trust.js';

export type { EscalationPath, PathStep } from '../privilege/index.js';
export type { GrantPower } from './privilege-grant-power.js';
export type { GraphPrincipal, HeldPolicy, ManagedPolicyFacts } from './privilege-principals.js';
export { COMPUTE_TAKEOVERS, PASS_ROLE_SERVICES } from './privilege-rules.js';

/** The AWS escalation graph: the kit's graph filled with edges IAM's rules allow, and the searches the normalizer reads. */
export class PrivilegeGraph {
  private readonly nodes: GraphPrincipal[];
  /** The kit's graph the AWS rules fill: principals, hubs, edges, and the searches over them. */
  private readonly graph: EscalationGraph<GraphPrincipal>;
  private readonly principals: PrincipalSet;
  private readonly edits: PolicyEdits;
  private readonly powers: GrantPowers;
  private readonly byUid: Map<string, number>;
  private readonly authorities: Authority[];
  private readonly admin: number;
  private readonly serviceRoleSets = new Map<string, Set<number>>();
  private readonly serviceRoleLists = new Map<Set<number>, number[]>();

  constructor(principals: GraphPrincipal[], managed: Map<string, ManagedPolicyFacts>) {
    this.nodes = principals;
    this.principals = new PrincipalSet(principals, managed);
    ({ byUid: this.byUid, authorities: this.authorities } = this.principals);
    this.edits = new PolicyEdits(this.principals);
    this.powers = new GrantPowers(this.principals, this.edits);
    this.graph = new EscalationGraph(principals);
    this.admin = this.graph.admin;
    this.build();
  }

  private build(): void {
    const roles = this.nodes.map((_, i) => i).filter((i) => this.nodes[i]!.kind === 'role');
    const trust = new Map<number, TrustStatement[]>(roles.map((r) => [r, trustStatements(this.nodes[r]!.trust)]));
    // Roles by the AWS principal entries their trust policies name (ARN, account or *).
    const namedBy = new Map<string, Set<number>>();
    for (const r of roles) {
      for (const t of trust.get(r)!) {
        if (t.statement.effect !== 'Allow') continue;
        for (const entry of t.aws) {
          const key = /^\d{12}$/.test(entry) ? `arn:${this.nodes[r]!.partition}:iam::${entry}:root` : entry;
          if (!namedBy.has(key)) namedBy.set(key, new Set());
          namedBy.get(key)!.add(r);
        }
      }
    }
    const serviceRoles = new Map<string, number[]>();
    for (const r of roles) {
      const role = this.nodes[r]!;
      for (const t of trust.get(r)!) {
        if (t.statement.effect !== 'Allow') continue;
        for (const service of servicePrincipals(t.statement.principal)) {
          const key = `${role.account}|${service}`;
          if (!serviceRoles.has(key)) serviceRoles.set(key, []);
          const list = serviceRoles.get(key)!;
          if (list.at(-1) !== r) list.push(r);
        }
      }
    }

    const selfEdit = new Uint8Array(this.nodes.length);
    for (let i = 0; i < this.nodes.length; i++) {
      const caller = this.nodes[i]!;
      const authority = this.authorities[i]!;
      if (caller.admin) {
        this.graph.holdsAdmin(i);
        continue;
      }
      this.assumeRoleEdges(i, namedBy, trust);
      this.takeoverEdges(i, authority);
      this.serviceEdges(i, authority, serviceRoles);
      const self = this.edits.elevatable(i) ? this.edits.elevation(authority, i) : null;
      if (self)
        this.graph.addEdge({ from: i, to: this.admin, action: self.action, kind: self.kind, grant: self.grant });
      if (self) selfEdit[i] = 1;
    }
    // Edits of other principals count once the editor can become them (found after every become-edge exists). A
    // principal that can make itself admin needs none: its own edit is one step, and the search from admin takes it.
    for (let i = 0; i < this.nodes.length; i++) {
      if (this.nodes[i]!.admin || selfEdit[i] === 1 || !this.edits.mayEditOthers(this.authorities[i]!)) continue;
      const found = this.nearestEditable(i);
      if (found)
        this.graph.addEdge({
          from: i,
          to: this.admin,
          action: found.steps[0]!.action,
          kind: found.kind,
          grant: found.grant,
          via: found.steps,
        });
    }
  }

  private assumeRoleEdges(i: number, namedBy: Map<string, Set<number>>, trust: Map<number, TrustStatement[]>): void {
    const caller = this.nodes[i]!;
    const authority = this.authorities[i]!;
    const mayAssume = authority.mentions('sts:AssumeRole');
    const edge = (r: number, grant: Grant) =>
      this.graph.addEdge({ from: i, to: r, action: 'sts:AssumeRole', kind: 'assume-role', grant });
    const judged = (r: number) => {
      const admission = trustAdmits(caller, trust.get(r)!);
      if (!admission) return;
      // Same account and named by its own ARN: the trust policy alone suffices; otherwise the caller needs the permission.
      if (admission.how === 'direct' && this.nodes[r]!.account === caller.account) return edge(r, admission.grant);
      const identity = mayAssume ? authority.can('sts:AssumeRole', { arn: this.nodes[r]!.arn }) : null;
      if (identity) edge(r, joinGrants(identity, admission.grant));
    };
    for (const r of namedBy.get(caller.arn) ?? []) judged(r);
    if (!mayAssume) return;
    const account = this.accountTrust(caller, namedBy, trust);
    for (const r of account.specific) if (!namedBy.get(caller.arn)?.has(r)) judged(r);
    if (account.plain.length === 0) return;
    // Roles of the caller's own account go through one hub when the grant names them all; other accounts' one by one.
    const home = authority.uniformOver('sts:AssumeRole', 'role', caller.account);
    if (home) {
      const grant = authority.can('sts:AssumeRole', { arn: probeArn(caller.partition, 'role', caller.account) });
      const members = () => account.plain.filter((m) => this.nodes[m.to]!.account === caller.account);

      if (grant)
        this.graph.addEdge({
          from: i,
          to: this.graph.hub(`assume:${caller.partition}:${caller.account}`, members),
          action: 'sts:AssumeRole',
          kind: 'assume-role',
          grant,
        });
    }
    const pool = home ? account.away : account.all;
    for (const r of this.principals.targetsOf(
      authority,
      'sts:AssumeRole',
      pool,
      (n) => account.byRole.has(n) && !(home && this.nodes[n]!.account === caller.account),
    )) {
      const member = account.byRole.get(r)!;
      const identity = authority.can('sts:AssumeRole', { arn: this.nodes[member.to]!.arn });
      if (identity) edge(member.to, joinGrants(identity, member.grant));
    }
  }

  private readonly accountTrustCache = new Map<string, AccountTrust>();

  /**
   * Roles whose trust admits a whole account (by its root or `*`): those whose admission is the same for every caller
   * of the account (judged once, the hub's members), and those with caller-specific conditions or Deny statements.
   */
  private accountTrust(
    caller: GraphPrincipal,
    namedBy: Map<string, Set<number>>,
    trust: Map<number, TrustStatement[]>,
  ): AccountTrust {
    const key = `${caller.partition}:${caller.account}`;
    let found = this.accountTrustCache.get(key);
    if (found) return found;
    found = { plain: [], specific: [], byRole: new Map(), all: [], away: [] };
    const anyone: GraphPrincipal = {
      ...caller,
      uid: '',
      arn: `arn:${caller.partition}:iam::${caller.account}:user/\u0000`,
      name: '\u0000',
      kind: 'user',
    };
    for (const r of new Set([
      ...(namedBy.get(`arn:${caller.partition}:iam::${caller.account}:root`) ?? []),
      ...(namedBy.get('*') ?? []),
    ])) {
      const statements = trust.get(r)!;
      if (statements.some((t) => t.callerSpecific)) {
        found.specific.push(r);
        continue;
      }
      const admission = trustAdmits(anyone, statements);
      if (admission) found.plain.push({ to: r, grant: admission.grant });
    }
    for (const member of found.plain) found.byRole.set(member.to, member);
    found.all = found.plain.map((m) => m.to);
    found.away = found.all.filter((r) => this.nodes[r]!.account !== caller.account);
    this.accountTrustCache.set(key, found);
    return found;
  }

  private takeoverEdges(i: number, authority: Authority): void {
    const caller = this.nodes[i]!;
    const users = () => this.principals.ofKind('user', caller.account);
    for (const t of TAKEOVER_ACTIONS) {
      if (!authority.mentions(t.action)) continue;
      const edge = (to: number, grant: Grant) =>
        this.graph.addEdge({ from: i, to, action: t.action, kind: t.kind, grant });
      this.fanOut(
        i,
        t.action,
        'user',
        `${t.kind}:${caller.account}`,
        () => users().filter((u) => t.applies(this.nodes[u]!)),
        (u) => u !== i && t.applies(this.nodes[u]!),
        edge,
      );
    }
    // Joining a group: a user adds itself (a group's policies act for each member).
    if (caller.kind !== 'role' && authority.mentions('iam:AddUserToGroup')) {
      const edge = (to: number, grant: Grant) =>
        this.graph.addEdge({ from: i, to, action: 'iam:AddUserToGroup', kind: 'add-user-to-group', grant });
      this.fanOut(
        i,
        'iam:AddUserToGroup',
        'group',
        `add-user-to-group:${caller.account}`,
        () => this.principals.ofKind('group', caller.account),
        (g) => g !== i,
        edge,
      );
    }
    // Rewriting a role's trust policy to name oneself; same account, so no identity sts:AssumeRole is needed.
    if (caller.kind !== 'group' && authority.mentions('iam:UpdateAssumeRolePolicy')) {
      const edge = (to: number, grant: Grant) =>
        this.graph.addEdge({
          from: i,
          to,
          action: 'iam:UpdateAssumeRolePolicy + sts:AssumeRole',
          kind: 'update-assume-role-policy',
          grant,
        });
      this.fanOut(
        i,
        'iam:UpdateAssumeRolePolicy',
        'role',
        `update-assume-role-policy:${caller.account}`,
        () => this.principals.ofKind('role', caller.account),
        (r) => r !== i,
        edge,
      );
    }
  }

  /**
   * Edges from caller `i` for `action` on the principals of one kind in its account. Statements that all name every
   * such principal: one edge to the hub. Some naming them all and others only some: the hub edge, plus an edge to each
   * target the narrower statements grant on better terms (fewer undecided conditions, or no MFA). Otherwise one edge
   * per target named.
   */
  private fanOut(
    i: number,
    action: string,
    kind: 'user' | 'group' | 'role',
    hubKey: string,
    members: () => number[],
    accept: (n: number) => boolean,
    edge: (to: number, grant: Grant) => void,
  ): void {
    const caller = this.nodes[i]!;
    const authority = this.authorities[i]!;
    const admitted = (n: number) =>
      this.nodes[n]!.kind === kind && this.nodes[n]!.account === caller.account && accept(n);
    const remainder = authority.uniformOver(action, kind, caller.account)
      ? []
      : authority.hubRemainder(action, kind, caller.account);
    let hubGrant: Grant | null = null;
    if (remainder !== null) {
      hubGrant = authority.can(action, { arn: probeArn(caller.partition, kind, caller.account) });
      if (hubGrant)
        edge(
          this.graph.hub(hubKey, () => members().map((to) => ({ to, grant: UNCONDITIONAL }))),
          hubGrant,
        );
      if (hubGrant && grantScore(hubGrant) === 0) return;
    }
    const targets =
      remainder === null
        ? this.principals.targetsOf(authority, action, this.principals.ofKind(kind, caller.account), admitted)
        : this.principals.named(remainder, admitted);
    for (const n of targets) {
      const grant = authority.can(action, { arn: this.nodes[n]!.arn });
      if (grant && (!hubGrant || grantScore(grant) < grantScore(hubGrant))) edge(n, grant);
    }
  }

  private serviceEdges(i: number, authority: Authority, serviceRoles: Map<string, number[]>): void {
    const caller = this.nodes[i]!;
    const rolesOf = (service: string, needProfile: boolean | undefined) => {
      const key = `${caller.account}|${service}|${needProfile === true}`;
      let found = this.serviceRoleSets.get(key);
      if (!found) {
        const list = (serviceRoles.get(`${caller.account}|${service}`) ?? []).filter(
          (r) => !needProfile || this.nodes[r]!.instanceProfiles !== 0,
        );
        found = new Set(list);
        this.serviceRoleSets.set(key, found);
        this.serviceRoleLists.set(found, list);
      }
      return found;
    };
    if (authority.mentions('iam:PassRole')) {
      for (const service of PASS_ROLE_SERVICES) {
        const roles = rolesOf(service.principal, service.instanceProfile);
        if (roles.size === 0) continue;
        const usable = service.needs.map((groups) => authority.canAll(groups)).find((c) => c !== null);
        if (!usable) continue;
        const action = `iam:PassRole + ${usable.actions.join(' + ')}`;
        const extra = { 'iam:passedtoservice': [service.principal] };
        if (authority.uniformOver('iam:PassRole', 'role', caller.account)) {
          const pass = authority.can(
            'iam:PassRole',
            { arn: probeArn(caller.partition, 'role', caller.account) },
            extra,
          );
          if (!pass) continue;
          const hub = this.graph.hub(
            `pass:${caller.account}:${service.principal}:${service.instanceProfile === true}`,
            () => [...roles].map((r) => ({ to: r, grant: { conditions: [], mfa: false } })),
          );
          this.graph.addEdge({ from: i, to: hub, action, kind: service.kind, grant: joinGrants(pass, usable.grant) });
          continue;
        }
        for (const r of this.principals.targetsOf(authority, 'iam:PassRole', this.serviceRoleLists.get(roles)!, (n) =>
          roles.has(n),
        )) {
          const pass = authority.can('iam:PassRole', { arn: this.nodes[r]!.arn }, extra);
          if (pass)
            this.graph.addEdge({ from: i, to: r, action, kind: service.kind, grant: joinGrants(pass, usable.grant) });
        }
      }
    }
    for (const takeover of COMPUTE_TAKEOVERS) {
      if (!takeover.needs.every((g) => g.some((a) => authority.mentions(a)))) continue;
      const roles = rolesOf(takeover.principal, takeover.instanceProfile);
      if (roles.size === 0) continue;
      const usable = authority.canAll(takeover.needs);
      if (!usable) continue;
      const hub = this.graph.hub(
        `compute:${caller.account}:${takeover.principal}:${takeover.instanceProfile === true}`,
        () => [...roles].map((r) => ({ to: r, grant: { conditions: [], mfa: false } })),
      );
      this.graph.addEdge({
        from: i,
        to: hub,
        action: `${usable.actions.join(' + ')} on ${takeover.what}`,
        kind: takeover.kind,
        grant: usable.grant,
        note: `which ${takeover.what.replace(/^an? /, '')} runs as which role is not in the snapshot: any role ${takeover.principal} may hold`,
      });
    }
  }

  /**
   * The nearest principal `start` can make an administrator, over become-edges (the kit's breadth-first search, which
   * judges each principal when first reached and never enters a node from which no such principal is reachable), with
   * the edit first and then the path to the principal edited.
   */
  private nearestEditable(start: number): { steps: PathStep[]; kind: string; grant: Grant } | null {
    const editor = this.authorities[start]!;
    const hopeful = this.hopeful();
    const listed = this.edits.editable(start);
    if (listed?.size === 0) return null;
    const found = this.graph.nearest(
      start,
      (to) => (listed ? (listed.get(to) ?? null) : this.edits.elevatable(to) ? this.edits.elevation(editor, to) : null),
      hopeful,
    );
    if (!found) return null;
    const { node, value: edit, route } = found;
    const steps: PathStep[] = [
      {
        from: this.nodes[start]!.uid,
        action: edit.action,
        to: this.nodes[node]!.uid,
        kind: edit.kind,
        edit: true,
        ...stepFacts(edit.grant),
      },
      ...this.graph.render(route),
    ];
    return { steps, kind: edit.kind, grant: joinGrants(edit.grant, this.graph.grantAlong(route)) };
  }

  private hopefulNodes?: Uint8Array;

  /**
   * Nodes from which some principal an edit could make admin is reachable (itself included): the search from an
   * editor never enters the others, which changes nothing it finds (every path to such a principal stays inside).
   * One breadth-first search over reversed become-edges from every such principal, made when first needed.
   */
  private hopeful(): Uint8Array {
    if (this.hopefulNodes) return this.hopefulNodes;
    this.hopefulNodes = this.graph.reaching(this.edits.elevatableList);
    return this.hopefulNodes;
  }

  /** The shortest path to admin of every principal that is not one already but can become one. */
  paths(): Map<string, EscalationPath> {
    return this.graph.paths((step, start) => this.label(step, start));
  }

  private nameOf(uid: string, from: GraphPrincipal): string {
    const index = this.byUid.get(uid);
    if (index === undefined) return uid;
    const node = this.nodes[index]!;
    return node.account === from.account ? node.name : `${node.name} (account ${node.account})`;
  }

  /** A step as the path's text words it: the target named after the action, or inside it for a passed role. */
  private label(step: PathStep, start: GraphPrincipal): string {
    const target = this.nameOf(step.to, start);
    if (step.edit) return step.action;
    if (step.kind.startsWith('pass-role-')) return step.action.replace('iam:PassRole', `iam:PassRole ${target}`);
    if (COMPUTE_TAKEOVERS.some((c) => c.kind === step.kind)) return `${step.action} running as ${target}`;
    return `${step.action} ${target}`;
  }

  /**
   * Grant power of the principals that cannot become an administrator themselves (those without a path): one edit
   * that makes another principal of their own account an administrator, or a grant of that power. Adds no edges.
   */
  grantPowers(paths: Map<string, EscalationPath>): Map<string, GrantPower> {
    return this.powers.grantPowers(paths);
  }

  /** Recipients of a grant of grant power judged afresh (not from the cache), for the scale tests. */
  get recipientsJudged(): number {
    return this.powers.recipientsJudged;
  }

  /** Number of edges, for benchmarks. */
  get size(): { nodes: number; edges: number; hubs: number } {
    return this.graph.size;
  }
}

/** Each principal's shortest path to admin, and the grant power of those without one (one graph for both). */
export function privilegeReach(
  principals: GraphPrincipal[],
  managed: Map<string, ManagedPolicyFacts>,
): { paths: Map<string, EscalationPath>; grants: Map<string, GrantPower> } {
  const graph = new PrivilegeGraph(principals, managed);
  const paths = graph.paths();
  return { paths, grants: graph.grantPowers(paths) };
}
