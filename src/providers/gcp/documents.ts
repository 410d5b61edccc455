/**
 * The raw GCP documents cloudward reads, in the JSON shapes `gcloud ... --format=json` and the REST APIs print them.
 * Live collection converts client-library output to these shapes, so collection and import feed one normalizer.
 * Where gcloud's output does not name its subject (an allow policy, a key list), the document keeps the subject beside
 * the printed body in memory; `--raw-out` writes the printed body and puts the subject in the file name.
 */

import type { Shape } from '../cloud/shape.js';

/** RawDocument kinds of the GCP provider. */
export const DocumentKind = {
  /** `gcloud asset search-all-iam-policies --scope=organizations/O --format=json`: a list of IamPolicySearchResult. */
  assetIamPolicies: 'gcp.asset.searchAllIamPolicies',
  /** `gcloud organizations|resource-manager folders|projects|storage buckets get-iam-policy`: {resource, policy}. */
  iamPolicy: 'gcp.getIamPolicy',
  /** `gcloud iam policies list|get --kind=denypolicies`: {attachmentPoint, policies} (IAM v2 deny policies). */
  denyPolicies: 'gcp.iam.denyPolicies',
  /** `gcloud iam roles list|describe`: {parent, roles} (includedPermissions with view FULL or describe). */
  roles: 'gcp.iam.roles',
  /** `gcloud iam service-accounts list`: {project, accounts}. */
  serviceAccounts: 'gcp.iam.serviceAccounts',
  /** `gcloud iam service-accounts keys list --iam-account=E`: {serviceAccount, keys}. */
  serviceAccountKeys: 'gcp.iam.serviceAccountKeys',
  /** `gcloud org-policies describe C --effective`: one org policy (v2) whose name says where it applies. */
  orgPolicy: 'gcp.orgpolicy.effectivePolicy',
  /** Admin SDK directory v1 `users.list` response (one page or all pages joined). */
  directoryUsers: 'gcp.admin.directoryUsers',
  /** `gcloud organizations list|describe`. */
  organizations: 'gcp.organizations',
  /** `gcloud resource-manager folders list`. */
  folders: 'gcp.folders',
  /** `gcloud projects list|describe`. */
  projects: 'gcp.projects',
  /** A call that failed, with the API's error envelope: {operation, target, error{code, status, message}}. */
  error: 'gcp.error',
  /** cloudward's own note beside `--raw-out` files: which organization, which policy path, and when. */
  collection: 'gcp.cloudward.Collection',
  /** A REST list response that says more pages follow (nextPageToken): import notes it, then sets it aside. */
  page: 'gcp.cloudward.Page',
} as const;

export type DocumentKindValue = (typeof DocumentKind)[keyof typeof DocumentKind];

/** Gap topics (the `what` of a Gap); checks list the ones they need. */
export const GapTopic = {
  hierarchy: 'gcp.hierarchy',
  iamPolicy: 'gcp.iam-policy',
  resourcePolicies: 'gcp.resource-policies',
  denyPolicies: 'gcp.deny-policies',
  roles: 'gcp.roles',
  serviceAccounts: 'gcp.service-accounts',
  serviceAccountKeys: 'gcp.service-account-keys',
  orgPolicy: 'gcp.org-policy',
  directoryUsers: 'gcp.directory-users',
  cloudShell: 'gcp.cloud-shell',
} as const;

/** One read-only API operation: the REST API it calls, the IAM permission (or OAuth scope) it needs, the topic a failure opens. */
export interface Operation {
  api: string;
  permission: string;
  topic: string;
  /** The permission is an OAuth scope (Workspace), not an IAM permission. */
  oauthScope?: boolean;
}

