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
import { ArnIndex } from './arn-index.js';
import { evaluateCondition, type ConditionContext } from './conditions.js';
import { parsePolicyDocument, statementCoversAction, wildcardMatch, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import { analyzePrivilege, type Guardrail, type NamedPolicy } from './privilege.js';

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

export interface PathStep {
  /** uid of the principal taking the step. */
  from: string;
  /** e.g. `sts:AssumeRole`, `iam:AttachRolePolicy on itself`, `iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction`. */
  action: string;
  /** uid reached (for an edit: the principal edited), or `admin`. */
  to: string;
  /** Edge kind, e.g. `assume-role`, `pass-role-lambda`, `attach-role-policy`. */
  kind: string;
  /** The step edits a principal's permissions (its action names the target) rather than moving to it. */
  edit?: true;
  /** Conditions the step rests on that the snapshot cannot decide. */
  conditions?: string[];
  /** The step needs an MFA-authenticated session. */
  mfa?: boolean;
  /** What the step assumes, e.g. that the compute's role is not in the snapshot. */
  note?: string;
}

export interface EscalationPath {
  steps: PathStep[];
  /** `ci-runner -> sts:AssumeRole deploy -> iam:AttachRolePolicy on itself -> admin`. */
  text: string;
  /** Edge kinds along the path, e.g. `assume-role`, `attach-role-policy`. */
  kinds: string[];
  conditions: string[];
  mfa: boolean;
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

interface Grant {
  conditions: string[];
  mfa: boolean;
}

/** An edit that makes a principal an administrator: the action as the path shows it, its edge kind and grant. */
interface Edit {
  action: string;
  kind: string;
  grant: Grant;
}

/** Above this many candidates an editor's targets are judged as the search reaches them instead of listed first. */
const CANDIDATE_LIMIT = 256;

/** A resource the caller acts on: one ARN, "some resource of this service" (existing compute not in the snapshot), or any resource at all (a first filter). */
type Target = { arn: string } | { service: string } | { someArn: true };

const ADMIN_DOCUMENT = parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

function joinGrants(...grants: Grant[]): Grant {
  return { conditions: [...new Set(grants.flatMap((g) => g.conditions))], mfa: grants.some((g) => g.mfa) };
}

/** How much a grant rests on: undecided conditions weigh more than MFA; 0 is unconditional. */
function score(g: Grant): number {
  return g.conditions.length * 2 + (g.mfa ? 1 : 0);
}

function better(a: Grant | null, b: Grant): Grant {
  if (!a) return b;
  return score(b) < score(a) ? b : a;
}

const UNCONDITIONAL: Grant = { conditions: [], mfa: false };

function substitute(pattern: string, principal: GraphPrincipal): string {
  if (!pattern.includes('${')) return pattern;
  return pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const key = name.toLowerCase();
    if (key === '*' || key === '?' || key === '$') return key;
    if (key === 'aws:username') return principal.kind === 'role' ? '\u0000' : principal.kind === 'group' ? 'member-of-group' : principal.name;
    if (key === 'aws:principalaccount') return principal.account;
    return '*';
  });
}

/**
 * The ARN of a principal of the kind in the account with an empty name: a pattern ending in `*` that matches it matches
 * every principal of the kind there (`*`, `arn:aws:iam::*:role/*`), while `role/c*` or `role/*-admin` do not.
 */
function probeArn(partition: string, kind: string, account: string): string {
  return `arn:${partition}:iam::${account}:${kind}/`;
}

