/**
 * The provider-neutral snapshot: the contract between collection and evaluation.
 * `schemas/snapshot.schema.json` is authoritative; these types mirror it.
 */

export const SNAPSHOT_SCHEMA_VERSION = '1.0';

/**
 * A registered provider adapter's name (lower-case letters, digits, dashes): adding a provider changes nothing here.
 */
export type ProviderName = string;
/**
 * What a source is (`account`, `tenant`, `project`, `host`, a Kubernetes `cluster`, ...): one of the `scopeKinds` its
 * provider adapter declares, checked against the registry when a snapshot is loaded, so a new kind needs no change here.
 */
export type ScopeKind = string;

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

/** Items of one input set aside for one reason. */
export interface ItemReason {
  reason: string;
  count: number;
  /** The gap topic the drop opened (it could change a verdict); absent for a drop that is a warning only. */
  gap?: string;
}

/**
 * What became of the items of one input (a file, or an API call's responses): read = used + skipped + dropped.
 * Skipped items were read and are of no concern to any check (a Google-held key, a constraint no check reads);
 * dropped items could not be placed in the snapshot, and each opens a gap when it could change a verdict.
 */
export interface ItemAccount {
  /** The file or API call the items came from. */
  origin: string;
  read: number;
  used: number;
  skipped?: ItemReason[];
  dropped?: ItemReason[];
}

export interface Source {
  provider: ProviderName;
  scope: Scope;
  method: 'live' | 'import';
  collectedAt: string;
  gaps: Gap[];
  /** Per input, the items read, used, skipped and dropped (with the reasons); absent for sources that predate it. */
  items?: ItemAccount[];
}

export type PrincipalKind =
  | 'root'
  | 'user'
  | 'group'
  | 'role'
  | 'serviceAccount'
  | 'servicePrincipal'
  | 'managedIdentity';

type MfaState = 'enabled' | 'disabled' | 'unknown';

export interface Mfa {
  state: MfaState;
  methods?: string[];
  phishingResistant?: boolean | null;
  hardware?: boolean | null;
}

type CredentialKind = 'password' | 'accessKey' | 'serviceAccountKey' | 'secret' | 'certificate';

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
  /** A path rule whose path covers a user-writable location (%TEMP%, %APPDATA%, the Users folder, ...). */
  userWritable?: boolean;
  /** The rule applies to everyone or all ordinary users (Everyone, Users, Authenticated Users, Domain Users). */
  broadPrincipal?: boolean;
}

/** User-writable places an AppLocker path rule can open up. */
export type UserWritableLocation = 'temp' | 'appdata' | 'localappdata' | 'downloads' | 'profile' | 'windows-temp';

export interface AppLockerCollection {
  /** The mode in effect: a NotConfigured collection that has rules is enforced. */
  enforcement: Enforcement;
  rules: AppLockerRule[];
  /** EnforcementMode as the policy writes it. */
  declaredEnforcement?: Enforcement;
  /** An allow rule for everyone covers a user-writable location that no deny rule or exception takes back. */
  userWritableAllowed?: boolean;
  userWritableLocations?: UserWritableLocation[];
}

export type ExecutionPolicy =
  | 'Restricted'
  | 'AllSigned'
  | 'RemoteSigned'
  | 'Unrestricted'
  | 'Bypass'
  | 'Undefined'
  | 'Default';

export type ExecutionPolicyScope = 'MachinePolicy' | 'UserPolicy' | 'Process' | 'CurrentUser' | 'LocalMachine';
export type AppLockerCollectionType = 'Exe' | 'Script' | 'Msi' | 'Dll' | 'Appx';
export type WdacState = 'enforced' | 'audit' | 'off' | 'unknown';

/** The mount that holds a user-writable path, and its options. */
export interface HostMount {
  path: string;
  device?: string;
  fstype?: string;
  options: string[];
  /** path itself when it is a mount point, else the nearest parent mount. */
  mountPoint?: string;
  /** mounted: the live mount table; fstab: configured only. */
  origin?: 'mounted' | 'fstab';
}

/** One sudoers grant: who may run which commands as whom, and whether a password is asked. */
export interface SudoersEntry {
  who: string;
  runAs: string;
  commands: string[];
  nopasswd: boolean;
  source?: string;
  hosts?: string;
  /** A command holds a shell wildcard, which sudo matches loosely. */
  wildcard?: boolean;
}

export interface Host {
  uid: string;
  provider: ProviderName;
  scope: Scope;
  os: 'windows' | 'linux';
  name: string;
  osVersion?: string;
  /** Each part is absent when it could not be read. */
  powershell?: {
    executionPolicies?: Partial<Record<ExecutionPolicyScope, ExecutionPolicy>>;
    effective?: ExecutionPolicy;
    /** The scope that decided `effective`, or `Default` when every scope is Undefined. */
    effectiveScope?: ExecutionPolicyScope | 'Default';
    /** The language mode of the collecting session. */
    languageMode?: string | null;
    /** The language mode a standard user gets (observed when the collector ran unelevated, else derived). */
    nonAdminLanguageMode?: string;
    /** The machine's __PSLockdownPolicy value; null when unset. */
    lockdownPolicy?: string | null;
  };
  applocker?: {
    collections: Partial<Record<AppLockerCollectionType, AppLockerCollection>>;
    /** The Application Identity service, without which AppLocker rules are not enforced. */
    appIdSvc?: 'running' | 'stopped' | 'unknown';
  };
  wdac?: { state: WdacState; policies?: string[]; usermode?: WdacState };
  asr?: { rules: Array<{ id: string; name?: string; action: 'block' | 'audit' | 'warn' | 'off' }> };
  localAdmins?: Array<{ name: string; sid?: string; kind?: string }>;
  mounts?: HostMount[];
  sudoers?: SudoersEntry[];
  mac?: { selinux?: string | null; apparmor?: string | null; fapolicyd?: string | null; enforcing?: boolean };
  ssh?: { permitRootLogin?: string | null; source?: string };
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
  /** Set by `merge --allow-modified`: inputs it took whose content no digest vouched for (so audits say unverified). */
  unverifiedInputs?: Array<{ file: string; reason: string }>;
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