export const OPERATIONS = {
  'cloudasset.searchAllIamPolicies': {
    api: 'cloudasset.googleapis.com',
    permission: 'cloudasset.assets.searchAllIamPolicies',
    topic: GapTopic.iamPolicy,
  },
  'cloudresourcemanager.organizations.get': {
    api: 'cloudresourcemanager.googleapis.com',
    permission: 'resourcemanager.organizations.get',
    topic: GapTopic.hierarchy,
  },
  'cloudresourcemanager.folders.search': {
    api: 'cloudresourcemanager.googleapis.com',
    permission: 'resourcemanager.folders.get',
    topic: GapTopic.hierarchy,
  },
  'cloudresourcemanager.projects.search': {
    api: 'cloudresourcemanager.googleapis.com',
    permission: 'resourcemanager.projects.get',
    topic: GapTopic.hierarchy,
  },
  'cloudresourcemanager.organizations.getIamPolicy': {
    api: 'cloudresourcemanager.googleapis.com',
    permission: 'resourcemanager.organizations.getIamPolicy',
    topic: GapTopic.iamPolicy,
  },
  'cloudresourcemanager.folders.getIamPolicy': {
    api: 'cloudresourcemanager.googleapis.com',
    permission: 'resourcemanager.folders.getIamPolicy',
    topic: GapTopic.iamPolicy,
  },
  'cloudresourcemanager.projects.getIamPolicy': {
    api: 'cloudresourcemanager.googleapis.com',
    permission: 'resourcemanager.projects.getIamPolicy',
    topic: GapTopic.iamPolicy,
  },
  'iam.policies.list': { api: 'iam.googleapis.com', permission: 'iam.denypolicies.list', topic: GapTopic.denyPolicies },
  'iam.policies.get': { api: 'iam.googleapis.com', permission: 'iam.denypolicies.get', topic: GapTopic.denyPolicies },
  'iam.roles.list': { api: 'iam.googleapis.com', permission: 'iam.roles.list', topic: GapTopic.roles },
  'iam.serviceAccounts.list': {
    api: 'iam.googleapis.com',
    permission: 'iam.serviceAccounts.list',
    topic: GapTopic.serviceAccounts,
  },
  'iam.serviceAccountKeys.list': {
    api: 'iam.googleapis.com',
    permission: 'iam.serviceAccountKeys.list',
    topic: GapTopic.serviceAccountKeys,
  },
  'orgpolicy.policies.getEffectivePolicy': {
    api: 'orgpolicy.googleapis.com',
    permission: 'orgpolicy.policy.get',
    topic: GapTopic.orgPolicy,
  },
  'admin.directory.users.list': {
    api: 'admin.googleapis.com',
    permission: 'https://www.googleapis.com/auth/admin.directory.user.readonly',
    topic: GapTopic.directoryUsers,
    oauthScope: true,
  },
} as const satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;

/** The org-policy constraints read at the organization and each project (effective policies). */
export const CONSTRAINTS = [
  'iam.disableServiceAccountKeyCreation',
  'iam.disableServiceAccountKeyUpload',
  'iam.allowedPolicyMemberDomains',
  'iam.managed.disableServiceAccountKeyCreation',
  'iam.managed.disableServiceAccountKeyUpload',
  'iam.managed.allowedPolicyMembers',
] as const;

/** google.iam.v1.Policy as the REST API and gcloud print it. */
export interface IamPolicy {
  version?: number;
  etag?: string;
  bindings?: Binding[];
  auditConfigs?: AuditConfig[];
}

export interface Binding {
  role: string;
  members?: string[];
  condition?: { expression?: string; title?: string; description?: string };
}

export interface AuditConfig {
  service: string;
  auditLogConfigs?: Array<{ logType: string; exemptedMembers?: string[] }>;
}

export interface IamPolicySearchResult {
  resource: string;
  assetType?: string;
  project?: string;
  folders?: string[];
  organization?: string;
  policy?: IamPolicy;
}

/** The body of a `gcp.getIamPolicy` document: the policy gcloud prints, and the resource it belongs to. */
export interface IamPolicyBody {
  /** `organizations/O`, `folders/F`, `projects/P`, or a full resource name (`//storage.googleapis.com/buckets/B`). */
  resource: string;
  policy: IamPolicy;
}

interface DenyRule {
  deniedPrincipals?: string[];
  exceptionPrincipals?: string[];
  deniedPermissions?: string[];
  exceptionPermissions?: string[];
  denialCondition?: { expression?: string; title?: string };
}

