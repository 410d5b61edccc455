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
 */
import { EscalationGraph, grantScore, joinGrants, stepFacts, UNCONDITIONAL, type EscalationPath, type Grant, type PathStep } from '../privilege/index.js';
import { ArnIndex } from './arn-index.js';
import { parsePolicyDocument, type PolicyDocument } from './policy-document.js';
import { analyzePrivilege, type Guardrail, type NamedPolicy } from './privilege.js';
import { Authority, probeArn, statementsKey, statementsOf, type Statements } from './privilege-authority.js';
import { allowsGrant, COMPUTE_TAKEOVERS, EDIT_ACTIONS, PASS_ROLE_SERVICES, TAKEOVER_ACTIONS } from './privilege-rules.js';
import { trustAdmits, trustStatements, servicePrincipals, type AccountTrust, type TrustStatement } from './privilege-trust.js';

export type { EscalationPath, PathStep } from '../privilege/index.js';
export { COMPUTE_TAKEOVERS, PASS_ROLE_SERVICES } from './privilege-rules.js';

/** A policy a principal holds, with where it is attached (for detach/delete edits). */
export interface HeldPolicy extends NamedPolicy {
  /** Managed policy ARN; absent for inline policies. */
  arn?: string;
  /** The user, group or role the policy is attached to. */
  owner: { kind: 'user' | 'group' | 'role'; arn: string };
}

export interface GraphPrincipal {
  uid: string;
  arn: string;
  kind: 'user' | 'group' | 'role';
  name: string;
  account: string;
  partition: string;
  /** Identity policies, including (for users) those of their groups. */
  policies: HeldPolicy[];
  /** Group uids (users) or member user uids (groups). */
  groups?: string[];
  members?: string[];
  boundary?: { arn: string; name: string; document: PolicyDocument };
  scps: Guardrail[];
  /** Role trust policy. */
  trust?: PolicyDocument;
  /** Roles: number of instance profiles holding it; undefined when not known. */
  instanceProfiles?: number;
  /** Users: console password present; undefined when not known. */
  hasPassword?: boolean;
  /** Holds every permission already (the admin analysis of its own policies). */
  admin: boolean;
  /** The snapshot time of its account (ISO 8601), for date conditions. */
  now: string;
}

export interface ManagedPolicyFacts {
  arn: string;
  awsManaged: boolean;
  /** A non-default version of the policy grants every action (SetDefaultPolicyVersion then makes its holders admin). */
  adminVersion: boolean;
  /** The default version grants every action (a candidate for iam:PolicyARN conditions on attach). */
  admin: boolean;
  /** The default version's document (what an attachment hands over). */
  document?: PolicyDocument;
}

/** What a principal that cannot become an administrator can do to make another principal one. */
export interface GrantPower {
  /** `iam:AttachUserPolicy on operator`: the edit, as reasons quote it. */
  text: string;
  /** The uid of the principal the edit makes an administrator (a group for iam:AddUserToGroup). */
  target: string;
  kind: string;
  conditions: string[];
  mfa: boolean;
  /** For a grant of grant power: the uid of the principal handed the power, which then makes `target` an administrator. */
  via?: string;
}

/** An edit that makes a principal an administrator: the action as the path shows it, its edge kind and grant. */
interface Edit {
  action: string;
  kind: string;
  grant: Grant;
}

/** Above this many candidates an editor's targets are judged as the search reaches them instead of listed first. */
const CANDIDATE_LIMIT = 256;

const ADMIN_DOCUMENT = parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

export class PrivilegeGraph {
  private readonly nodes: GraphPrincipal[];
  /** The kit's graph the AWS rules fill: principals, hubs, edges, and the searches over them. */
  private readonly graph: EscalationGraph<GraphPrincipal>;
  private readonly byUid = new Map<string, number>();
  private readonly authorities: Authority[] = [];
  private readonly admin: number;
  private readonly adminIfGrantedCache = new Map<string, boolean>();
  /** Node indices by ARN, for resource patterns with a literal prefix. */
  private readonly byArn: ArnIndex<number>;
  private readonly serviceRoleSets = new Map<string, Set<number>>();
  private readonly serviceRoleLists = new Map<Set<number>, number[]>();

  constructor(principals: GraphPrincipal[], private readonly managed: Map<string, ManagedPolicyFacts>) {
    this.nodes = principals;
    this.graph = new EscalationGraph(principals);
    this.admin = this.graph.admin;
    const shared = new Map<string, Statements>();
    principals.forEach((p, i) => {
      this.byUid.set(p.uid, i);
      // Principals whose policies read the same share one statement set (and its per-action coverage).
      const key = statementsKey(p);
      let statements = shared.get(key);
      if (!statements) {
        statements = statementsOf(p);
        shared.set(key, statements);
      }
      this.authorities.push(new Authority(p, statements));
    });
    this.byArn = new ArnIndex(principals.map((p, i) => [p.arn, i] as const));

    this.targetFacts = new Uint8Array(principals.length);
    this.build();
  }

