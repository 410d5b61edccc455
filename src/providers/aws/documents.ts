/**
 * The raw AWS documents cloudward reads, in the JSON shapes the AWS CLI prints them (timestamps as ISO strings,
 * the credential report's Content as base64, policy documents decoded or URL-encoded). Live collection converts SDK
 * output to these shapes, so collection and import feed one normalizer.
 */
import type { Gap } from '../../snapshot/model.js';
import { gapFor } from '../cloud/attempt.js';
import type { Shape } from '../cloud/shape.js';

/** RawDocument kinds of the AWS provider. */
export const DocumentKind = {
  authorizationDetails: 'aws.iam.GetAccountAuthorizationDetails',
  credentialReport: 'aws.iam.GetCredentialReport',
  accountSummary: 'aws.iam.GetAccountSummary',
  virtualMfaDevices: 'aws.iam.ListVirtualMFADevices',
  passwordPolicy: 'aws.iam.GetAccountPasswordPolicy',
  roles: 'aws.iam.ListRoles',
  scpList: 'aws.organizations.ListPolicies',
  scpDetail: 'aws.organizations.DescribePolicy',
  scpTargets: 'aws.organizations.ListTargetsForPolicy',
  /** One level of an account's place in the organization: the parent of an account or of an OU. */
  parents: 'aws.organizations.ListParents',
  /** The regions enabled for the account (CloudTrail is read in each). */
  regions: 'aws.account.ListRegions',
  trails: 'aws.cloudtrail.DescribeTrails',
  trailStatus: 'aws.cloudtrail.GetTrailStatus',
  eventSelectors: 'aws.cloudtrail.GetEventSelectors',
  /** An error response, as the AWS CLI prints it: `An error occurred (Code) when calling the X operation: ...`. */
  error: 'aws.error',
  /** cloudward's own note beside `--raw-out` files: which account, and when it was read. */
  collection: 'aws.cloudward.Collection',
} as const;

export type DocumentKindValue = (typeof DocumentKind)[keyof typeof DocumentKind];

/** Gap topics (the `what` of a Gap); checks list the ones they need. */
export const GapTopic = {
  authorizationDetails: 'aws.authorization-details',
  credentialReport: 'aws.credential-report',
  accountSummary: 'aws.account-summary',
  virtualMfa: 'aws.virtual-mfa',
  passwordPolicy: 'aws.password-policy',
  roleSettings: 'aws.role-settings',
  scp: 'aws.scp',
  cloudtrail: 'aws.cloudtrail',
  cloudtrailStatus: 'aws.cloudtrail-status',
  cloudtrailRegions: 'aws.cloudtrail-regions',
} as const;

const ALL_GAP_TOPICS: string[] = Object.values(GapTopic);

/** Each API operation: its service prefix (for `iam:X` call names) and the gap topic its failure opens. */
export const OPERATIONS: Record<string, { service: string; topic: string; kind?: DocumentKindValue }> = {
  GetAccountAuthorizationDetails: {
    service: 'iam',
    topic: GapTopic.authorizationDetails,
    kind: DocumentKind.authorizationDetails,
  },
  GenerateCredentialReport: { service: 'iam', topic: GapTopic.credentialReport },
  GetCredentialReport: { service: 'iam', topic: GapTopic.credentialReport, kind: DocumentKind.credentialReport },
  GetAccountSummary: { service: 'iam', topic: GapTopic.accountSummary, kind: DocumentKind.accountSummary },
  ListVirtualMFADevices: { service: 'iam', topic: GapTopic.virtualMfa, kind: DocumentKind.virtualMfaDevices },
  GetAccountPasswordPolicy: { service: 'iam', topic: GapTopic.passwordPolicy, kind: DocumentKind.passwordPolicy },
  ListRoles: { service: 'iam', topic: GapTopic.roleSettings, kind: DocumentKind.roles },
  ListPolicies: { service: 'organizations', topic: GapTopic.scp, kind: DocumentKind.scpList },
  DescribePolicy: { service: 'organizations', topic: GapTopic.scp, kind: DocumentKind.scpDetail },
  ListTargetsForPolicy: { service: 'organizations', topic: GapTopic.scp, kind: DocumentKind.scpTargets },
  ListParents: { service: 'organizations', topic: GapTopic.scp, kind: DocumentKind.parents },
  ListRegions: { service: 'account', topic: GapTopic.cloudtrailRegions, kind: DocumentKind.regions },
  DescribeTrails: { service: 'cloudtrail', topic: GapTopic.cloudtrail, kind: DocumentKind.trails },
  GetTrailStatus: { service: 'cloudtrail', topic: GapTopic.cloudtrailStatus, kind: DocumentKind.trailStatus },
  GetEventSelectors: { service: 'cloudtrail', topic: GapTopic.cloudtrailStatus, kind: DocumentKind.eventSelectors },
};