interface DenyPolicy {
  /** `policies/cloudresourcemanager.googleapis.com%2Fprojects%2F123/denypolicies/NAME`. */
  name: string;
  uid?: string;
  kind?: string;
  displayName?: string;
  rules?: Array<{ description?: string; denyRule?: DenyRule }>;
  etag?: string;
  createTime?: string;
  updateTime?: string;
}

export interface Role {
  name: string;
  title?: string;
  description?: string;
  includedPermissions?: string[];
  stage?: string;
  etag?: string;
  deleted?: boolean;
}

export interface ServiceAccount {
  name?: string;
  projectId?: string;
  uniqueId?: string;
  email: string;
  displayName?: string;
  description?: string;
  oauth2ClientId?: string;
  disabled?: boolean;
}

interface ServiceAccountKey {
  name: string;
  keyType?: string;
  keyOrigin?: string;
  keyAlgorithm?: string;
  validAfterTime?: string;
  validBeforeTime?: string;
  disabled?: boolean;
}

/** The body of a `gcp.iam.denyPolicies` document: the attachment point (`organizations/O`, `projects/P`) and its policies. */
export interface DenyPoliciesBody {
  attachmentPoint: string;
  policies: DenyPolicy[];
}

/** The body of a `gcp.iam.roles` document: the parent (`projects/P`, `organizations/O`, or `roles` for predefined). */
export interface RolesBody {
  parent: string;
  roles: Role[];
}

export interface ServiceAccountsBody {
  project: string;
  accounts: ServiceAccount[];
}

export interface KeysBody {
  serviceAccount: string;
  keys: ServiceAccountKey[];
}

export interface OrgPolicyRule {
  values?: { allowedValues?: string[]; deniedValues?: string[] };
  allowAll?: boolean;
  denyAll?: boolean;
  enforce?: boolean;
  condition?: { expression?: string; title?: string };
  parameters?: Record<string, unknown>;
}

export interface OrgPolicy {
  /** `projects/123/policies/iam.disableServiceAccountKeyCreation`, `organizations/O/policies/...`. */
  name: string;
  spec?: { etag?: string; updateTime?: string; rules?: OrgPolicyRule[]; inheritFromParent?: boolean; reset?: boolean };
}

export interface DirectoryUser {
  id?: string;
  primaryEmail: string;
  name?: { fullName?: string };
  isAdmin?: boolean;
  isDelegatedAdmin?: boolean;
  isEnrolledIn2Sv?: boolean;
  isEnforcedIn2Sv?: boolean;
  suspended?: boolean;
  archived?: boolean;
  lastLoginTime?: string;
  creationTime?: string;
  customerId?: string;
}

export interface DirectoryUsersBody {
  kind?: string;
  users?: DirectoryUser[];
  nextPageToken?: string;
}

export interface Organization {
  name: string;
  displayName?: string;
  owner?: { directoryCustomerId?: string };
  directoryCustomerId?: string;
  lifecycleState?: string;
  state?: string;
}

export interface Folder {
  name: string;
  displayName?: string;
  parent?: string;
  lifecycleState?: string;
  state?: string;
}

/** A project as `gcloud projects list` prints it (Resource Manager v1 shape), or as v3 `projects.search` returns it. */
export interface Project {
  projectId: string;
  projectNumber?: string;
  /** v1: the display name; v3: `projects/<number>`. */
  name?: string;
  /** v1: `{type, id}`; v3: `folders/F` or `organizations/O`. */
  parent?: { type?: string; id?: string } | string;
  lifecycleState?: string;
  /** v3. */
  state?: string;
  displayName?: string;
}

/** The body of a `gcp.error` document: the call, its subject, and Google's error envelope. */
export interface ErrorBody {
  operation: OperationName;
  target: string;
  error: { code: number; status?: string; message: string };
}

/** The body of a `gcp.cloudward.Page` note: the list field of a page that has a next page, and the kinds it held. */
export interface PageBody {
  field: string;
  kinds: string[];
}

