/**
 * Gathers one account's raw documents into a typed view: pages merged, the credential report decoded, SCPs joined
 * with their content and targets, trails joined with their status and event selectors. Pure.
 */
import { UserError } from '../../errors.js';
import type { RawBundle } from '../types.js';
import {
  CredentialReportError,
  parseCredentialReport,
  reportDate,
  type CredentialReportRow,
} from './credential-report.js';
import {
  DocumentKind,
  isAnswer,
  type AccountSummaryBody,
  type AuthorizationDetails,
  type CredentialReportBody,
  type ErrorBody,
  type EventSelectorsBody,
  type GroupDetail,
  type ManagedPolicyDetail,
  type PasswordPolicy,
  type ParentsBody,
  type PasswordPolicyBody,
  type PolicySummary,
  type PolicyTarget,
  type RoleDetail,
  type RolesBody,
  type ScpDetailBody,
  type ScpListBody,
  type ScpTargetsBody,
  type Trail,
  type TrailStatusBody,
  type TrailsBody,
  type UserDetail,
  type VirtualMfaBody,
} from './documents.js';

export interface ServiceControlPolicy {
  id: string;
  arn: string;
  name: string;
  awsManaged: boolean;
  /** The policy JSON text, or undefined when DescribePolicy could not be read. */
  content?: string;
  /** Targets, or undefined when ListTargetsForPolicy could not be read. */
  targets?: PolicyTarget[];
}

/** An account's parents from its own OU up to the root (ListParents, level by level). */
interface OrganizationPath {
  parents: Array<{ id: string; type: string }>;
  /** Whether the chain reaches the root; when not, `missing` is the child whose parent was not read. */
  complete: boolean;
  missing?: string;
}

/** AWS allows five levels of OUs below the root; a longer chain means the answers loop. */
export const MAX_OU_DEPTH = 8;

