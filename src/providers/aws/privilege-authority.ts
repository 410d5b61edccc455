/**
 * What one IAM principal may do: its identity policies judged with its permissions boundary and SCPs against a
 * target ARN (resource awareness) and with conditions evaluated at the snapshot's time (condition awareness;
 * undecidable ones are kept and named). Principals whose policies read the same share one statement set, so the work
 * per action is done once per distinct set.
 */
import { betterGrant as better, joinGrants, type Grant } from '../privilege/index.js';
import { evaluateCondition, type ConditionContext } from './conditions.js';
import { statementCoversAction, wildcardMatch, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import type { GraphPrincipal } from './privilege-principals.js';

/** A resource the caller acts on: one ARN, "some resource of this service" (existing compute not in the snapshot), or any resource at all (a first filter). */
export type Target = { arn: string } | { service: string } | { someArn: true };

function substitute(pattern: string, principal: GraphPrincipal): string {
  if (!pattern.includes('${')) return pattern;
  return pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const key = name.toLowerCase();
    if (key === '*' || key === '?' || key === '$') return key;
    if (key === 'aws:username')
      return principal.kind === 'role' ? '\u0000' : principal.kind === 'group' ? 'member-of-group' : principal.name;
    if (key === 'aws:principalaccount') return principal.account;
    return '*';
  });
}

/**
 * The ARN of a principal of the kind in the account with an empty name: a pattern ending in `*` that matches it matches
 * every principal of the kind there (`*`, `arn:aws:iam::*:role/*`), while `role/c*` or `role/*-admin` do not.
 */
export function probeArn(partition: string, kind: string, account: string): string {
  return `arn:${partition}:iam::${account}:${kind}/`;
}

/** Whether a statement names every principal of one kind in one account (the probe ARN of that kind). */
function namesEvery(statement: PolicyStatement, probe: string): boolean {
  const resources = statement.resources ?? [];
  return (
    !statement.notResources &&
    !resources.some((r) => r.includes('${')) &&
    resources.some((r) => r.endsWith('*') && wildcardMatch(r, probe, false))
  );
}

function serviceOf(arnPattern: string): string | undefined {
  return arnPattern.split(':')[2];
}

/** Statements of one policy set that cover an action, split by effect, per guardrail layer. Shared by principals. */
interface Coverage {
  allow: PolicyStatement[];
  deny: PolicyStatement[];
  layers: Array<{ allow: PolicyStatement[]; deny: PolicyStatement[] }>;
  /** Every covering statement reaches every resource: the answer is the same for any target. */
  uniform: boolean;
}

export interface Statements {
  identity: PolicyStatement[];
  layers: PolicyStatement[][];
  coverage: Map<string, Coverage>;
  /** Answers that do not depend on which principal holds the statements (no conditions, no policy variables). */
  memo: Map<string, unknown>;
  /** Whether the Allow statements name any policy-editing action. */
  edits?: boolean;
}

/** Judges what one principal may do, with its policies, boundary and SCPs. */
export class Authority {
  private readonly base: ConditionContext;

  constructor(
    readonly principal: GraphPrincipal,
    readonly statements: Statements,
  ) {
    const type = principal.kind === 'role' ? 'AssumedRole' : 'User';
    this.base = {
      'aws:principalarn': [principal.arn],
      'aws:principalaccount': [principal.account],
      'aws:principaltype': [type],
      'aws:currenttime': [principal.now],
      'aws:epochtime': [String(Math.floor(Date.parse(principal.now) / 1000))],
      'aws:tokenissuetime': [principal.now],
      ...(principal.kind === 'user' ? { 'aws:username': [principal.name] } : {}),
    };
  }

  private coverage(action: string): Coverage {
    let found = this.statements.coverage.get(action);
    if (!found) {
      const split = (list: PolicyStatement[]) => ({
        allow: list.filter((s) => s.effect === 'Allow' && statementCoversAction(s, action)),
        deny: list.filter((s) => s.effect === 'Deny' && statementCoversAction(s, action)),
      });
      const own = split(this.statements.identity);
      const layers = this.statements.layers.map(split);
      const all = [own, ...layers].flatMap((l) => [...l.allow, ...l.deny]);
      const uniform = all.every(
        (s) =>
          !s.notResources && (s.resources ?? []).includes('*') && !(s.resources ?? []).some((r) => r.includes('${')),
      );
      found = { ...own, layers, uniform };
      this.statements.coverage.set(action, found);
    }
    return found;
  }