/** Whether a statement names every principal of one kind in one account (the probe ARN of that kind). */
function namesEvery(statement: PolicyStatement, probe: string): boolean {
  const resources = statement.resources ?? [];
  return !statement.notResources && !resources.some((r) => r.includes('${')) && resources.some((r) => r.endsWith('*') && wildcardMatch(r, probe, false));
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

interface Statements {
  identity: PolicyStatement[];
  layers: PolicyStatement[][];
  coverage: Map<string, Coverage>;
  /** Answers that do not depend on which principal holds the statements (no conditions, no policy variables). */
  memo: Map<string, unknown>;
  /** Whether the Allow statements name any policy-editing action. */
  edits?: boolean;
}

/** Judges what one principal may do, with its policies, boundary and SCPs. */
class Authority {
  private readonly base: ConditionContext;

  constructor(readonly principal: GraphPrincipal, readonly statements: Statements) {
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
      const split = (list: PolicyStatement[]) => ({ allow: list.filter((s) => s.effect === 'Allow' && statementCoversAction(s, action)), deny: list.filter((s) => s.effect === 'Deny' && statementCoversAction(s, action)) });
      const own = split(this.statements.identity);
      const layers = this.statements.layers.map(split);
      const all = [own, ...layers].flatMap((l) => [...l.allow, ...l.deny]);
      const uniform = all.every((s) => !s.notResources && (s.resources ?? []).includes('*') && !(s.resources ?? []).some((r) => r.includes('${')));
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
      memo.set(key, all.every((st) => namesEvery(st, probe)));
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
      narrow = guards.every(names) && rest.length < coverage.allow.length && rest.every((st) => !st.notResources) ? rest : null;
      memo.set(key, narrow);
    }
    return narrow === null ? null : narrow.flatMap((st) => (st.resources ?? []).map((r) => substitute(r, this.principal)));
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
      return (statement.resources ?? []).some((r) => r === '*' || (!forDeny && wildcardMatch(serviceOf(r) ?? '', target.service)));
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
      const allowed = layer.allow.some((s) => this.matches(s, target, false) && evaluateCondition(s.condition, context).holds !== false);
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
      return [...c.allow, ...c.deny, ...c.layers.flatMap((l) => [...l.allow, ...l.deny])].every((st) => !st.condition && !(st.resources ?? []).some((r) => r.includes('${')));
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

/** Services that run code as a role passed to them, and the calls that make them do it. */
interface PassRoleService {
  kind: string;
  principal: string;
  /** Alternatives; each is a list of groups, every group needs one of its actions. */
  needs: string[][][];
  instanceProfile?: boolean;
}

export const PASS_ROLE_SERVICES: readonly PassRoleService[] = [
  { kind: 'pass-role-ec2', principal: 'ec2.amazonaws.com', needs: [[['ec2:RunInstances']]], instanceProfile: true },
  { kind: 'pass-role-lambda', principal: 'lambda.amazonaws.com', needs: [[['lambda:CreateFunction'], ['lambda:InvokeFunction', 'lambda:CreateEventSourceMapping', 'lambda:CreateFunctionUrlConfig']]] },
  { kind: 'pass-role-cloudformation', principal: 'cloudformation.amazonaws.com', needs: [[['cloudformation:CreateStack']], [['cloudformation:CreateChangeSet'], ['cloudformation:ExecuteChangeSet']]] },
  { kind: 'pass-role-glue', principal: 'glue.amazonaws.com', needs: [[['glue:CreateDevEndpoint']], [['glue:CreateJob'], ['glue:StartJobRun', 'glue:CreateTrigger']]] },
  { kind: 'pass-role-datapipeline', principal: 'datapipeline.amazonaws.com', needs: [[['datapipeline:CreatePipeline'], ['datapipeline:PutPipelineDefinition'], ['datapipeline:ActivatePipeline']]] },
  { kind: 'pass-role-sagemaker', principal: 'sagemaker.amazonaws.com', needs: [[['sagemaker:CreateNotebookInstance'], ['sagemaker:CreatePresignedNotebookInstanceUrl']], [['sagemaker:CreateTrainingJob']], [['sagemaker:CreateProcessingJob']]] },
  { kind: 'pass-role-codebuild', principal: 'codebuild.amazonaws.com', needs: [[['codebuild:CreateProject'], ['codebuild:StartBuild', 'codebuild:StartBuildBatch']]] },
  { kind: 'pass-role-ecs', principal: 'ecs-tasks.amazonaws.com', needs: [[['ecs:RegisterTaskDefinition'], ['ecs:RunTask', 'ecs:StartTask', 'ecs:CreateService']]] },
  { kind: 'pass-role-apprunner', principal: 'tasks.apprunner.amazonaws.com', needs: [[['apprunner:CreateService']]] },
];

/** Calls that run code on existing compute, which holds a role the snapshot does not tie to the resource. */
interface ComputeTakeover {
  kind: string;
  principal: string;
  needs: string[][];
  what: string;
  instanceProfile?: boolean;
}

export const COMPUTE_TAKEOVERS: readonly ComputeTakeover[] = [
  { kind: 'ssm-send-command', principal: 'ec2.amazonaws.com', needs: [['ssm:SendCommand']], what: 'an EC2 instance', instanceProfile: true },
  { kind: 'ssm-start-session', principal: 'ec2.amazonaws.com', needs: [['ssm:StartSession']], what: 'an EC2 instance', instanceProfile: true },
  { kind: 'ec2-instance-connect', principal: 'ec2.amazonaws.com', needs: [['ec2-instance-connect:SendSSHPublicKey']], what: 'an EC2 instance', instanceProfile: true },
  { kind: 'lambda-update-code', principal: 'lambda.amazonaws.com', needs: [['lambda:UpdateFunctionCode']], what: 'a Lambda function' },
  { kind: 'lambda-update-configuration', principal: 'lambda.amazonaws.com', needs: [['lambda:UpdateFunctionConfiguration']], what: 'a Lambda function' },
  { kind: 'glue-update-dev-endpoint', principal: 'glue.amazonaws.com', needs: [['glue:UpdateDevEndpoint']], what: 'a Glue development endpoint' },
  { kind: 'cloudformation-update-stack', principal: 'cloudformation.amazonaws.com', needs: [['cloudformation:UpdateStack']], what: 'a CloudFormation stack' },
  { kind: 'cloudformation-change-set', principal: 'cloudformation.amazonaws.com', needs: [['cloudformation:CreateChangeSet'], ['cloudformation:ExecuteChangeSet']], what: 'a CloudFormation stack' },
  { kind: 'sagemaker-notebook-url', principal: 'sagemaker.amazonaws.com', needs: [['sagemaker:CreatePresignedNotebookInstanceUrl']], what: 'a SageMaker notebook' },
  { kind: 'codebuild-start-build', principal: 'codebuild.amazonaws.com', needs: [['codebuild:StartBuild', 'codebuild:StartBuildBatch']], what: 'a CodeBuild project' },
  { kind: 'ecs-execute-command', principal: 'ecs-tasks.amazonaws.com', needs: [['ecs:ExecuteCommand']], what: 'an ECS task' },
];

const TAKEOVER_ACTIONS = [
  { action: 'iam:CreateAccessKey', kind: 'create-access-key', applies: (_u: GraphPrincipal) => true },
  { action: 'iam:CreateLoginProfile', kind: 'create-login-profile', applies: (u: GraphPrincipal) => u.hasPassword !== true },
  { action: 'iam:UpdateLoginProfile', kind: 'update-login-profile', applies: (u: GraphPrincipal) => u.hasPassword !== false },
] as const;

interface AccountTrust {
  plain: Array<{ to: number; grant: Grant }>;
  specific: number[];
  byRole: Map<number, { to: number; grant: Grant }>;
  /** Member role indices: all, and those in other accounts than the caller's. */
  all: number[];
  away: number[];
}

interface Edge {
  from: number;
  to: number;
  action: string;
  kind: string;
  grant: Grant;
  note?: string;
  /** Steps of a composite edge (an edit on another principal followed by the path to it). */
  via?: PathStep[];
}

/** Trust facts of a role towards callers, prepared once per role. */
interface TrustStatement {
  statement: PolicyStatement;
  aws: string[];
  /** The condition mentions who the caller is, so it is judged per caller. */
  callerSpecific: boolean;
}

const CALLER_KEYS = /^aws:(principal|username|userid|sourceidentity)/i;

function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return [];
  const value = (principal as Record<string, unknown>).AWS;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function servicePrincipals(principal: unknown): string[] {
  if (!principal || typeof principal !== 'object') return [];
  const value = (principal as Record<string, unknown>).Service;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function trustStatements(trust: PolicyDocument | undefined): TrustStatement[] {
  return (trust?.statements ?? [])
    .filter((s) => statementCoversAction(s, 'sts:AssumeRole'))
    .map((statement) => ({
      statement,
      aws: awsPrincipals(statement.principal),
      callerSpecific: statement.effect === 'Deny' || Object.values(statement.condition ?? {}).some((block) => block !== null && typeof block === 'object' && Object.keys(block).some((k) => CALLER_KEYS.test(k))),
    }));
}

/** How an AWS principal entry admits a caller: by its own ARN, by its account, by anyone. */
function admits(entry: string, caller: GraphPrincipal): 'direct' | 'account' | null {
  if (entry === '*') return 'account';
  if (entry === caller.arn) return 'direct';
  if (entry === caller.account || entry === `arn:${caller.partition}:iam::${caller.account}:root`) return 'account';
  return null;
}

export class PrivilegeGraph {
  private readonly nodes: GraphPrincipal[];
  private readonly names: string[] = [];
  private readonly edges: Edge[] = [];
  private readonly out: number[][] = [];
  private readonly byUid = new Map<string, number>();
  private readonly authorities: Authority[] = [];
  private readonly hubs = new Map<string, number>();
  private readonly admin: number;
  private readonly adminIfGrantedCache = new Map<string, boolean>();
  /** Node indices by ARN, for resource patterns with a literal prefix. */
  private readonly byArn: ArnIndex<number>;
  private readonly serviceRoleSets = new Map<string, Set<number>>();
  private readonly serviceRoleLists = new Map<Set<number>, number[]>();

  constructor(principals: GraphPrincipal[], private readonly managed: Map<string, ManagedPolicyFacts>) {
    this.nodes = principals;
    const shared = new Map<string, Statements>();
    principals.forEach((p, i) => {
      this.byUid.set(p.uid, i);
      this.names.push(p.name);
      this.out.push([]);
      // Principals whose policies read the same share one statement set (and its per-action coverage).
      const key = `${p.policies.map((h) => documentId(h.document)).join('|')}#${p.boundary ? documentId(p.boundary.document) : ''}#${p.scps.map((g) => g.documents.map(documentId).join('|')).join('/')}`;
      let statements = shared.get(key);
      if (!statements) {
        statements = {
          identity: p.policies.flatMap((h) => h.document.statements),
          layers: [...(p.boundary ? [p.boundary.document.statements] : []), ...p.scps.map((g) => g.documents.flatMap((d) => d.statements))],
          coverage: new Map(),
          memo: new Map(),
        };
        shared.set(key, statements);
      }
      this.authorities.push(new Authority(p, statements));
    });
    this.admin = this.addNode('admin');
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

  private addNode(name: string): number {
    this.names.push(name);
    this.out.push([]);
    return this.names.length - 1;
  }

  private isHub(index: number): boolean {
    return index >= this.nodes.length && index !== this.admin;
  }

  private addEdge(edge: Edge): void {
    if (edge.from === edge.to) return;
    this.out[edge.from]!.push(this.edges.length);
    this.edges.push(edge);
  }

  /** A hub node for "every member of a class", created once with its member edges. */
  private hub(key: string, members: () => Array<{ to: number; grant: Grant; action?: string }>): number {
    let index = this.hubs.get(key);
    if (index === undefined) {
      index = this.addNode(key);
      this.hubs.set(key, index);
      for (const m of members()) this.addEdge({ from: index, to: m.to, action: m.action ?? '', kind: '', grant: m.grant });
    }
    return index;
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
        this.addEdge({ from: i, to: this.admin, action: '', kind: 'holds-admin', grant: { conditions: [], mfa: false } });
        continue;
      }
      this.assumeRoleEdges(i, namedBy, trust);
      this.takeoverEdges(i, authority);
      this.serviceEdges(i, authority, serviceRoles);
      const self = this.elevatable(i) ? this.elevation(authority, i) : null;
      if (self) this.addEdge({ from: i, to: this.admin, action: self.action, kind: self.kind, grant: self.grant });
      if (self) selfEdit[i] = 1;
    }
    // Edits of other principals count once the editor can become them (found after every become-edge exists). A
    // principal that can make itself admin needs none: its own edit is one step, and the search from admin takes it.
    for (let i = 0; i < this.nodes.length; i++) {
      if (this.nodes[i]!.admin || selfEdit[i] === 1 || !this.mayEditOthers(this.authorities[i]!)) continue;
      const found = this.nearestEditable(i);
      if (found) this.addEdge({ from: i, to: this.admin, action: found.steps[0]!.action, kind: found.kind, grant: found.grant, via: found.steps });
    }
  }

  private assumeRoleEdges(i: number, namedBy: Map<string, Set<number>>, trust: Map<number, TrustStatement[]>): void {
    const caller = this.nodes[i]!;
    const authority = this.authorities[i]!;
    const mayAssume = authority.mentions('sts:AssumeRole');
    const edge = (r: number, grant: Grant) => this.addEdge({ from: i, to: r, action: 'sts:AssumeRole', kind: 'assume-role', grant });
    const judged = (r: number) => {
      const admission = this.trustAdmits(caller, trust.get(r)!);
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

      if (grant) this.addEdge({ from: i, to: this.hub(`assume:${caller.partition}:${caller.account}`, members), action: 'sts:AssumeRole', kind: 'assume-role', grant });
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
      const admission = this.trustAdmits(anyone, statements);
      if (admission) found.plain.push({ to: r, grant: admission.grant });
    }
    for (const member of found.plain) found.byRole.set(member.to, member);
    found.all = found.plain.map((m) => m.to);
    found.away = found.all.filter((r) => this.nodes[r]!.account !== caller.account);
    this.accountTrustCache.set(key, found);
    return found;
  }

  /** Whether a role's trust policy admits the caller, how, and under which undecided conditions. */
  private trustAdmits(caller: GraphPrincipal, statements: TrustStatement[]): { how: 'direct' | 'account'; grant: Grant; callerSpecific: boolean } | null {
    const context: ConditionContext = {
      'aws:principalarn': [caller.arn],
      'aws:principalaccount': [caller.account],
      'aws:currenttime': [caller.now],
      'aws:tokenissuetime': [caller.now],
      ...(caller.kind === 'user' ? { 'aws:username': [caller.name] } : {}),
    };
    let best: { how: 'direct' | 'account'; grant: Grant; callerSpecific: boolean } | null = null;
    let specific = false;
    for (const t of statements) {
      if (t.statement.effect !== 'Allow') continue;
      const how = t.aws.map((e) => admits(e, caller)).find((h) => h !== null);
      if (!how) continue;
      const verdict = evaluateCondition(t.statement.condition, context);
      if (verdict.holds === false) continue;
      const grant = { conditions: verdict.undecided, mfa: verdict.mfa === 'present' };
      specific ||= t.callerSpecific;
      const current: { how: 'direct' | 'account'; grant: Grant } | null = best;
      if (!current || (how === 'direct' && current.how !== 'direct') || better(current.grant, grant) === grant) best = { how, grant, callerSpecific: specific };
    }
    if (!best) return null;
    for (const t of statements) {
      if (t.statement.effect !== 'Deny' || !t.aws.some((e) => admits(e, caller))) continue;
      const verdict = evaluateCondition(t.statement.condition, context);
      if (verdict.holds === true && verdict.mfa !== 'absent') return null;
      if (verdict.holds === true) best.grant = { ...best.grant, mfa: true };
      best.callerSpecific = true;
    }
    return best;
  }

  private takeoverEdges(i: number, authority: Authority): void {
    const caller = this.nodes[i]!;
    const users = () => this.ofKind('user', caller.account);
    for (const t of TAKEOVER_ACTIONS) {
      if (!authority.mentions(t.action)) continue;
      const edge = (to: number, grant: Grant) => this.addEdge({ from: i, to, action: t.action, kind: t.kind, grant });
      this.fanOut(i, t.action, 'user', `${t.kind}:${caller.account}`, () => users().filter((u) => t.applies(this.nodes[u]!)), (u) => u !== i && t.applies(this.nodes[u]!), edge);
    }
    // Joining a group: a user adds itself (a group's policies act for each member).
    if (caller.kind !== 'role' && authority.mentions('iam:AddUserToGroup')) {
      const edge = (to: number, grant: Grant) => this.addEdge({ from: i, to, action: 'iam:AddUserToGroup', kind: 'add-user-to-group', grant });
      this.fanOut(i, 'iam:AddUserToGroup', 'group', `add-user-to-group:${caller.account}`, () => this.ofKind('group', caller.account), (g) => g !== i, edge);
    }
    // Rewriting a role's trust policy to name oneself; same account, so no identity sts:AssumeRole is needed.
    if (caller.kind !== 'group' && authority.mentions('iam:UpdateAssumeRolePolicy')) {
      const edge = (to: number, grant: Grant) => this.addEdge({ from: i, to, action: 'iam:UpdateAssumeRolePolicy + sts:AssumeRole', kind: 'update-assume-role-policy', grant });
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
      if (hubGrant) edge(this.hub(hubKey, () => members().map((to) => ({ to, grant: UNCONDITIONAL }))), hubGrant);
      if (hubGrant && score(hubGrant) === 0) return;
    }
    const targets = remainder === null ? this.targetsOf(authority, action, this.ofKind(kind, caller.account), admitted) : this.named(remainder, admitted);
    for (const n of targets) {
      const grant = authority.can(action, { arn: this.nodes[n]!.arn });
      if (grant && (!hubGrant || score(grant) < score(hubGrant))) edge(n, grant);
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
          const hub = this.hub(`pass:${caller.account}:${service.principal}:${service.instanceProfile === true}`, () => [...roles].map((r) => ({ to: r, grant: { conditions: [], mfa: false } })));
          this.addEdge({ from: i, to: hub, action, kind: service.kind, grant: joinGrants(pass, usable.grant) });
          continue;
        }
        for (const r of this.targetsOf(authority, 'iam:PassRole', this.serviceRoleLists.get(roles)!, (n) => roles.has(n))) {
          const pass = authority.can('iam:PassRole', { arn: this.nodes[r]!.arn }, extra);
          if (pass) this.addEdge({ from: i, to: r, action, kind: service.kind, grant: joinGrants(pass, usable.grant) });
        }
      }
    }
    for (const takeover of COMPUTE_TAKEOVERS) {
      if (!takeover.needs.every((g) => g.some((a) => authority.mentions(a)))) continue;
      const roles = rolesOf(takeover.principal, takeover.instanceProfile);
      if (roles.size === 0) continue;
      const usable = authority.canAll(takeover.needs);
      if (!usable) continue;
      const hub = this.hub(`compute:${caller.account}:${takeover.principal}:${takeover.instanceProfile === true}`, () => [...roles].map((r) => ({ to: r, grant: { conditions: [], mfa: false } })));
      this.addEdge({
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
   * Breadth-first from `start` over become-edges to the nearest principal it can make an administrator. Passing
   * through a hub is part of the step that enters it (so a wildcard grant is as short as a direct one, and at equal
   * length the direct edge is taken), and each principal is judged when first reached, so the search stops there
   * instead of queueing the rest of a hub's members.
   */
  private nearestEditable(start: number): { steps: PathStep[]; kind: string; grant: Grant } | null {
    const editor = this.authorities[start]!;
    const hopeful = this.hopeful();
    const listed = this.editable(start);
    if (listed?.size === 0) return null;
    const previous = new Map<number, number>([[start, -1]]);
    const queue = [start];
    let found: { node: number; edit: Edit } | null = null;
    const reach = (e: number): boolean => {
      const to = this.edges[e]!.to;
      if (to === this.admin || previous.has(to) || hopeful[to] === 0) return false;
      previous.set(to, e);
      if (this.isHub(to)) return this.out[to]!.some(reach);
      const edit = listed ? listed.get(to) ?? null : this.elevatable(to) ? this.elevation(editor, to) : null;
      if (edit) found = { node: to, edit };
      queue.push(to);
      return edit !== null;
    };
    search: for (let head = 0; head < queue.length; head++) {
      const out = this.out[queue[head]!]!;
      for (const e of out) if (!this.isHub(this.edges[e]!.to) && reach(e)) break search;
      for (const e of out) if (this.isHub(this.edges[e]!.to) && reach(e)) break search;
    }
    if (!found) return null;
    const { node, edit } = found as { node: number; edit: Edit };
    const route: number[] = [];
    for (let e = previous.get(node)!; e !== -1; e = previous.get(this.edges[e]!.from)!) route.unshift(e);
    const steps: PathStep[] = [{ from: this.nodes[start]!.uid, action: edit.action, to: this.nodes[node]!.uid, kind: edit.kind, edit: true, ...stepFacts(edit.grant) }, ...this.render(route)];
    return { steps, kind: edit.kind, grant: joinGrants(edit.grant, ...route.map((e) => this.edges[e]!.grant)) };
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
    const total = this.names.length;
    const incoming: number[][] = Array.from({ length: total }, () => []);
    this.edges.forEach((e, index) => {
      if (e.to !== this.admin) incoming[e.to]!.push(index);
    });
    const hopeful = new Uint8Array(total);
    const queue: number[] = [];
    for (let n = 0; n < this.nodes.length; n++) {
      if (!this.elevatable(n)) continue;
      hopeful[n] = 1;
      queue.push(n);
    }
    this.elevatableList = [...queue];
    for (let head = 0; head < queue.length; head++) {
      for (const e of incoming[queue[head]!]!) {
        const from = this.edges[e]!.from;
        if (hopeful[from] === 1) continue;
        hopeful[from] = 1;
        queue.push(from);
      }
    }
    this.hopefulNodes = hopeful;
    return hopeful;
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

  /** Steps of a chain of edges, with hub hops folded into the step that enters the hub. */
  private render(route: number[]): PathStep[] {
    const steps: PathStep[] = [];
    for (let k = 0; k < route.length; k++) {
      const edge = this.edges[route[k]!]!;
      if (this.isHub(edge.from)) continue;
      if (edge.via) {
        steps.push(...edge.via);
        continue;
      }
      let to = edge.to;
      let grant = edge.grant;
      if (this.isHub(to) && k + 1 < route.length) {
        const next = this.edges[route[k + 1]!]!;
        to = next.to;
        grant = joinGrants(grant, next.grant);
      }
      if (edge.kind === 'holds-admin') continue;
      const edit = to === this.admin;
      steps.push({ from: this.nodes[edge.from]!.uid, action: edge.action, to: edit ? 'admin' : this.nodes[to]!.uid, kind: edge.kind, ...(edit ? { edit: true as const } : {}), ...stepFacts(grant), ...(edge.note ? { note: edge.note } : {}) });
    }
    return steps;
  }

  /** The shortest path to admin of every principal that is not one already but can become one. */
  paths(): Map<string, EscalationPath> {
    const total = this.names.length;
    const incoming: number[][] = Array.from({ length: total }, () => []);
    this.edges.forEach((e, index) => incoming[e.to]!.push(index));
    const next = new Int32Array(total).fill(-1);
    const distance = new Int32Array(total).fill(-1);
    const cost = new Int32Array(total);
    distance[this.admin] = 0;
    const queue = [this.admin];
    // Breadth-first over reversed edges: the fewest steps first, then the fewest undecided conditions and MFA needs
    // (summed over the steps), then the first edge found, direct edges before hubs. Entering a hub and leaving it to
    // a member is one step: a hub takes its best member's distance and its callers are reached at once, one further.
    const reach = (e: number, via: number): void => {
      const from = this.edges[e]!.from;
      const d = distance[via]! + (this.isHub(from) ? 0 : 1);
      const c = cost[via]! + score(this.edges[e]!.grant);
      if (distance[from] === -1) {
        distance[from] = d;
        if (!this.isHub(from)) queue.push(from);
      } else if (distance[from] !== d || c >= cost[from]!) return;
      cost[from] = c;
      next[from] = e;
      if (this.isHub(from)) for (const f of incoming[from]!) reach(f, from);
    };
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      const into = incoming[node]!;
      for (const e of into) if (!this.isHub(this.edges[e]!.from)) reach(e, node);
      for (const e of into) if (this.isHub(this.edges[e]!.from)) reach(e, node);
    }
    const result = new Map<string, EscalationPath>();
    this.nodes.forEach((p, i) => {
      if (p.admin || distance[i] === -1) return;
      const route: number[] = [];
      for (let node = i; node !== this.admin; node = this.edges[next[node]!]!.to) route.push(next[node]!);
      result.set(p.uid, this.describe(p, this.render(route)));
    });
    return result;
  }

  private nameOf(uid: string, from: GraphPrincipal): string {
    const index = this.byUid.get(uid);
    if (index === undefined) return uid;
    const node = this.nodes[index]!;
    return node.account === from.account ? node.name : `${node.name} (account ${node.account})`;
  }

  private describe(start: GraphPrincipal, steps: PathStep[]): EscalationPath {
    const parts = [start.name];
    for (const step of steps) {
      const target = this.nameOf(step.to, start);
      if (step.edit) parts.push(step.action);
      else if (step.kind.startsWith('pass-role-')) parts.push(step.action.replace('iam:PassRole', `iam:PassRole ${target}`));
      else if (COMPUTE_TAKEOVERS.some((c) => c.kind === step.kind)) parts.push(`${step.action} running as ${target}`);
      else parts.push(`${step.action} ${target}`);
    }
    parts.push('admin');
    const conditions = [...new Set(steps.flatMap((s) => s.conditions ?? []))];
    const kinds = [...new Set(steps.map((s) => s.kind))];
    return { steps, text: parts.join(' -> '), kinds, conditions, mfa: steps.some((s) => s.mfa === true) };
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
    const authority = new Authority(holder, {
      identity: holder.policies.flatMap((h) => h.document.statements),
      layers: [...(holder.boundary ? [holder.boundary.document.statements] : []), ...holder.scps.map((g) => g.documents.flatMap((d) => d.statements))],
      coverage: new Map(),
      memo: new Map(),
    });
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
    return { nodes: this.nodes.length, edges: this.edges.length, hubs: this.hubs.size };
  }
}

function grantFacts(grant: Grant): Pick<GrantPower, 'conditions' | 'mfa'> {
  return { conditions: grant.conditions, mfa: grant.mfa };
}

function stepFacts(grant: Grant): Pick<PathStep, 'conditions' | 'mfa'> {
  return { ...(grant.conditions.length > 0 ? { conditions: grant.conditions } : {}), ...(grant.mfa ? { mfa: true } : {}) };
}

const EDIT_ACTIONS = [
  'iam:AttachUserPolicy', 'iam:AttachGroupPolicy', 'iam:AttachRolePolicy', 'iam:PutUserPolicy', 'iam:PutGroupPolicy', 'iam:PutRolePolicy',
  'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeleteUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary',
  'iam:PutUserPermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:DetachUserPolicy', 'iam:DetachRolePolicy', 'iam:DetachGroupPolicy',
  'iam:DeleteUserPolicy', 'iam:DeleteRolePolicy', 'iam:DeleteGroupPolicy',
];

/** Actions whose holder may make another principal an administrator (what makes a policy grant power). */
const GRANT_ACTIONS = [...EDIT_ACTIONS, 'iam:AddUserToGroup'];

function allowsGrant(statements: PolicyStatement[]): boolean {
  return statements.some((s) => s.effect === 'Allow' && GRANT_ACTIONS.some((a) => statementCoversAction(s, a)));
}

const documentIds = new WeakMap<PolicyDocument, number>();
const contentIds = new Map<string, number>();
let nextDocumentId = 0;

/** A small id per distinct document content, so equal inline policies of many principals share work. */
function documentId(document: PolicyDocument): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    const text = JSON.stringify(document.statements);
    id = contentIds.get(text);
    if (id === undefined) {
      id = ++nextDocumentId;
      contentIds.set(text, id);
    }
    documentIds.set(document, id);
  }
  return id;
}

/** Each principal's shortest path to admin, and the grant power of those without one (one graph for both). */
export function privilegeReach(principals: GraphPrincipal[], managed: Map<string, ManagedPolicyFacts>): { paths: Map<string, EscalationPath>; grants: Map<string, GrantPower> } {
  const graph = new PrivilegeGraph(principals, managed);
  const paths = graph.paths();
  return { paths, grants: graph.grantPowers(paths) };
}
