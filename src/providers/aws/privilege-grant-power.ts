/**
 * Grant power: what a principal that cannot become an administrator can do to make another principal one (an edit on
 * another principal of its account, adding users to an admin group, or handing a third principal that power).
 */
import { joinGrants, type EscalationPath, type Grant } from '../privilege/index.js';
import { Authority, probeArn, statementsOf, type Statements } from './privilege-authority.js';
import { CANDIDATE_LIMIT, type Edit, type PolicyEdits } from './privilege-edits.js';
import type { GraphPrincipal, HeldPolicy, ManagedPolicyFacts, PrincipalSet } from './privilege-principals.js';
import { allowsGrant } from './privilege-rules.js';

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

/** Finds the grant power of principals without a path to admin, with the policy edits the graph judges. */
export class GrantPowers {
  private readonly nodes: GraphPrincipal[];
  private readonly managed: Map<string, ManagedPolicyFacts>;
  private readonly authorities: Authority[];

  constructor(
    private readonly principals: PrincipalSet,
    private readonly edits: PolicyEdits,
  ) {
    ({ nodes: this.nodes, managed: this.managed, authorities: this.authorities } = principals);
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
      const found =
        (this.edits.mayEditOthers(authority) ? this.grantByEdit(i) : null) ??
        this.grantByGroup(authority) ??
        this.grantOfGrant(i);
      if (found) result.set(editor.uid, found);
    }
    return result;
  }

  private grantingPolicies?: ManagedPolicyFacts[];

  /** Managed policies that are not admin but allow an edit or iam:AddUserToGroup: what a grant of grant power hands over. */
  private granting(): ManagedPolicyFacts[] {
    this.grantingPolicies ??= [...this.managed.values()].filter(
      (m) => !m.admin && m.document !== undefined && allowsGrant(m.document.statements),
    );
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
        if (
          !authority.mentions(action) ||
          !authority.can(action, { someArn: true }, { 'iam:policyarn': policies.map((m) => m.arn) })
        )
          continue;
        // Statements naming every principal of the kind: one answer per policy for all recipients.
        const uniform = authority.uniformOver(action, kind, editor.account);
        const once = uniform
          ? policies.map((m) =>
              authority.can(
                action,
                { arn: probeArn(editor.partition, kind, editor.account) },
                { 'iam:policyarn': [m.arn] },
              ),
            )
          : null;
        for (const q of this.principals.ofKind(kind, editor.account)) {
          if (q === start) continue;
          if (budget-- <= 0) return null;
          const recipient = this.nodes[q]!;
          for (const [k, m] of policies.entries()) {
            const grant = once ? once[k]! : authority.can(action, { arn: recipient.arn }, { 'iam:policyarn': [m.arn] });
            if (!grant) continue;
            const name = m.arn.split('/').at(-1)!;
            const onward = this.powerWith(
              q,
              [{ name, document: m.document!, arn: m.arn, owner: { kind, arn: recipient.arn } }],
              m.arn,
            );
            if (onward)
              return this.chained(`${action} on ${recipient.name} (policy ${name})`, recipient, grant, onward);
          }
        }
      }
    }
    if (!authority.mentions('iam:AddUserToGroup')) return null;
    const users = this.principals.ofKind('user', editor.account).filter((u) => u !== start);
    if (users.length === 0) return null;
    for (const g of this.principals.ofKind('group', editor.account)) {
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
    return {
      text: `${first} -> ${recipient.name}: ${onward.text}`,
      target: onward.target,
      kind: onward.kind,
      via: recipient.uid,
      ...grantFacts(joined),
    };
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
      personal = [
        ...own.statements.identity,
        ...own.statements.layers.flat(),
        ...added.flatMap((h) => h.document.statements),
      ].some(
        (st) =>
          (st.condition != null && Object.keys(st.condition).length > 0) ||
          (st.resources ?? []).some((r) => r.includes('${')),
      );
      if (!this.personalCache.has(own.statements)) this.personalCache.set(own.statements, new Map());
      this.personalCache.get(own.statements)!.set(key, personal);
    }
    const memoKey = personal ? `${key}|${own.principal.uid}` : key;
    const known = cache.get(memoKey);
    if (known === null || (known && known.target !== own.principal.uid && !personal) || (known && personal))
      return known;
    const base = this.nodes[q]!;
    this.recipientsJudged++;
    const holder: GraphPrincipal = { ...base, policies: [...base.policies, ...added], admin: false };
    const authority = new Authority(holder, statementsOf(holder));
    let found: GrantPower | null = null;
    if (this.edits.mayEditOthers(authority)) {
      let budget = CANDIDATE_LIMIT;
      const order = [
        q,
        ...this.edits.elevatableList.filter((n) => n !== q && this.nodes[n]!.kind !== 'group'),
        ...this.edits.elevatableList.filter((n) => n !== q && this.nodes[n]!.kind === 'group'),
      ];
      for (const n of order) {
        if (this.nodes[n]!.account !== base.account || !this.edits.elevatable(n)) continue;
        if (budget-- <= 0) break;
        const edit = this.edits.elevation(authority, n);
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
    const editor = this.authorities[start]!;
    const own = (n: number) => n !== start;
    const listed = this.edits.editable(start);
    const order = (list: number[]) => [
      ...list.filter((n) => this.nodes[n]!.kind !== 'group'),
      ...list.filter((n) => this.nodes[n]!.kind === 'group'),
    ];
    let edit: { node: number; edit: Edit } | null = null;
    if (listed) {
      for (const n of order([...listed.keys()].filter(own).sort((a, b) => a - b))) {
        edit = { node: n, edit: listed.get(n)! };
        break;
      }
    } else {
      for (const n of order(this.edits.elevatableList.filter(own))) {
        const found = this.edits.elevation(editor, n);
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
    for (const g of this.principals.ofKind('group', account)) {
      const group = this.nodes[g]!;
      if (!group.admin) continue;
      const grant = authority.can('iam:AddUserToGroup', { arn: group.arn });
      if (grant)
        return {
          text: `iam:AddUserToGroup on group ${group.name}, which holds administrator access`,
          target: group.uid,
          kind: 'add-user-to-group',
          ...grantFacts(grant),
        };
    }
    return null;
  }
}

function grantFacts(grant: Grant): Pick<GrantPower, 'conditions' | 'mfa'> {
  return { conditions: grant.conditions, mfa: grant.mfa };
}
