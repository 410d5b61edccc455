/**
 * The principals an AWS escalation graph is built over, indexed for its rules: by uid, by ARN (resource patterns with a
 * literal prefix), by kind and account, each with the Authority that judges what it may do.
 */
import { ArnIndex } from './arn-index.js';
import type { PolicyDocument } from './policy-document.js';
import type { Guardrail, NamedPolicy } from './privilege.js';
import { Authority, DocumentIds, statementsKey, statementsOf, type Statements } from './privilege-authority.js';

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

/** The principals of one graph with their indices and authorities, built once and shared by the AWS rules. */
export class PrincipalSet {
  readonly byUid = new Map<string, number>();
  readonly authorities: Authority[] = [];
  /** Node indices by ARN, for resource patterns with a literal prefix. */
  readonly byArn: ArnIndex<number>;

  constructor(
    readonly nodes: GraphPrincipal[],
    readonly managed: Map<string, ManagedPolicyFacts>,
  ) {
    const shared = new Map<string, Statements>();
    const ids = new DocumentIds();
    nodes.forEach((p, i) => {
      this.byUid.set(p.uid, i);
      // Principals whose policies read the same share one statement set (and its per-action coverage).
      const key = statementsKey(p, ids);
      let statements = shared.get(key);
      if (!statements) {
        statements = statementsOf(p);
        shared.set(key, statements);
      }
      this.authorities.push(new Authority(p, statements));
    });
    this.byArn = new ArnIndex(nodes.map((p, i) => [p.arn, i] as const));
  }

  /**
   * The principals an action's resource patterns can name, among those `accept` admits: exact ARNs by lookup, wildcard
   * patterns by their literal prefix in the ARN-sorted index (so `role/team-*` never scans every principal).
   */
  targetsOf(authority: Authority, action: string, pool: readonly number[], accept: (n: number) => boolean): number[] {
    const patterns = authority.resourcePatterns(action);
    return patterns === null ? pool.filter(accept) : this.named(patterns, accept);
  }

  /** The principals a list of ARN patterns names, among those `accept` admits, by the ARN-sorted index. */
  named(patterns: readonly string[], accept: (n: number) => boolean): number[] {
    const out = new Set<number>();
    for (const pattern of patterns) for (const n of this.byArn.match(pattern)!) if (accept(n)) out.add(n);
    return [...out];
  }

  readonly kindLists = new Map<string, number[]>();

  /** The principals of one kind in one account. */
  ofKind(kind: GraphPrincipal['kind'], account: string): number[] {
    const key = `${kind}:${account}`;
    let found = this.kindLists.get(key);
    if (!found) {
      found = this.nodes
        .map((_, n) => n)
        .filter((n) => this.nodes[n]!.kind === kind && this.nodes[n]!.account === account);
      this.kindLists.set(key, found);
    }
    return found;
  }
}
