/**
 * Policy edits that make a principal an administrator: attaching or writing a policy on it (or a group it is in),
 * publishing or selecting an admin version of a managed policy it holds, removing its permissions boundary or the
 * policies that carry its Deny statements; judged with the editor's authority and the target's guardrails.
 */
import { joinGrants, type Grant } from '../privilege/index.js';
import { ArnIndex } from './arn-index.js';
import { parsePolicyDocument } from './policy-document.js';
import { analyzePrivilege, type Guardrail } from './privilege.js';
import type { Authority } from './privilege-authority.js';
import type { GraphPrincipal, ManagedPolicyFacts, PrincipalSet } from './privilege-principals.js';
import { EDIT_ACTIONS } from './privilege-rules.js';

/** An edit that makes a principal an administrator: the action as the path shows it, its edge kind and grant. */
export interface Edit {
  action: string;
  kind: string;
  grant: Grant;
}

/** Above this many candidates an editor's targets are judged as the search reaches them instead of listed first. */
export const CANDIDATE_LIMIT = 256;

const ADMIN_DOCUMENT = parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

/** Judges, per editor and target, the edit that makes the target an administrator; memoizes what depends on the target alone. */
export class PolicyEdits {
  private readonly nodes: GraphPrincipal[];
  private readonly managed: Map<string, ManagedPolicyFacts>;
  private readonly byUid: Map<string, number>;
  private readonly byArn: ArnIndex<number>;
  private readonly authorities: Authority[];
  private readonly adminIfGrantedCache = new Map<string, boolean>();
  private elevatables?: number[];

  constructor(principals: PrincipalSet) {
    ({
      nodes: this.nodes,
      managed: this.managed,
      byUid: this.byUid,
      byArn: this.byArn,
      authorities: this.authorities,
    } = principals);
    this.targetFacts = new Uint8Array(principals.nodes.length);
  }

  /** Every principal some edit could make admin, in node order. */
  get elevatableList(): number[] {
    this.elevatables ??= this.nodes.map((_, n) => n).filter((n) => this.elevatable(n));
    return this.elevatables;
  }

  /** Whether a principal with these guardrails would be an administrator once handed `*` on `*`. */
  private adminIfGranted(target: GraphPrincipal, withBoundary = true): boolean {
    const guardrails: Guardrail[] = [
      ...(withBoundary && target.boundary
        ? [{ name: target.boundary.name, documents: [target.boundary.document] }]
        : []),
      ...target.scps,
    ];
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
  adminPolicyArns(partition: string): string[] {
    let found = this.adminArns.get(partition);
    if (!found) {
      found = [
        `arn:${partition}:iam::aws:policy/AdministratorAccess`,
        ...[...this.managed.values()].filter((m) => m.admin).map((m) => m.arn),
      ];
      this.adminArns.set(partition, found);
    }
    return found;
  }

  /** Quick filter: does the principal hold any policy-editing action at all? */
  mayEditOthers(authority: Authority): boolean {
    return authority.edits(EDIT_ACTIONS);
  }

  /**
   * The edit by `editor` that makes `target` an administrator, if any: attach or write a policy on it (or on a group
   * it is in), publish or select an admin version of a managed policy it holds, remove its permissions boundary,
   * or remove the policies that carry its Deny statements.
   */
  elevation(editor: Authority, targetIndex: number): Edit | null {
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
        if (group !== undefined)
          holders.push({
            p: this.nodes[group]!,
            how: `on group ${this.nodes[group]!.name}${self ? ', which it is in' : ''}`,
          });
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
        if (grant)
          return {
            action: `iam:CreatePolicyVersion on policy ${name}${self ? ', which it holds' : ` held by ${target.name}`}`,
            kind: 'create-policy-version',
            grant,
          };
        if (facts.adminVersion) {
          const older = editor.can('iam:SetDefaultPolicyVersion', { arn });
          if (older)
            return {
              action: `iam:SetDefaultPolicyVersion on policy ${name}${self ? ', which it holds' : ` held by ${target.name}`}`,
              kind: 'set-default-policy-version',
              grant: older,
            };
        }
      }
    }
    if (target.boundary && this.boundaryHolds(targetIndex)) {
      for (const verb of ['Delete', 'Put']) {
        const action = `iam:${verb}${kindName}PermissionsBoundary`;
        const grant = editor.can(action, { arn: target.arn });
        if (grant)
          return { action: `${action} ${on(target.name)}`, kind: `${verb.toLowerCase()}-permissions-boundary`, grant };
      }
      const facts = this.managed.get(target.boundary.arn);
      const version =
        facts && !facts.awsManaged ? editor.can('iam:CreatePolicyVersion', { arn: target.boundary.arn }) : null;
      if (version)
        return {
          action: `iam:CreatePolicyVersion on boundary policy ${target.boundary.name}`,
          kind: 'create-policy-version',
          grant: version,
        };
    }
    return this.removeDenies(editor, targetIndex, self);
  }

  /** Per target: 0 not yet judged, then bits of what an edit could do (1 judged, 2 boundary, 4 denies). */
  private readonly targetFacts: Uint8Array;

  private factsOf(index: number): number {
    let facts = this.targetFacts[index]!;
    if (facts === 0) {
      const target = this.nodes[index]!;
      facts = 1;
      if (
        target.boundary &&
        target.kind !== 'group' &&
        this.adminIfGranted(target, false) &&
        analyzePrivilege(target.policies, target.scps).level === 'admin'
      )
        facts |= 2;
      const denying = target.policies.filter((h) => h.document.statements.some((s) => s.effect === 'Deny'));
      if (denying.length > 0) {
        const rest = target.policies.filter((h) => !denying.includes(h));
        const guardrails: Guardrail[] = [
          ...(target.boundary ? [{ name: target.boundary.name, documents: [target.boundary.document] }] : []),
          ...target.scps,
        ];
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
  elevatable(index: number): boolean {
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
    return {
      action: `${[...new Set(actions)].join(' + ')} ${self ? 'on itself' : `on ${target.name}`}`,
      kind: 'remove-deny-policy',
      grant: joinGrants(...grants),
    };
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
    return EDIT_ACTIONS.some(
      (action) =>
        editor.mentions(action) &&
        this.partitions!.some((partition) => {
          const extra = action.startsWith('iam:Attach') ? { 'iam:policyarn': this.adminPolicyArns(partition) } : {};
          return editor.can(action, { someArn: true }, extra) !== null;
        }),
    );
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
  editable(start: number): Map<number, Edit> | undefined {
    const editor = this.authorities[start]!;
    if (!this.editsAnything(editor)) return new Map();
    const patterns = new Set<string>();
    for (const action of EDIT_ACTIONS) {
      if (!editor.mentions(action)) continue;
      const named = editor.resourcePatterns(action);
      // Every resource: the candidates are every principal an edit could make admin, if they are few.
      if (named === null)
        return this.elevatableList.length <= CANDIDATE_LIMIT ? this.judged(start, this.elevatableList) : undefined;
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
}