  /**
   * The principals an action's resource patterns can name, among those `accept` admits: exact ARNs by lookup, wildcard
   * patterns by their literal prefix in the ARN-sorted index (so `role/team-*` never scans every principal).
   */
  private targetsOf(authority: Authority, action: string, pool: readonly number[], accept: (n: number) => boolean): number[] {
    const patterns = authority.resourcePatterns(action);
    return patterns === null ? pool.filter(accept) : this.named(patterns, accept);
  }

  /** The principals a list of ARN patterns names, among those `accept` admits, by the ARN-sorted index. */
  private named(patterns: readonly string[], accept: (n: number) => boolean): number[] {
    const out = new Set<number>();
    for (const pattern of patterns) for (const n of this.byArn.match(pattern)!) if (accept(n)) out.add(n);
    return [...out];
  }

  private readonly kindLists = new Map<string, number[]>();

  /** The principals of one kind in one account. */
  private ofKind(kind: GraphPrincipal['kind'], account: string): number[] {
    const key = `${kind}:${account}`;
    let found = this.kindLists.get(key);
    if (!found) {
      found = this.nodes.map((_, n) => n).filter((n) => this.nodes[n]!.kind === kind && this.nodes[n]!.account === account);
      this.kindLists.set(key, found);
    }
    return found;
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
      const self = this.elevatable(i) ? this.elevation(authority, i) : null;
      if (self) this.graph.addEdge({ from: i, to: this.admin, action: self.action, kind: self.kind, grant: self.grant });
      if (self) selfEdit[i] = 1;
    }
    // Edits of other principals count once the editor can become them (found after every become-edge exists). A
    // principal that can make itself admin needs none: its own edit is one step, and the search from admin takes it.
    for (let i = 0; i < this.nodes.length; i++) {
      if (this.nodes[i]!.admin || selfEdit[i] === 1 || !this.mayEditOthers(this.authorities[i]!)) continue;
      const found = this.nearestEditable(i);
      if (found) this.graph.addEdge({ from: i, to: this.admin, action: found.steps[0]!.action, kind: found.kind, grant: found.grant, via: found.steps });
    }
  }

  private assumeRoleEdges(i: number, namedBy: Map<string, Set<number>>, trust: Map<number, TrustStatement[]>): void {
    const caller = this.nodes[i]!;
    const authority = this.authorities[i]!;
    const mayAssume = authority.mentions('sts:AssumeRole');
    const edge = (r: number, grant: Grant) => this.graph.addEdge({ from: i, to: r, action: 'sts:AssumeRole', kind: 'assume-role', grant });
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

      if (grant) this.graph.addEdge({ from: i, to: this.graph.hub(`assume:${caller.partition}:${caller.account}`, members), action: 'sts:AssumeRole', kind: 'assume-role', grant });
    }
    const pool = home ? account.away : account.all;
    for (const r of this.targetsOf(authority, 'sts:AssumeRole', pool, (n) => account.byRole.has(n) && !(home && this.nodes[n]!.account === caller.account))) {
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
  private accountTrust(caller: GraphPrincipal, namedBy: Map<string, Set<number>>, trust: Map<number, TrustStatement[]>): AccountTrust {
    const key = `${caller.partition}:${caller.account}`;
    let found = this.accountTrustCache.get(key);
    if (found) return found;
    found = { plain: [], specific: [], byRole: new Map(), all: [], away: [] };
    const anyone: GraphPrincipal = { ...caller, uid: '', arn: `arn:${caller.partition}:iam::${caller.account}:user/\u0000`, name: '\u0000', kind: 'user' };
    for (const r of new Set([...(namedBy.get(`arn:${caller.partition}:iam::${caller.account}:root`) ?? []), ...(namedBy.get('*') ?? [])])) {
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
    const users = () => this.ofKind('user', caller.account);
    for (const t of TAKEOVER_ACTIONS) {
      if (!authority.mentions(t.action)) continue;
      const edge = (to: number, grant: Grant) => this.graph.addEdge({ from: i, to, action: t.action, kind: t.kind, grant });
      this.fanOut(i, t.action, 'user', `${t.kind}:${caller.account}`, () => users().filter((u) => t.applies(this.nodes[u]!)), (u) => u !== i && t.applies(this.nodes[u]!), edge);
    }
    // Joining a group: a user adds itself (a group's policies act for each member).
    if (caller.kind !== 'role' && authority.mentions('iam:AddUserToGroup')) {
      const edge = (to: number, grant: Grant) => this.graph.addEdge({ from: i, to, action: 'iam:AddUserToGroup', kind: 'add-user-to-group', grant });
      this.fanOut(i, 'iam:AddUserToGroup', 'group', `add-user-to-group:${caller.account}`, () => this.ofKind('group', caller.account), (g) => g !== i, edge);
    }
    // Rewriting a role's trust policy to name oneself; same account, so no identity sts:AssumeRole is needed.
    if (caller.kind !== 'group' && authority.mentions('iam:UpdateAssumeRolePolicy')) {
      const edge = (to: number, grant: Grant) => this.graph.addEdge({ from: i, to, action: 'iam:UpdateAssumeRolePolicy + sts:AssumeRole', kind: 'update-assume-role-policy', grant });
      this.fanOut(i, 'iam:UpdateAssumeRolePolicy', 'role', `update-assume-role-policy:${caller.account}`, () => this.ofKind('role', caller.account), (r) => r !== i, edge);
    }
  }

  /**
   * Edges from caller `i` for `action` on the principals of one kind in its account. Statements that all name every
   * such principal: one edge to the hub. Some naming them all and others only some: the hub edge, plus an edge to each
   * target the narrower statements grant on better terms (fewer undecided conditions, or no MFA). Otherwise one edge
   * per target named.
   */
  private fanOut(i: number, action: string, kind: 'user' | 'group' | 'role', hubKey: string, members: () => number[], accept: (n: number) => boolean, edge: (to: number, grant: Grant) => void): void {
    const caller = this.nodes[i]!;
    const authority = this.authorities[i]!;
    const admitted = (n: number) => this.nodes[n]!.kind === kind && this.nodes[n]!.account === caller.account && accept(n);
    const remainder = authority.uniformOver(action, kind, caller.account) ? [] : authority.hubRemainder(action, kind, caller.account);
    let hubGrant: Grant | null = null;
    if (remainder !== null) {
      hubGrant = authority.can(action, { arn: probeArn(caller.partition, kind, caller.account) });
      if (hubGrant) edge(this.graph.hub(hubKey, () => members().map((to) => ({ to, grant: UNCONDITIONAL }))), hubGrant);
      if (hubGrant && grantScore(hubGrant) === 0) return;
    }
    const targets = remainder === null ? this.targetsOf(authority, action, this.ofKind(kind, caller.account), admitted) : this.named(remainder, admitted);
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
        const list = (serviceRoles.get(`${caller.account}|${service}`) ?? []).filter((r) => !needProfile || this.nodes[r]!.instanceProfiles !== 0);
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
          const pass = authority.can('iam:PassRole', { arn: probeArn(caller.partition, 'role', caller.account) }, extra);
          if (!pass) continue;
          const hub = this.graph.hub(`pass:${caller.account}:${service.principal}:${service.instanceProfile === true}`, () => [...roles].map((r) => ({ to: r, grant: { conditions: [], mfa: false } })));
          this.graph.addEdge({ from: i, to: hub, action, kind: service.kind, grant: joinGrants(pass, usable.grant) });
          continue;
        }
        for (const r of this.targetsOf(authority, 'iam:PassRole', this.serviceRoleLists.get(roles)!, (n) => roles.has(n))) {
          const pass = authority.can('iam:PassRole', { arn: this.nodes[r]!.arn }, extra);
          if (pass) this.graph.addEdge({ from: i, to: r, action, kind: service.kind, grant: joinGrants(pass, usable.grant) });
        }
      }
    }
    for (const takeover of COMPUTE_TAKEOVERS) {
      if (!takeover.needs.every((g) => g.some((a) => authority.mentions(a)))) continue;
      const roles = rolesOf(takeover.principal, takeover.instanceProfile);
      if (roles.size === 0) continue;
      const usable = authority.canAll(takeover.needs);
      if (!usable) continue;
      const hub = this.graph.hub(`compute:${caller.account}:${takeover.principal}:${takeover.instanceProfile === true}`, () => [...roles].map((r) => ({ to: r, grant: { conditions: [], mfa: false } })));
      this.graph.addEdge({
        from: i, to: hub, action: `${usable.actions.join(' + ')} on ${takeover.what}`, kind: takeover.kind, grant: usable.grant,
        note: `which ${takeover.what.replace(/^an? /, '')} runs as which role is not in the snapshot: any role ${takeover.principal} may hold`,
      });
    }
  }

  /** Whether a principal with these guardrails would be an administrator once handed `*` on `*`. */
  private adminIfGranted(target: GraphPrincipal, withBoundary = true): boolean {
    const guardrails: Guardrail[] = [...(withBoundary && target.boundary ? [{ name: target.boundary.name, documents: [target.boundary.document] }] : []), ...target.scps];
    const key = guardrails.map((g) => g.name).join('|') + target.account;
    let known = this.adminIfGrantedCache.get(key);
    if (known === undefined) {
      known = analyzePrivilege([{ name: 'probe', document: ADMIN_DOCUMENT }], guardrails).level === 'admin';
      this.adminIfGrantedCache.set(key, known);
    }
    return known;
  }

  private readonly adminArns = new Map<string, string[]>();

  /** Policies whose attachment makes an administrator: AWS's AdministratorAccess and any customer one granting `*`. */
  private adminPolicyArns(partition: string): string[] {
    let found = this.adminArns.get(partition);
    if (!found) {
      found = [`arn:${partition}:iam::aws:policy/AdministratorAccess`, ...[...this.managed.values()].filter((m) => m.admin).map((m) => m.arn)];
      this.adminArns.set(partition, found);
    }
    return found;
  }

  /** Quick filter: does the principal hold any policy-editing action at all? */
  private mayEditOthers(authority: Authority): boolean {
    return authority.edits(EDIT_ACTIONS);
  }

  /**
   * The edit by `editor` that makes `target` an administrator, if any: attach or write a policy on it (or on a group
   * it is in), publish or select an admin version of a managed policy it holds, remove its permissions boundary,
   * or remove the policies that carry its Deny statements.
   */
  private elevation(editor: Authority, targetIndex: number): Edit | null {
    if (!this.mayEditOthers(editor)) return null;
    const target = this.nodes[targetIndex]!;
    // IAM calls act on the caller's own account: another account's principals are edited by becoming one of its own.
    if (target.account !== editor.principal.account) return null;
    const self = editor.principal.uid === target.uid;
    const on = (what: string) => (self ? 'on itself' : `on ${what}`);
    const kindName = target.kind === 'user' ? 'User' : target.kind === 'group' ? 'Group' : 'Role';
    const holders: Array<{ p: GraphPrincipal; how: string }> = [{ p: target, how: on(target.name) }];
    if (target.kind === 'user') {
      for (const g of target.groups ?? []) {
        const group = this.byUid.get(g);
        if (group !== undefined) holders.push({ p: this.nodes[group]!, how: `on group ${this.nodes[group]!.name}${self ? ', which it is in' : ''}` });
      }
    }
    if (this.adminIfGranted(target)) {
      const policyArns = { 'iam:policyarn': this.adminPolicyArns(target.partition) };
      for (const { p, how } of holders) {
        const k = p.kind === 'user' ? 'User' : p.kind === 'group' ? 'Group' : 'Role';
        for (const verb of ['Attach', 'Put'] as const) {
          const action = `iam:${verb}${k}Policy`;
          const grant = editor.can(action, { arn: p.arn }, verb === 'Attach' ? policyArns : {});
          if (grant) return { action: `${action} ${how}`, kind: `${verb.toLowerCase()}-${p.kind}-policy`, grant };
        }
      }
      const held = [...new Set(target.policies.map((h) => h.arn).filter((a): a is string => a !== undefined))];
      for (const arn of held) {
        const facts = this.managed.get(arn);
        if (!facts || facts.awsManaged) continue;
        const name = target.policies.find((h) => h.arn === arn)!.name;
        const grant = editor.can('iam:CreatePolicyVersion', { arn });
        if (grant) return { action: `iam:CreatePolicyVersion on policy ${name}${self ? ', which it holds' : ` held by ${target.name}`}`, kind: 'create-policy-version', grant };
        if (facts.adminVersion) {
          const older = editor.can('iam:SetDefaultPolicyVersion', { arn });
          if (older) return { action: `iam:SetDefaultPolicyVersion on policy ${name}${self ? ', which it holds' : ` held by ${target.name}`}`, kind: 'set-default-policy-version', grant: older };
        }
      }
    }
    if (target.boundary && this.boundaryHolds(targetIndex)) {
      for (const verb of ['Delete', 'Put']) {
        const action = `iam:${verb}${kindName}PermissionsBoundary`;
        const grant = editor.can(action, { arn: target.arn });
        if (grant) return { action: `${action} ${on(target.name)}`, kind: `${verb.toLowerCase()}-permissions-boundary`, grant };
      }
      const facts = this.managed.get(target.boundary.arn);
      const version = facts && !facts.awsManaged ? editor.can('iam:CreatePolicyVersion', { arn: target.boundary.arn }) : null;
      if (version) return { action: `iam:CreatePolicyVersion on boundary policy ${target.boundary.name}`, kind: 'create-policy-version', grant: version };
    }
    return this.removeDenies(editor, targetIndex, self);
  }

  /** Per target: 0 not yet judged, then bits of what an edit could do (1 judged, 2 boundary, 4 denies). */
  private targetFacts = new Uint8Array(0);

  private factsOf(index: number): number {
    let facts = this.targetFacts[index]!;
    if (facts === 0) {
      const target = this.nodes[index]!;
      facts = 1;
      if (target.boundary && target.kind !== 'group' && this.adminIfGranted(target, false) && analyzePrivilege(target.policies, target.scps).level === 'admin') facts |= 2;
      const denying = target.policies.filter((h) => h.document.statements.some((s) => s.effect === 'Deny'));
      if (denying.length > 0) {
        const rest = target.policies.filter((h) => !denying.includes(h));
        const guardrails: Guardrail[] = [...(target.boundary ? [{ name: target.boundary.name, documents: [target.boundary.document] }] : []), ...target.scps];
        if (analyzePrivilege(rest, guardrails).level === 'admin') facts |= 4;
      }
      this.targetFacts[index] = facts;
    }
    return facts;
  }

  /** The target's own policies make it admin once its permissions boundary is gone. */
  private boundaryHolds(index: number): boolean {
    return (this.factsOf(index) & 2) !== 0;
  }

  /**
   * Whether any edit could make the principal an administrator (what `elevation` asks of the target, whoever the
   * editor): its guardrails let `*` through, or removing its boundary or its Deny policies would leave it admin.
   */
  private elevatable(index: number): boolean {
    return this.adminIfGranted(this.nodes[index]!) || (this.factsOf(index) & 6) !== 0;
  }

  private removeDenies(editor: Authority, index: number, self: boolean): Edit | null {
    if ((this.factsOf(index) & 4) === 0) return null;
    const target = this.nodes[index]!;
    const denying = target.policies.filter((h) => h.document.statements.some((s) => s.effect === 'Deny'));
    const grants: Grant[] = [];
    const actions: string[] = [];
    for (const h of denying) {
      const k = h.owner.kind === 'user' ? 'User' : h.owner.kind === 'group' ? 'Group' : 'Role';
      const action = `iam:${h.arn ? 'Detach' : 'Delete'}${k}Policy`;
      const grant = editor.can(action, { arn: h.owner.arn }, h.arn ? { 'iam:policyarn': [h.arn] } : {});
      if (!grant) return null;
      grants.push(grant);
      actions.push(`${action} ${h.name}`);
    }
    return { action: `${[...new Set(actions)].join(' + ')} ${self ? 'on itself' : `on ${target.name}`}`, kind: 'remove-deny-policy', grant: joinGrants(...grants) };
  }

  /**
   * The nearest principal `start` can make an administrator, over become-edges (the kit's breadth-first search, which
   * judges each principal when first reached and never enters a node from which no such principal is reachable), with
   * the edit first and then the path to the principal edited.
   */
  private nearestEditable(start: number): { steps: PathStep[]; kind: string; grant: Grant } | null {
    const editor = this.authorities[start]!;
    const hopeful = this.hopeful();
    const listed = this.editable(start);
    if (listed?.size === 0) return null;
    const found = this.graph.nearest(start, (to) => (listed ? listed.get(to) ?? null : this.elevatable(to) ? this.elevation(editor, to) : null), hopeful);
    if (!found) return null;
    const { node, value: edit, route } = found;
    const steps: PathStep[] = [{ from: this.nodes[start]!.uid, action: edit.action, to: this.nodes[node]!.uid, kind: edit.kind, edit: true, ...stepFacts(edit.grant) }, ...this.graph.render(route)];
    return { steps, kind: edit.kind, grant: joinGrants(edit.grant, this.graph.grantAlong(route)) };
  }

  private hopefulNodes?: Uint8Array;
  /** Every principal some edit could make admin (set with the hopeful nodes). */
  private elevatableList: number[] = [];

  /**
   * Nodes from which some principal an edit could make admin is reachable (itself included): the search from an
   * editor never enters the others, which changes nothing it finds (every path to such a principal stays inside).
   * One breadth-first search over reversed become-edges from every such principal, made when first needed.
   */
  private hopeful(): Uint8Array {
    if (this.hopefulNodes) return this.hopefulNodes;
    this.elevatableList = this.nodes.map((_, n) => n).filter((n) => this.elevatable(n));
    this.hopefulNodes = this.graph.reaching(this.elevatableList);
    return this.hopefulNodes;
  }

  private partitions?: string[];

  /**
   * Whether some edit action could apply to some IAM resource at all, judged once for the editor: with the target
   * left open (narrow Deny statements and target-dependent conditions do not count against it), but with the
   * conditions the editor's identity and an attached admin policy decide (an `iam:PolicyARN` limited to read-only
   * policies, a date that has passed). False means no target can be made admin by this editor.
   */
  private editsAnything(editor: Authority): boolean {
    this.partitions ??= [...new Set(this.nodes.map((p) => p.partition))];
    return EDIT_ACTIONS.some((action) => editor.mentions(action) && this.partitions!.some((partition) => {
      const extra = action.startsWith('iam:Attach') ? { 'iam:policyarn': this.adminPolicyArns(partition) } : {};
      return editor.can(action, { someArn: true }, extra) !== null;
    }));
  }

  private holderIndex?: ArnIndex<number[]>;
  private memberIndex?: Map<number, number[]>;

  /**
   * Every principal other than itself that `start` can make an administrator with one edit, when its edit statements
   * name few enough: the principals their resource patterns name, the members of the groups they name, and the holders
   * of the managed or boundary policies they name (an edit acts on the target, a group it is in, or a policy it
   * holds), each judged. A statement naming every resource (`*`, NotResource) makes every principal an edit could
   * make admin a candidate. Undefined when the candidates are more than CANDIDATE_LIMIT; the search then judges each
   * principal it reaches.
   */
  private editable(start: number): Map<number, Edit> | undefined {
    const editor = this.authorities[start]!;
    if (!this.editsAnything(editor)) return new Map();
    const patterns = new Set<string>();
    for (const action of EDIT_ACTIONS) {
      if (!editor.mentions(action)) continue;
      const named = editor.resourcePatterns(action);
      // Every resource: the candidates are every principal an edit could make admin, if they are few.
      if (named === null) return this.elevatableList.length <= CANDIDATE_LIMIT ? this.judged(start, this.elevatableList) : undefined;
      for (const pattern of named) patterns.add(pattern);
    }
    if (!this.holderIndex || !this.memberIndex) {
      const holders = new Map<string, number[]>();
      const members = new Map<number, number[]>();
      this.nodes.forEach((p, n) => {
        const arns = new Set([...p.policies.map((h) => h.arn), p.boundary?.arn]);
        for (const arn of arns) if (arn !== undefined) (holders.get(arn) ?? holders.set(arn, []).get(arn)!).push(n);
        for (const g of p.groups ?? []) {
          const group = this.byUid.get(g);
          if (group !== undefined) (members.get(group) ?? members.set(group, []).get(group)!).push(n);
        }
      });
      this.holderIndex = new ArnIndex(holders);
      this.memberIndex = members;
    }
    const candidates = new Set<number>();
    for (const pattern of patterns) {
      const principals = this.byArn.match(pattern, CANDIDATE_LIMIT);
      const holders = this.holderIndex.match(pattern, CANDIDATE_LIMIT);
      if (!principals || !holders) return undefined;
      for (const n of principals) for (const c of [n, ...(this.memberIndex.get(n) ?? [])]) candidates.add(c);
      for (const list of holders) for (const c of list) candidates.add(c);
      if (candidates.size > CANDIDATE_LIMIT) return undefined;
    }
    return this.judged(start, candidates);
  }

  /** The edits `start` can make on each candidate other than itself, for those it can make admin. */
  private judged(start: number, candidates: Iterable<number>): Map<number, Edit> {
    const editor = this.authorities[start]!;
    const found = new Map<number, Edit>();
    for (const n of candidates) {
      const edit = n !== start && this.elevatable(n) ? this.elevation(editor, n) : null;
      if (edit) found.set(n, edit);
    }
    return found;
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
   * Grant power of the principals that cannot become an administrator themselves: one edit that makes another
   * principal of their own account an administrator (IAM acts only on its own account's identities), or adding users
   * to a group whose policies administer the account. Judged with the target's guardrails (its boundary and its
   * account's SCPs) and the editor's. Users and roles are preferred as targets over groups, then the lowest index, so
   * the reason is stable. Adds no edges: the graph and its paths stay as they are.
   */
  grantPowers(paths: Map<string, EscalationPath>): Map<string, GrantPower> {
    const result = new Map<string, GrantPower>();
    for (let i = 0; i < this.nodes.length; i++) {
      const editor = this.nodes[i]!;
      if (editor.admin || paths.has(editor.uid)) continue;
      const authority = this.authorities[i]!;
      const found = (this.mayEditOthers(authority) ? this.grantByEdit(i) : null) ?? this.grantByGroup(authority) ?? this.grantOfGrant(i);
      if (found) result.set(editor.uid, found);
    }
    return result;
  }

  private grantingPolicies?: ManagedPolicyFacts[];

  /** Managed policies that are not admin but allow an edit or iam:AddUserToGroup: what a grant of grant power hands over. */
  private granting(): ManagedPolicyFacts[] {
    this.grantingPolicies ??= [...this.managed.values()].filter((m) => !m.admin && m.document !== undefined && allowsGrant(m.document.statements));
    return this.grantingPolicies;
  }

  /**
   * A grant of grant power: `start` attaches a managed policy that grants power (not admin itself) to another
   * principal of its account, or adds another user to a group whose policies grant power, and that principal, holding
   * it under its own boundary and SCPs, can then make some principal an administrator. At most CANDIDATE_LIMIT
   * recipients are judged per editor and the recipient's power per statement set and policy is judged once, so the
   * work stays linear.
   */
  private grantOfGrant(start: number): GrantPower | null {
    const authority = this.authorities[start]!;
    const editor = this.nodes[start]!;
    let budget = CANDIDATE_LIMIT;
    const policies = this.granting();
    if (policies.length > 0) {
      for (const kind of ['user', 'role', 'group'] as const) {
        const action = `iam:Attach${kind === 'user' ? 'User' : kind === 'role' ? 'Role' : 'Group'}Policy`;
        if (!authority.mentions(action) || !authority.can(action, { someArn: true }, { 'iam:policyarn': policies.map((m) => m.arn) })) continue;
        // Statements naming every principal of the kind: one answer per policy for all recipients.
        const uniform = authority.uniformOver(action, kind, editor.account);
        const once = uniform ? policies.map((m) => authority.can(action, { arn: probeArn(editor.partition, kind, editor.account) }, { 'iam:policyarn': [m.arn] })) : null;
        for (const q of this.ofKind(kind, editor.account)) {
          if (q === start) continue;
          if (budget-- <= 0) return null;
          const recipient = this.nodes[q]!;
          for (const [k, m] of policies.entries()) {
            const grant = once ? once[k]! : authority.can(action, { arn: recipient.arn }, { 'iam:policyarn': [m.arn] });
            if (!grant) continue;
            const name = m.arn.split('/').at(-1)!;
            const onward = this.powerWith(q, [{ name, document: m.document!, arn: m.arn, owner: { kind, arn: recipient.arn } }], m.arn);
            if (onward) return this.chained(`${action} on ${recipient.name} (policy ${name})`, recipient, grant, onward);
          }
        }
      }
    }
    if (!authority.mentions('iam:AddUserToGroup')) return null;
    const users = this.ofKind('user', editor.account).filter((u) => u !== start);
    if (users.length === 0) return null;
    for (const g of this.ofKind('group', editor.account)) {
      const group = this.nodes[g]!;
      if (group.admin || !group.policies.some((h) => allowsGrant(h.document.statements))) continue;
      const grant = authority.can('iam:AddUserToGroup', { arn: group.arn });
      if (!grant) continue;
      for (const u of users) {
        if (budget-- <= 0) return null;
        const user = this.nodes[u]!;
        if (user.groups?.includes(group.uid)) continue;
        const onward = this.powerWith(u, group.policies, group.uid);
        if (onward) return this.chained(`iam:AddUserToGroup ${user.name} to group ${group.name}`, user, grant, onward);
      }
    }
    return null;
  }

  private chained(first: string, recipient: GraphPrincipal, grant: Grant, onward: GrantPower): GrantPower {
    const joined = joinGrants(grant, onward);
    return { text: `${first} -> ${recipient.name}: ${onward.text}`, target: onward.target, kind: onward.kind, via: recipient.uid, ...grantFacts(joined) };
  }

  private readonly powerCache = new WeakMap<Statements, Map<string, GrantPower | null>>();
  private readonly personalCache = new WeakMap<Statements, Map<string, boolean>>();
  /** Recipients of a grant of grant power judged afresh (not from the cache), for the scale tests. */
  recipientsJudged = 0;

  /**
   * The grant power principal `q` would have once it also holds `added`: one edit that makes a principal of its
   * account (itself included) an administrator, or adding users to an admin group. Judged once per statement set and
   * added policies.
   */
  private powerWith(q: number, added: HeldPolicy[], key: string): GrantPower | null {
    const own = this.authorities[q]!;
    let cache = this.powerCache.get(own.statements);
    if (!cache) this.powerCache.set(own.statements, (cache = new Map()));
    // Who holds the statements matters only to conditions and policy variables: without them one answer serves every
    // holder, unless the answer is an edit on the holder itself.
    let personal = this.personalCache.get(own.statements)?.get(key);
    if (personal === undefined) {
      personal = [...own.statements.identity, ...own.statements.layers.flat(), ...added.flatMap((h) => h.document.statements)].some((st) => (st.condition != null && Object.keys(st.condition).length > 0) || (st.resources ?? []).some((r) => r.includes('${')));
      if (!this.personalCache.has(own.statements)) this.personalCache.set(own.statements, new Map());
      this.personalCache.get(own.statements)!.set(key, personal);
    }
    const memoKey = personal ? `${key}|${own.principal.uid}` : key;
    const known = cache.get(memoKey);
    if (known === null || (known && known.target !== own.principal.uid && !personal) || (known && personal)) return known;
    const base = this.nodes[q]!;
    this.recipientsJudged++;
    const holder: GraphPrincipal = { ...base, policies: [...base.policies, ...added], admin: false };
    const authority = new Authority(holder, statementsOf(holder));
    let found: GrantPower | null = null;
    if (this.mayEditOthers(authority)) {
      this.hopeful();
      let budget = CANDIDATE_LIMIT;
      const order = [q, ...this.elevatableList.filter((n) => n !== q && this.nodes[n]!.kind !== 'group'), ...this.elevatableList.filter((n) => n !== q && this.nodes[n]!.kind === 'group')];
      for (const n of order) {
        if (this.nodes[n]!.account !== base.account || !this.elevatable(n)) continue;
        if (budget-- <= 0) break;
        const edit = this.elevation(authority, n);
        if (!edit) continue;
        const target = this.nodes[n]!;
        const text = edit.action.includes(target.name) || n === q ? edit.action : `${edit.action} (for ${target.name})`;
        found = { text, target: target.uid, kind: edit.kind, ...grantFacts(edit.grant) };
        break;
      }
    }
    found ??= this.grantByGroup(authority);
    if (personal || found?.target !== base.uid) cache.set(memoKey, found);
    return found;
  }

  private grantByEdit(start: number): GrantPower | null {
    this.hopeful();
    const editor = this.authorities[start]!;
    const own = (n: number) => n !== start;
    const listed = this.editable(start);
    const order = (list: number[]) => [...list.filter((n) => this.nodes[n]!.kind !== 'group'), ...list.filter((n) => this.nodes[n]!.kind === 'group')];
    let edit: { node: number; edit: Edit } | null = null;
    if (listed) {
      for (const n of order([...listed.keys()].filter(own).sort((a, b) => a - b))) {
        edit = { node: n, edit: listed.get(n)! };
        break;
      }
    } else {
      for (const n of order(this.elevatableList.filter(own))) {
        const found = this.elevation(editor, n);
        if (found) {
          edit = { node: n, edit: found };
          break;
        }
      }
    }
    if (!edit) return null;
    const target = this.nodes[edit.node]!;
    const text = edit.edit.action.includes(target.name) ? edit.edit.action : `${edit.edit.action} (for ${target.name})`;
    return { text, target: target.uid, kind: edit.edit.kind, ...grantFacts(edit.edit.grant) };
  }

  private grantByGroup(authority: Authority): GrantPower | null {
    if (!authority.mentions('iam:AddUserToGroup')) return null;
    const account = authority.principal.account;
    for (const g of this.ofKind('group', account)) {
      const group = this.nodes[g]!;
      if (!group.admin) continue;
      const grant = authority.can('iam:AddUserToGroup', { arn: group.arn });
      if (grant) return { text: `iam:AddUserToGroup on group ${group.name}, which holds administrator access`, target: group.uid, kind: 'add-user-to-group', ...grantFacts(grant) };
    }
    return null;
  }

  /** Number of edges, for benchmarks. */
  get size(): { nodes: number; edges: number; hubs: number } {
    return this.graph.size;
  }
}

function grantFacts(grant: Grant): Pick<GrantPower, 'conditions' | 'mfa'> {
  return { conditions: grant.conditions, mfa: grant.mfa };
}


/** Each principal's shortest path to admin, and the grant power of those without one (one graph for both). */
export function privilegeReach(principals: GraphPrincipal[], managed: Map<string, ManagedPolicyFacts>): { paths: Map<string, EscalationPath>; grants: Map<string, GrantPower> } {
  const graph = new PrivilegeGraph(principals, managed);
  const paths = graph.paths();
  return { paths, grants: graph.grantPowers(paths) };
}