/** Error codes that are answers, not failures: no password policy set, the account is in no organization. */
const ANSWER_ERRORS: Record<string, string> = {
  GetAccountPasswordPolicy: 'NoSuchEntity',
  ListPolicies: 'AWSOrganizationsNotInUseException',
};

/** The body of an `aws.error` document. `Target` names the trail or policy a keyed call was about. */
export interface ErrorBody {
  Operation: string;
  Code: string;
  Message: string;
  Target?: string;
}

/**
 * The line the AWS CLI prints for an error; import recognises it, `--raw-out` writes it. A keyed call's subject
 * (a trail, a policy, a role) follows on a `Target:` line, since the CLI's message does not always name it.
 */
export function cliErrorLine(error: ErrorBody): string {
  const line = `An error occurred (${error.Code}) when calling the ${error.Operation} operation: ${error.Message}`;
  return error.Target ? `${line}\nTarget: ${error.Target}` : line;
}

const CLI_ERROR =
  /^An error occurred \(([A-Za-z0-9_.]+)\)(?: \(reached max retries: \d+\))? when calling the ([A-Za-z0-9]+) operation(?: \(reached max retries: \d+\))?: ?(.*)/;

/** Parses an AWS CLI error line (as `aws ... 2> file` keeps it); undefined when the text is not one. */
export function parseCliErrorLine(text: string): ErrorBody | undefined {
  const match = CLI_ERROR.exec(text);
  if (!match) return undefined;
  const target = /^Target: (\S+)\s*$/m.exec(text);
  return {
    Code: match[1]!,
    Operation: match[2]!,
    Message: match[3]!.trim(),
    ...(target ? { Target: target[1]! } : {}),
  };
}

/**
 * The gaps an error opens: none when the error is an answer (no password policy, no organization), every topic
 * when the account could not be entered at all (AssumeRole failed).
 */
function gapsForError(error: ErrorBody): Gap[] {
  if (isAnswer(error)) return [];
  const about = error.Target ? ` (${error.Target})` : '';
  const reason = `${error.Code}${about}: ${error.Message}`;
  if (error.Operation === 'AssumeRole')
    return ALL_GAP_TOPICS.map((what) => ({ what, reason: `account not read: ${reason}`, call: 'sts:AssumeRole' }));
  const operation = OPERATIONS[error.Operation];
  if (!operation) return [];
  // The kit names the missing permission on a denial (every AWS read needs the action of its own name).
  const call = `${operation.service}:${error.Operation}`;
  return [
    gapFor(
      { id: call, kind: 'api', topic: operation.topic, permission: call },
      { Code: error.Code, message: error.Message },
      error.Target,
    ),
  ];
}

/** Gaps from a list of error bodies, one per topic and call (the first error's reason stands for the rest). */
export function gapsFromErrors(bodies: ErrorBody[]): Gap[] {
  const gaps: Gap[] = [];
  for (const gap of bodies.flatMap(gapsForError)) {
    if (!gaps.some((g) => g.what === gap.what && g.call === gap.call)) gaps.push(gap);
  }
  return gaps;
}

/** Whether an error body is an answer rather than a failure (e.g. NoSuchEntity on GetAccountPasswordPolicy). */
export function isAnswer(error: ErrorBody): boolean {
  const expected = ANSWER_ERRORS[error.Operation];
  return expected !== undefined && (error.Code === expected || error.Code.replace(/Exception$/, '') === expected);
}

/**
 * The management account, from the organization ARNs SCP documents carry (`arn:aws:organizations::<id>:...`, on
 * customer SCPs and on every target); undefined when none names it.
 */
export function managementAccountOf(bodies: Iterable<unknown>): string | undefined {
  for (const body of bodies) {
    const b = body as {
      Policies?: Array<{ Arn?: string }>;
      Targets?: Array<{ Arn?: string }>;
      Policy?: { PolicySummary?: { Arn?: string } };
    };
    for (const item of [
      ...(b.Policies ?? []),
      ...(b.Targets ?? []),
      ...(b.Policy?.PolicySummary ? [b.Policy.PolicySummary] : []),
    ]) {
      const match = /^arn:[^:]+:organizations::(\d{12}):/.exec(item.Arn ?? '');
      if (match) return match[1];
    }
  }
  return undefined;
}

/** The `cloudward-collection.json` that `--raw-out` writes beside the AWS documents. */
export interface CollectionBody {
  Cloudward: { Provider: 'aws'; AccountId: string; CollectedAt: string };
}

// Shapes of the documents (the fields cloudward reads). Every field is optional: exports differ by CLI version.

export interface AttachedPolicy {
  PolicyName?: string;
  PolicyArn?: string;
}
export interface InlinePolicy {
  PolicyName?: string;
  PolicyDocument?: unknown;
}
export interface PermissionsBoundary {
  PermissionsBoundaryType?: string;
  PermissionsBoundaryArn?: string;
}