/** The body of cloudward's `--raw-out` note. */
export interface CollectionBody {
  cloudward: {
    provider: 'gcp';
    scope: { kind: 'organization' | 'project'; id: string };
    collectedAt: string;
    allowPolicyPath: 'cloud-asset' | 'resource-manager' | 'files';
  };
}

// The shape of each kind's items (the interfaces above), checked when a document is recognised.
const condition: Shape = { expression: 'string', title: 'string', description: 'string' };
const strings: Shape = ['string'];

/**
 * google.iam.v1.Policy: checked wherever one is read (a get-iam-policy file, an asset search result). Only fields a
 * normalizer reads are declared (here and below): `etag` is bytes and times are Timestamps, which the client
 * libraries and gcloud print in different forms.
 */
export const IAM_POLICY_SHAPE: Shape = {
  version: 'number',
  bindings: [{ role: 'string', members: strings, condition }],
  auditConfigs: [{ service: 'string', auditLogConfigs: [{ logType: 'string', exemptedMembers: strings }] }],
};

export const ITEM_SHAPES: Partial<Record<DocumentKindValue, Shape>> = {
  [DocumentKind.assetIamPolicies]: {
    resource: 'string',
    assetType: 'string',
    project: 'string',
    folders: strings,
    organization: 'string',
    policy: IAM_POLICY_SHAPE,
  },
  [DocumentKind.serviceAccountKeys]: {
    name: 'string',
    keyType: 'string',
    keyOrigin: 'string',
    keyAlgorithm: 'string',
    validAfterTime: 'string',
    validBeforeTime: 'string',
    disabled: 'boolean',
  },
  [DocumentKind.serviceAccounts]: {
    name: 'string',
    projectId: 'string',
    uniqueId: 'string',
    email: 'string',
    displayName: 'string',
    description: 'string',
    oauth2ClientId: 'string',
    disabled: 'boolean',
  },
  [DocumentKind.roles]: {
    name: 'string',
    title: 'string',
    description: 'string',
    includedPermissions: strings,
    stage: 'string',
    deleted: 'boolean',
  },
  [DocumentKind.denyPolicies]: {
    name: 'string',
    displayName: 'string',
    rules: [
      {
        description: 'string',
        denyRule: {
          deniedPrincipals: strings,
          exceptionPrincipals: strings,
          deniedPermissions: strings,
          exceptionPermissions: strings,
          denialCondition: condition,
        },
      },
    ],
  },
  [DocumentKind.orgPolicy]: {
    name: 'string',
    spec: {
      inheritFromParent: 'boolean',
      reset: 'boolean',
      rules: [
        {
          values: { allowedValues: strings, deniedValues: strings },
          allowAll: 'boolean',
          denyAll: 'boolean',
          enforce: 'boolean',
          condition,
          parameters: 'object',
        },
      ],
    },
  },
  [DocumentKind.directoryUsers]: {
    id: 'string',
    primaryEmail: 'string',
    name: { fullName: 'string' },
    isAdmin: 'boolean',
    isDelegatedAdmin: 'boolean',
    isEnrolledIn2Sv: 'boolean',
    isEnforcedIn2Sv: 'boolean',
    suspended: 'boolean',
    archived: 'boolean',
    lastLoginTime: 'string',
    creationTime: 'string',
    customerId: 'string',
  },
  [DocumentKind.organizations]: {
    name: 'string',
    displayName: 'string',
    owner: { directoryCustomerId: 'string' },
    directoryCustomerId: 'string',
    lifecycleState: 'string',
    state: 'string',
  },
  [DocumentKind.folders]: {
    name: 'string',
    displayName: 'string',
    parent: 'string',
    lifecycleState: 'string',
    state: 'string',
  },
  // `parent` is an object in v1 and a string in v3, `projectNumber` text or a number: the normalizer reads either.
  [DocumentKind.projects]: {
    projectId: 'string',
    projectNumber: 'any',
    name: 'string',
    parent: 'any',
    lifecycleState: 'string',
    state: 'string',
    displayName: 'string',
  },
  [DocumentKind.error]: {
    operation: 'string',
    target: 'string',
    error: { code: 'number', status: 'string', message: 'string' },
  },
};