  /** Whether any statement could allow the action at all (a cheap filter before per-target work). */
  mentions(action: string): boolean {
    return this.coverage(action).allow.length > 0;
  }

  /**
   * Whether the answer is the same for every principal of one kind in one account: each statement that covers the
   * action names all of them (`*`, `arn:aws:iam::*:user/*`, ...), so one edge to a hub replaces one edge per target.
   */
  uniformOver(action: string, kind: 'user' | 'role' | 'group', account: string): boolean {
    const coverage = this.coverage(action);
    if (coverage.uniform) return true;
    const probe = probeArn(this.principal.partition, kind, account);
    const key = `uniform:${action}:${probe}`;
    const memo = this.statements.memo;
    if (!memo.has(key)) {
      const all = [...coverage.allow, ...coverage.deny, ...coverage.layers.flatMap((l) => [...l.allow, ...l.deny])];
      memo.set(
        key,
        all.every((st) => namesEvery(st, probe)),
      );
    }
    return memo.get(key) as boolean;
  }

  /**
   * When only some Allow statements for an action name every principal of a kind (say `iam:CreateAccessKey` on
   * `user/*` beside a self-service `user/${aws:username}`) and every Deny and guardrail statement names them all too:
   * the resource patterns (variables filled in) of the narrower Allow statements, so the caller needs one edge to the
   * hub plus edges to the targets those patterns name. Null when the statements do not split that way.
   */
  hubRemainder(action: string, kind: 'user' | 'role' | 'group', account: string): string[] | null {
    const coverage = this.coverage(action);
    const probe = probeArn(this.principal.partition, kind, account);
    const key = `split:${action}:${probe}`;
    const memo = this.statements.memo;
    let narrow = memo.get(key) as PolicyStatement[] | null | undefined;
    if (narrow === undefined) {
      const names = (st: PolicyStatement) => namesEvery(st, probe);
      const guards = [...coverage.deny, ...coverage.layers.flatMap((l) => [...l.allow, ...l.deny])];
      const rest = coverage.allow.filter((st) => !names(st));
      narrow =
        guards.every(names) && rest.length < coverage.allow.length && rest.every((st) => !st.notResources)
          ? rest
          : null;
      memo.set(key, narrow);
    }
    return narrow === null
      ? null
      : narrow.flatMap((st) => (st.resources ?? []).map((r) => substitute(r, this.principal)));
  }

  /** The resource patterns (variables filled in) the Allow statements for an action name; null: any resource. */
  resourcePatterns(action: string): string[] | null {
    const patterns: string[] = [];
    for (const s of this.coverage(action).allow) {
      if (s.notResources) return null;
      for (const r of s.resources ?? []) {
        if (r === '*') return null;
        patterns.push(substitute(r, this.principal));
      }
    }
    return patterns;
  }

  private matches(statement: PolicyStatement, target: Target, forDeny: boolean): boolean {
    // Some resource not yet known: any Allow may name it, only a Deny of every resource surely does.
    if ('someArn' in target) return forDeny ? (statement.resources ?? []).includes('*') : true;
    if ('service' in target) {
      if (statement.notResources) return !forDeny;
      return (statement.resources ?? []).some(
        (r) => r === '*' || (!forDeny && wildcardMatch(serviceOf(r) ?? '', target.service)),
      );
    }
    const test = (pattern: string) => wildcardMatch(substitute(pattern, this.principal), target.arn, false);
    if (statement.notResources) return !statement.notResources.some(test);
    return (statement.resources ?? []).some(test);
  }

