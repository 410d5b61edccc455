/**
 * The provider-neutral snapshot: the contract between collection and evaluation.
 * `schemas/snapshot.schema.json` is authoritative; these types mirror it.
 */

export const SNAPSHOT_SCHEMA_VERSION = '1.0';

export type ProviderName = 'aws' | 'azure' | 'gcp' | 'windows' | 'linux';
export type ScopeKind = 'account' | 'organization' | 'tenant' | 'subscription' | 'project' | 'host';

/** Where a resource lives: one account, subscription, project, tenant, organization or host. */
export interface Scope {
  kind: ScopeKind;
  id: string;
  name?: string;
}

/** Data that could not be read. Checks that `need` the topic yield `unknown` for the scope. */
export interface Gap {
  /** Topic id, e.g. `aws.credential-report`, `linux.sudoers`. Checks name topics in `needs`. */
  what: string;
  reason: string;
  /** The API call or file that failed, when there is one. */
  call?: string;
}

export interface Source {
  provider: ProviderName;
  scope: Scope;
  method: 'live' | 'import';
  collectedAt: string;
  gaps: Gap[];
}

export type PrincipalKind =
  | 'root'
  | 'user'
  | 'group'
  | 'role'
  | 'serviceAccount'
  | 'servicePrincipal'
  | 'managedIdentity';

export type MfaState = 'enabled' | 'disabled' | 'unknown';

export interface Mfa {
  state: MfaState;
  methods?: string[];
  phishingResistant?: boolean | null;
  hardware?: boolean | null;
}

export type CredentialKind = 'password' | 'accessKey' | 'serviceAccountKey' | 'secret' | 'certificate';

/** A credential's metadata. Never its value. */
export interface Credential {
  kind: CredentialKind;
  id: string;
  active: boolean;
  createdAt?: string | null;
  lastUsedAt?: string | null;
  lastRotatedAt?: string | null;
  expiresAt?: string | null;
}

export type AssignmentMode = 'standing' | 'eligible' | 'active-jit';

export interface Assignment {
  /** uid of a role in `roles[]`. */
  role: string;
  /** Where the assignment applies (an ARN pattern, an ARM scope, a resource name). */
  scope: string;
  mode: AssignmentMode;
  /** `direct`, or the uid of the group it comes through. */
  via: string;
  expiresAt?: string | null;
  /** The assignment's condition (an MFA condition in a trust policy, an IAM condition), when it has one. */
  condition?: string | null;
  /** The assigned role's privilege level, copied from `roles[]` so checks on a principal can see it. */
  rolePrivilege?: PrivilegeLevel;
}

export type PrivilegeLevel = 'admin' | 'privileged' | 'none';

export interface Privilege {
  level: PrivilegeLevel;
  reasons: string[];
}

export interface Principal {
  uid: string;
  provider: ProviderName;
  scope: Scope;
  nativeId: string;
  kind: PrincipalKind;
  name: string;
  guest?: boolean;
  interactive?: boolean | null;
  enabled?: boolean;
  mfa?: Mfa;
  credentials?: Credential[];
  assignments?: Assignment[];
  privilege?: Privilege;
  lastActivityAt?: string | null;
  createdAt?: string | null;
  /** Provider-specific facts that checks may read (e.g. `maxSessionDurationSeconds`). */
  details?: Record<string, unknown>;
}

export interface Role {
  uid: string;
  provider: ProviderName;
  scope: Scope;
  nativeId?: string;
  name: string;
  builtIn: boolean;
  permissions: { allow: string[]; deny: string[] };
  privilege: Privilege;
  details?: Record<string, unknown>;
}

export type ControlState = 'enabled' | 'disabled' | 'report-only' | 'unknown';

/** A tenant-level setting: conditional access, password policy, SCP, audit logging, Cloud Shell restriction, ... */
export interface Control {
  uid: string;
  provider: ProviderName;
  scope: Scope;
  type: string;
  name: string;
  state: ControlState;
  settings: Record<string, unknown>;
}

export type Enforcement = 'NotConfigured' | 'AuditOnly' | 'Enabled';

export interface AppLockerRule {
  id: string;
  name: string;
  kind: 'path' | 'publisher' | 'hash';
  action: 'Allow' | 'Deny';
  /** The SID the rule applies to, and its well-known name when it has one. */
  sid: string;
  principal?: string;
  /** Path patterns (path rules), publisher/product/binary (publisher rules) or file names (hash rules). */
  conditions: string[];
  exceptions: string[];
}

export interface AppLockerCollection {
  enforcement: Enforcement;
  rules: AppLockerRule[];
}

export type ExecutionPolicy =
  | 'Restricted'
  | 'AllSigned'
  | 'RemoteSigned'
  | 'Unrestricted'
  | 'Bypass'
  | 'Undefined'
  | 'Default';

export interface Host {
  uid: string;
  provider: 'windows' | 'linux';
  scope: Scope;
  os: 'windows' | 'linux';
  name: string;
  osVersion?: string;
  powershell?: {
    executionPolicies: Partial<Record<'MachinePolicy' | 'UserPolicy' | 'Process' | 'CurrentUser' | 'LocalMachine', ExecutionPolicy>>;
    effective: ExecutionPolicy;
    effectiveScope: string;
    languageMode?: string | null;
  };
  applocker?: {
    collections: Partial<Record<'Exe' | 'Script' | 'Msi' | 'Dll' | 'Appx', AppLockerCollection>>;
  };
  wdac?: { state: 'enforced' | 'audit' | 'off' | 'unknown'; policies?: string[] };
  asr?: { rules: Array<{ id: string; name?: string; action: 'block' | 'audit' | 'warn' | 'off' }> };
  localAdmins?: Array<{ name: string; sid?: string; kind?: string }>;
  mounts?: Array<{ path: string; device?: string; fstype?: string; options: string[] }>;
  sudoers?: Array<{
    who: string;
    runAs: string;
    commands: string[];
    nopasswd: boolean;
    source?: string;
  }>;
  mac?: { selinux?: string | null; apparmor?: string | null; fapolicyd?: string | null };
  ssh?: { permitRootLogin?: string | null };
  privilegedGroups?: Array<{ name: string; members: string[] }>;
  cloudTools?: Array<{ tool: string; path: string; version?: string | null }>;
  cloudCredentials?: Array<{ tool: string; path: string; kind: 'long-lived' | 'short-lived'; detail?: string }>;
  details?: Record<string, unknown>;
}

export interface Snapshot {
  schemaVersion: string;
  generator: { name: string; version: string };
  collectedAt: string;
  digest?: string;
  sources: Source[];
  principals: Principal[];
  roles: Role[];
  controls: Control[];
  hosts: Host[];
}

/** What one provider adapter contributes: a snapshot without the envelope. */
export type SnapshotPart = Pick<Snapshot, 'sources' | 'principals' | 'roles' | 'controls' | 'hosts'>;

/** The key that ties a resource to its source: `aws:account/123456789012`. */
export function scopeKey(provider: string, scope: Scope): string {
  return `${provider}:${scope.kind}/${scope.id}`;
}