export interface UserDetail {
  Path?: string;
  UserName?: string;
  UserId?: string;
  Arn?: string;
  CreateDate?: string;
  UserPolicyList?: InlinePolicy[];
  GroupList?: string[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: PermissionsBoundary;
  Tags?: Array<{ Key?: string; Value?: string }>;
}

export interface GroupDetail {
  Path?: string;
  GroupName?: string;
  GroupId?: string;
  Arn?: string;
  CreateDate?: string;
  GroupPolicyList?: InlinePolicy[];
  AttachedManagedPolicies?: AttachedPolicy[];
}

export interface RoleDetail {
  Path?: string;
  RoleName?: string;
  RoleId?: string;
  Arn?: string;
  CreateDate?: string;
  AssumeRolePolicyDocument?: unknown;
  RolePolicyList?: InlinePolicy[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: PermissionsBoundary;
  RoleLastUsed?: { LastUsedDate?: string; Region?: string };
  MaxSessionDuration?: number;
  /** Instance profiles holding the role (EC2 instances run as it through one). */
  InstanceProfileList?: Array<{ InstanceProfileName?: string; Arn?: string }>;
}

export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  AttachmentCount?: number;
  PermissionsBoundaryUsageCount?: number;
  IsAttachable?: boolean;
  PolicyVersionList?: Array<{ Document?: unknown; VersionId?: string; IsDefaultVersion?: boolean }>;
}

export interface AuthorizationDetails {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
  IsTruncated?: boolean;
  Marker?: string;
}

export interface CredentialReportBody {
  Content?: string;
  ReportFormat?: string;
  GeneratedTime?: string;
}
export interface AccountSummaryBody {
  SummaryMap?: Record<string, number>;
}
export interface VirtualMfaBody {
  VirtualMFADevices?: Array<{ SerialNumber?: string; User?: { Arn?: string; UserName?: string }; EnableDate?: string }>;
}

export interface PasswordPolicy {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  ExpirePasswords?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}
export interface PasswordPolicyBody {
  PasswordPolicy?: PasswordPolicy;
}
export interface RolesBody {
  Roles?: Array<{ RoleName?: string; Arn?: string; MaxSessionDuration?: number }>;
}

export interface PolicySummary {
  Id?: string;
  Arn?: string;
  Name?: string;
  Description?: string;
  Type?: string;
  AwsManaged?: boolean;
}
export interface ScpListBody {
  Policies?: PolicySummary[];
}
export interface ScpDetailBody {
  Policy?: { PolicySummary?: PolicySummary; Content?: string };
}
export interface PolicyTarget {
  TargetId?: string;
  Arn?: string;
  Name?: string;
  Type?: string;
}
/** ListTargetsForPolicy's response plus the PolicyId it was asked about (the response does not repeat it). */
export interface ScpTargetsBody {
  PolicyId?: string;
  Targets?: PolicyTarget[];
}
/** ListParents' response plus the ChildId (an account or OU id) it was asked about (the response does not repeat it). */
export interface ParentsBody {
  ChildId?: string;
  Parents?: Array<{ Id?: string; Type?: string }>;
}
export interface RegionsBody {
  Regions?: Array<{ RegionName?: string; RegionOptStatus?: string }>;
}

export interface Trail {
  Name?: string;
  TrailARN?: string;
  HomeRegion?: string;
  IsMultiRegionTrail?: boolean;
  IsOrganizationTrail?: boolean;
  LogFileValidationEnabled?: boolean;
  IncludeGlobalServiceEvents?: boolean;
  S3BucketName?: string;
  CloudWatchLogsLogGroupArn?: string;
  KmsKeyId?: string;
  HasCustomEventSelectors?: boolean;
}
/** DescribeTrails' response plus the Region it was called in (the response does not say; shadow trails included). */
export interface TrailsBody {
  Region?: string;
  trailList?: Trail[];
}
/** GetTrailStatus's response plus the trail it was asked about (`Name`; the response does not name it). */
export interface TrailStatusBody {
  Name?: string;
  IsLogging?: boolean;
  LatestDeliveryTime?: string;
  LatestDeliveryError?: string;
}
export interface EventSelectorsBody {
  TrailARN?: string;
  EventSelectors?: Array<{
    ReadWriteType?: string;
    IncludeManagementEvents?: boolean;
    ExcludeManagementEventSources?: string[];
  }>;
  AdvancedEventSelectors?: Array<{
    Name?: string;
    FieldSelectors?: Array<{ Field?: string; Equals?: string[]; NotEquals?: string[] }>;
  }>;
}

const attached: Shape = [{ PolicyName: 'string', PolicyArn: 'string' }];
const inline: Shape = [{ PolicyName: 'string', PolicyDocument: 'any' }];
const boundary: Shape = { PermissionsBoundaryType: 'string', PermissionsBoundaryArn: 'string' };
const summary: Shape = {
  Id: 'string',
  Arn: 'string',
  Name: 'string',
  Description: 'string',
  Type: 'string',
  AwsManaged: 'boolean',
};
const common = { Path: 'string', Arn: 'string', CreateDate: 'string' } as const;

/** The shape of each document kind: the interfaces above, checked when a document is recognised. */
export const SHAPES: Record<string, Shape> = {
  [DocumentKind.authorizationDetails]: {
    UserDetailList: [
      {
        ...common,
        UserName: 'string',
        UserId: 'string',
        UserPolicyList: inline,
        GroupList: ['string'],
        AttachedManagedPolicies: attached,
        PermissionsBoundary: boundary,
        Tags: [{ Key: 'string', Value: 'string' }],
      },
    ],
    GroupDetailList: [
      { ...common, GroupName: 'string', GroupId: 'string', GroupPolicyList: inline, AttachedManagedPolicies: attached },
    ],
    RoleDetailList: [
      {
        ...common,
        RoleName: 'string',
        RoleId: 'string',
        AssumeRolePolicyDocument: 'any',
        RolePolicyList: inline,
        AttachedManagedPolicies: attached,
        PermissionsBoundary: boundary,
        RoleLastUsed: { LastUsedDate: 'string', Region: 'string' },
        MaxSessionDuration: 'number',
        InstanceProfileList: [{ InstanceProfileName: 'string', Arn: 'string' }],
      },
    ],
    Policies: [
      {
        PolicyName: 'string',
        PolicyId: 'string',
        Arn: 'string',
        Path: 'string',
        DefaultVersionId: 'string',
        AttachmentCount: 'number',
        PermissionsBoundaryUsageCount: 'number',
        IsAttachable: 'boolean',
        PolicyVersionList: [{ Document: 'any', VersionId: 'string', IsDefaultVersion: 'boolean' }],
      },
    ],
    IsTruncated: 'boolean',
    Marker: 'string',
  },
  [DocumentKind.credentialReport]: { Content: 'string', ReportFormat: 'string', GeneratedTime: 'string' },
  [DocumentKind.virtualMfaDevices]: {
    VirtualMFADevices: [{ SerialNumber: 'string', User: { Arn: 'string', UserName: 'string' }, EnableDate: 'string' }],
  },
  [DocumentKind.passwordPolicy]: {
    PasswordPolicy: {
      MinimumPasswordLength: 'number',
      RequireSymbols: 'boolean',
      RequireNumbers: 'boolean',
      RequireUppercaseCharacters: 'boolean',
      RequireLowercaseCharacters: 'boolean',
      AllowUsersToChangePassword: 'boolean',
      ExpirePasswords: 'boolean',
      MaxPasswordAge: 'number',
      PasswordReusePrevention: 'number',
      HardExpiry: 'boolean',
    },
  },
  [DocumentKind.roles]: { Roles: [{ RoleName: 'string', Arn: 'string', MaxSessionDuration: 'number' }] },
  [DocumentKind.scpList]: { Policies: [summary] },
  [DocumentKind.scpDetail]: { Policy: { PolicySummary: summary, Content: 'string' } },
  [DocumentKind.scpTargets]: {
    PolicyId: 'string',
    Targets: [{ TargetId: 'string', Arn: 'string', Name: 'string', Type: 'string' }],
  },
  [DocumentKind.parents]: { ChildId: 'string', Parents: [{ Id: 'string', Type: 'string' }] },
  [DocumentKind.regions]: { Regions: [{ RegionName: 'string', RegionOptStatus: 'string' }] },
  [DocumentKind.trails]: {
    Region: 'string',
    trailList: [
      {
        Name: 'string',
        TrailARN: 'string',
        HomeRegion: 'string',
        IsMultiRegionTrail: 'boolean',
        IsOrganizationTrail: 'boolean',
        LogFileValidationEnabled: 'boolean',
        IncludeGlobalServiceEvents: 'boolean',
        S3BucketName: 'string',
        CloudWatchLogsLogGroupArn: 'string',
        KmsKeyId: 'string',
        HasCustomEventSelectors: 'boolean',
      },
    ],
  },
  [DocumentKind.trailStatus]: { Name: 'string', IsLogging: 'boolean', LatestDeliveryError: 'string' },
  [DocumentKind.eventSelectors]: {
    TrailARN: 'string',
    EventSelectors: [
      { ReadWriteType: 'string', IncludeManagementEvents: 'boolean', ExcludeManagementEventSources: ['string'] },
    ],
    AdvancedEventSelectors: [
      { Name: 'string', FieldSelectors: [{ Field: 'string', Equals: ['string'], NotEquals: ['string'] }] },
    ],
  },
};