  /** The grant of `action` on `target` after Deny, boundary and SCPs; null when not allowed. */
  can(action: string, target: Target, extra: ConditionContext = {}): Grant | null {
    const coverage = this.coverage(action);
    if (coverage.allow.length === 0) return null;
    const context = { ...this.base, ...extra };
    let best: Grant | null = null;
    for (const s of coverage.allow) {
      if (!this.matches(s, target, false)) continue;
      const verdict = evaluateCondition(s.condition, context);
      if (verdict.holds === false) continue;
      best = better(best, { conditions: verdict.undecided, mfa: verdict.mfa === 'present' });
    }
    if (!best) return null;
    for (const layer of coverage.layers) {
      const allowed = layer.allow.some(
        (s) => this.matches(s, target, false) && evaluateCondition(s.condition, context).holds !== false,
      );
      if (!allowed) return null;
    }
    for (const s of [...coverage.deny, ...coverage.layers.flatMap((l) => l.deny)]) {
      if (!this.matches(s, target, true)) continue;
      const verdict = evaluateCondition(s.condition, context);
      if (verdict.holds !== true) continue; // a Deny that may not apply does not narrow
      if (verdict.mfa === 'absent') best = { ...best, mfa: true };
      else if (verdict.mfa === 'present') {
        if (best.mfa) return null;
      } else return null;
    }
    return best;
  }

  /** All of the actions (each group: any one of them) on some resource of their service. */
  canAll(groups: string[][]): { grant: Grant; actions: string[] } | null {
    const key = groups.map((g) => g.join(',')).join(';');
    const memo = this.statements.memo;
    if (memo.has(key)) return memo.get(key) as ReturnType<Authority['canAll']>;
    const result = this.canAllNow(groups);
    const independent = groups.flat().every((a) => {
      const c = this.coverage(a);
      return [...c.allow, ...c.deny, ...c.layers.flatMap((l) => [...l.allow, ...l.deny])].every(
        (st) => !st.condition && !(st.resources ?? []).some((r) => r.includes('${')),
      );
    });
    if (independent) memo.set(key, result);
    return result;
  }

  /** Whether these statements allow any policy-editing action (memoized per statement set). */
  edits(actions: readonly string[]): boolean {
    this.statements.edits ??= actions.some((a) => this.mentions(a));
    return this.statements.edits;
  }

  private canAllNow(groups: string[][]): { grant: Grant; actions: string[] } | null {
    const grants: Grant[] = [];
    const actions: string[] = [];
    for (const group of groups) {
      let chosen: { grant: Grant; action: string } | null = null;
      for (const action of group) {
        const grant = this.can(action, { service: action.split(':')[0]! });
        if (grant && (!chosen || better(chosen.grant, grant) === grant)) chosen = { grant, action };
        if (grant && grant.conditions.length === 0 && !grant.mfa) break;
      }
      if (!chosen) return null;
      grants.push(chosen.grant);
      actions.push(chosen.action);
    }
    return { grant: joinGrants(...grants), actions };
  }
}

/**
 * A small id per distinct document content within one graph, so equal inline policies of many principals share work.
 * Each graph has its own: a process that builds many (a service auditing many accounts) keeps no policy text once
 * their graphs are gone.
 */
export class DocumentIds {
  private readonly byDocument = new WeakMap<PolicyDocument, number>();
  private readonly byContent = new Map<string, number>();

  of(document: PolicyDocument): number {
    let id = this.byDocument.get(document);
    if (id === undefined) {
      const text = JSON.stringify(document.statements);
      id = this.byContent.get(text);
      if (id === undefined) {
        id = this.byContent.size + 1;
        this.byContent.set(text, id);
      }
      this.byDocument.set(document, id);
    }
    return id;
  }
}

/** A principal's statement set: its identity statements and one layer per guardrail (its boundary, each level of SCPs). */
export function statementsOf(p: GraphPrincipal): Statements {
  return {
    identity: p.policies.flatMap((h) => h.document.statements),
    layers: [
      ...(p.boundary ? [p.boundary.document.statements] : []),
      ...p.scps.map((g) => g.documents.flatMap((d) => d.statements)),
    ],
    coverage: new Map(),
    memo: new Map(),
  };
}

/** Equal for principals whose policies, boundary and SCPs read the same: they share one statement set. */
export function statementsKey(p: GraphPrincipal, ids: DocumentIds): string {
  const id = (document: PolicyDocument) => ids.of(document);
  return `${p.policies.map((h) => id(h.document)).join('|')}#${p.boundary ? id(p.boundary.document) : ''}#${p.scps.map((g) => g.documents.map(id).join('|')).join('/')}`;
}