/** Walks ListParents answers from the account up to the root. */
export function parentChain(bodies: ParentsBody[], accountId: string): OrganizationPath {
  const byChild = new Map(bodies.filter((b) => b.ChildId).map((b) => [b.ChildId!, b]));
  const parents: OrganizationPath['parents'] = [];
  let child = accountId;
  for (let depth = 0; depth < MAX_OU_DEPTH; depth++) {
    const parent = byChild.get(child)?.Parents?.[0];
    if (typeof parent?.Id !== 'string' || parent.Id === '') break;
    const type = parent.Type ?? (parent.Id.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT');
    parents.push({ id: parent.Id, type });
    if (type === 'ROOT') return { parents, complete: true };
    child = parent.Id;
  }
  return { parents, complete: false, missing: child };
}

export interface TrailView {
  trail: Trail;
  status?: TrailStatusBody;
  selectors?: EventSelectorsBody;
}

export interface AccountView {
  accountId: string;
  partition: string;
  details?: { users: UserDetail[]; groups: GroupDetail[]; roles: RoleDetail[]; policies: ManagedPolicyDetail[] };
  report?: { rows: CredentialReportRow[]; generatedTime: string | null };
  summary?: Record<string, number>;
  virtualMfaDevices?: NonNullable<VirtualMfaBody['VirtualMFADevices']>;
  /** null: the account has no password policy (GetAccountPasswordPolicy said NoSuchEntity). */
  passwordPolicy?: PasswordPolicy | null;
  /** MaxSessionDuration by role name (from ListRoles; GetAccountAuthorizationDetails does not return it). */
  maxSessionDuration?: Map<string, number>;
  /** inOrganization false: ListPolicies said AWSOrganizationsNotInUseException. */
  organization?:
    | { inOrganization: false }
    | { inOrganization: true; scps: ServiceControlPolicy[]; path: OrganizationPath };
  trails?: TrailView[];
}

/** The credential report CSV from a GetCredentialReport body (base64 Content, as the CLI prints it). */
export function credentialReportText(body: CredentialReportBody, origin: string): string {
  if (typeof body.Content !== 'string')
    throw new UserError('credential report has no Content', {
      where: origin,
      hint: 'export it with `aws iam get-credential-report`',
    });
  return Buffer.from(body.Content, 'base64').toString('utf8');
}

/**
 * Rows of reports already parsed when their file was recognised (import checks the whole report), by document body,
 * with the content they were parsed from: normalizing then does not parse a report of tens of thousands of users
 * again. Rows are only read.
 */
const parsedReports = new WeakMap<CredentialReportBody, { content: string; rows: CredentialReportRow[] }>();

/** Keeps the rows a recognised report body was parsed into, for the normalizer. */
export function rememberReportRows(body: CredentialReportBody, rows: CredentialReportRow[]): void {
  if (typeof body.Content === 'string') parsedReports.set(body, { content: body.Content, rows });
}

function reportRows(body: CredentialReportBody, origin: string): CredentialReportRow[] {
  const parsed = parsedReports.get(body);
  if (parsed && parsed.content === body.Content) return parsed.rows;
  return parseCredentialReport(credentialReportText(body, origin));
}

function parseReport(body: CredentialReportBody, origin: string): AccountView['report'] {
  try {
    return { rows: reportRows(body, origin), generatedTime: reportDate(body.GeneratedTime) };
  } catch (error) {
    if (error instanceof CredentialReportError) {
      throw new UserError(`credential report: ${error.message}`, {
        where: origin,
        hint: 'pass the report as `aws iam get-credential-report` prints it, or its decoded CSV',
      });
    }
    throw error;
  }
}

function mergeDetails(documents: AuthorizationDetails[]): NonNullable<AccountView['details']> {
  // Pages exported one by one (--no-paginate) may repeat an entity at a boundary; keep the first of each ARN.
  const unique = <T extends { Arn?: string }>(lists: Array<T[] | undefined>): T[] => {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const item of lists.flat()) {
      if (!item) continue;
      const key = item.Arn ?? JSON.stringify(item);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  };
  return {
    users: unique(documents.map((d) => d.UserDetailList)),
    groups: unique(documents.map((d) => d.GroupDetailList)),
    roles: unique(documents.map((d) => d.RoleDetailList)),
    policies: unique(documents.map((d) => d.Policies)),
  };
}

function joinScps(list: PolicySummary[], details: ScpDetailBody[], targets: ScpTargetsBody[]): ServiceControlPolicy[] {
  const byId = new Map<string, ServiceControlPolicy>();
  const add = (summary: PolicySummary | undefined) => {
    if (!summary?.Id || byId.has(summary.Id)) return;
    byId.set(summary.Id, {
      id: summary.Id,
      arn: summary.Arn ?? '',
      name: summary.Name ?? summary.Id,
      awsManaged: summary.AwsManaged === true,
    });
  };
  list.forEach(add);
  for (const d of details) {
    add(d.Policy?.PolicySummary);
    const scp = d.Policy?.PolicySummary?.Id ? byId.get(d.Policy.PolicySummary.Id) : undefined;
    if (scp && typeof d.Policy?.Content === 'string') scp.content = d.Policy.Content;
  }
  for (const t of targets) {
    const scp = t.PolicyId ? byId.get(t.PolicyId) : undefined;
    if (scp) scp.targets = [...(scp.targets ?? []), ...(t.Targets ?? [])];
  }
  return [...byId.values()];
}

function joinTrails(list: Trail[], statuses: TrailStatusBody[], selectors: EventSelectorsBody[]): TrailView[] {
  return list.map((trail) => {
    const matches = (name: string | undefined) =>
      name !== undefined && (name === trail.TrailARN || name === trail.Name);
    const view: TrailView = { trail };
    const status = statuses.find((s) => matches(s.Name));
    if (status) view.status = status;
    const selector = selectors.find((s) => matches(s.TrailARN));
    if (selector) view.selectors = selector;
    return view;
  });
}

/** Builds the typed view of one account bundle. Documents of unknown kinds are ignored (newer exports). */
export function accountView(bundle: RawBundle): AccountView {
  const of = <T>(kind: string) =>
    bundle.documents.filter((d) => d.kind === kind) as Array<{ kind: string; origin: string; body: T }>;
  const errors = of<ErrorBody>(DocumentKind.error).map((d) => d.body);
  const answered = (operation: string) => errors.some((e) => e.Operation === operation && isAnswer(e));
  const arns: string[] = [];
  const view: AccountView = { accountId: bundle.scope.id, partition: 'aws' };

  const details = of<AuthorizationDetails>(DocumentKind.authorizationDetails);
  if (details.length > 0) {
    view.details = mergeDetails(details.map((d) => d.body));
    arns.push(...view.details.users.map((u) => u.Arn ?? ''), ...view.details.roles.map((r) => r.Arn ?? ''));
  }
  const report = of<CredentialReportBody>(DocumentKind.credentialReport)[0];
  if (report) view.report = parseReport(report.body, report.origin);
  const summary = of<AccountSummaryBody>(DocumentKind.accountSummary)[0];
  if (summary?.body.SummaryMap) view.summary = summary.body.SummaryMap;
  const mfa = of<VirtualMfaBody>(DocumentKind.virtualMfaDevices);
  if (mfa.length > 0) view.virtualMfaDevices = mfa.flatMap((d) => d.body.VirtualMFADevices ?? []);

  const policy = of<PasswordPolicyBody>(DocumentKind.passwordPolicy)[0];
  if (policy?.body.PasswordPolicy) view.passwordPolicy = policy.body.PasswordPolicy;
  else if (answered('GetAccountPasswordPolicy')) view.passwordPolicy = null;

  const roles = of<RolesBody>(DocumentKind.roles);
  if (roles.length > 0) {
    view.maxSessionDuration = new Map();
    for (const role of roles.flatMap((d) => d.body.Roles ?? [])) {
      if (role.RoleName && typeof role.MaxSessionDuration === 'number')
        view.maxSessionDuration.set(role.RoleName, role.MaxSessionDuration);
    }
  }

  const scpList = of<ScpListBody>(DocumentKind.scpList);
  if (answered('ListPolicies')) view.organization = { inOrganization: false };
  else if (scpList.length > 0) {
    view.organization = {
      inOrganization: true,
      scps: joinScps(
        scpList.flatMap((d) => d.body.Policies ?? []),
        of<ScpDetailBody>(DocumentKind.scpDetail).map((d) => d.body),
        of<ScpTargetsBody>(DocumentKind.scpTargets).map((d) => d.body),
      ),
      path: parentChain(
        of<ParentsBody>(DocumentKind.parents).map((d) => d.body),
        view.accountId,
      ),
    };
  }

  const trails = of<TrailsBody>(DocumentKind.trails);
  if (trails.length > 0) {
    const list = trails.flatMap((d) => d.body.trailList ?? []);
    const unique = [...new Map(list.map((t) => [t.TrailARN ?? t.Name ?? '', t])).values()];
    view.trails = joinTrails(
      unique,
      of<TrailStatusBody>(DocumentKind.trailStatus).map((d) => d.body),
      of<EventSelectorsBody>(DocumentKind.eventSelectors).map((d) => d.body),
    );
  }
  const partition = arns.map((a) => /^arn:([^:]+):/.exec(a)?.[1]).find((p) => p !== undefined);
  if (partition) view.partition = partition;
  return view;
}
