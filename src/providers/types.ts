import type { AuditLogs } from '../events/audit-logs.js';
import type { Gap, ProviderName, Scope, ScopeKind, SnapshotPart } from '../snapshot/model.js';
import type { Projector } from './whatif/types.js';
import type { Shard } from './cloud/shard.js';

/** One API response or exported file, in the provider's own shape (as the provider's CLI would print it). */
export interface RawDocument {
  /** What the document is, e.g. `aws.iam.GetAccountAuthorizationDetails`, `windows.applocker-xml`. */
  kind: string;
  /** Where it came from: an API call (`iam:GetCredentialReport`) or a file path. */
  origin: string;
  body: unknown;
}

/** Everything read from one provider scope (an account, a tenant, a host), before normalization. */
export interface RawBundle {
  provider: ProviderName;
  scope: Scope;
  method: 'live' | 'import';
  collectedAt: string;
  documents: RawDocument[];
  gaps: Gap[];
  /** The file an imported bundle was read from as a whole (a host bundle): its items are accounted to it. */
  origin?: string;
  /**
   * Set by a `--shard K/N` run of a tenant- or organization-wide collector: whether this shard emits the
   * organization-wide part (the directory, its principals and roles: shard 1 only) and which of the scopes read
   * are its own sources, so the N shard snapshots merge without a resource in two of them.
   */
  shard?: { organization: boolean; scopes: string[] };
}

/** Progress lines go to stderr: a live line on a TTY, plain lines in CI, nothing with --quiet. */
export interface Progress {
  status(line: string): void;
  warn(line: string): void;
}

/**
 * A provider-specific CLI option (commander flag syntax) and the JSON Schema its value must meet. Options are
 * validated when the command starts (before any call is made), as Spectral validates rule options: a bad value is
 * exit 2 with a one-line error naming the flag.
 */
export interface ProviderOption {
  flags: string;
  description: string;
  defaultValue?: string;
  /**
   * JSON Schema (draft 2020-12) of the value. Values arrive as the strings commander parsed and are coerced to the
   * schema's type (`{ type: 'integer', minimum: 1 }` turns "8" into 8). Omitted: any string.
   */
  schema?: Record<string, unknown>;
  /** Said after the error when the value is rejected, e.g. `e.g. --region eu-west-1`. */
  hint?: string;
  /**
   * A former name kept working but hidden from --help: a value given under it is turned into the current option's
   * (`use`, its flags) by `value`, with a warning naming the current flag. It never reaches the adapter itself.
   */
  deprecated?: { use: string; value: (given: unknown) => unknown };
}

/** `max-attempts` -> `maxAttempts`. */
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
/** The long name in commander flag syntax: `--max-attempts <n>` -> `max-attempts`, `--no-workspace` -> `workspace`. */
type LongName<F extends string> = F extends `${string}--no-${infer Name}`
  ? Name
  : F extends `${string}--${infer Name} ${string}`
    ? Name
    : F extends `${string}--${infer Name}`
      ? Name
      : never;
/** commander's attribute name of a flag, as `optionKey` computes it at run time. */
type OptionKey<F extends string> = Camel<LongName<F>>;
/** What a validated option holds: a number for numeric schemas, a list for `<id...>`, a boolean for `--no-x`. */
type OptionValue<O extends ProviderOption> = O['flags'] extends `${string}--no-${string}`
  ? boolean
  : O['schema'] extends { type: 'integer' | 'number' }
    ? number
    : O['flags'] extends `${string}...>`
      ? string[]
      : string;
/**
 * The options an adapter receives, derived from its declared options (declare them `as const satisfies
 * readonly ProviderOption[]`): each current option under its commander key, typed by its schema. Deprecated names
 * are turned into current ones before an adapter sees them, so they have no key.
 */
export type OptionValues<Options extends readonly ProviderOption[]> = {
  [O in Options[number] as O extends { deprecated: object } ? never : OptionKey<O['flags']>]?: OptionValue<O>;
};

/**
 * One thing a collector does against a provider: an API call or a file read. `cloudward permissions <provider>` is
 * generated from these, and a test asserts every call a collector makes against its fake server is declared.
 */
export interface OperationDeclaration {
  /** How gaps and raw files name it: `iam:GetAccountAuthorizationDetails`, `GET /roleManagement/...`, `/etc/sudoers`. */
  id: string;
  kind: 'api' | 'file';
  /**
   * The gap topic a failure opens (one of the adapter's `gapTopics`). Omitted for calls whose failure stops the run
   * (exit 2, e.g. "who am I") or opens every topic of the scope (entering it: `level: 'enter'`).
   */
  topic?: string;
  /** The permission it needs (an IAM action, an Azure RBAC action, a Graph permission, a GCP permission, or a file mode note); omitted: none. */
  permission?: string;
  /** A licence or edition it needs beyond the permission, e.g. `Microsoft Entra ID P2` for PIM. */
  licence?: string;
  /**
   * Where it is called: in every scope (`scope`, the default), once for the whole organization or tenant with the
   * caller's own credentials (`organization`), or to enter a scope (`enter`, e.g. sts:AssumeRole).
   */
  level?: 'scope' | 'organization' | 'enter';
  /** Why the auditor reads it (one line, for the permissions output and docs). */
  purpose?: string;
}

export type { Shard };

export interface CollectContext<Options extends object = Record<string, unknown>, Hooks extends object = object> {
  /** The adapter's collect options, validated against their schemas and coerced (see `ProviderOption.schema`). */
  options: Options;
  /**
   * What only tests hand a collector (a fake credential, shorter retry delays, shared call counters): never set by the
   * CLI and never among the options a user can give.
   */
  hooks?: Hooks;
  progress: Progress;
  /** When set, the raw documents are also kept in this folder as evidence (`--raw-out`, one flag for every provider). */
  rawOut?: string;
  /** `--collected-at`, parsed once for every command (UTC ISO): collectors stamp their bundles with it, not the clock. */
  collectedAt?: string;
  /** `--shard K/N`: read only the scopes of this shard (by stable id; see `cloud/shard.ts`). */
  shard?: Shard;
  /**
   * When set, each scope's bundle is handed here as soon as it is read and not returned, so memory does not grow
   * with the number of scopes (the CLI normalizes it and spools the part to disk). `collectScopes` honours it.
   */
  sink?: (bundle: RawBundle) => Promise<void>;
}

/**
 * A compliance benchmark of the provider's own (a CIS Foundations Benchmark), offered by `--compliance`: its controls
 * in cloudward's scope, and the key under which checks map to it (`references.cis[cis]`).
 */
export interface ComplianceBenchmark {
  /** The `--compliance` name: `cis-aws-v5.0.0`. */
  id: string;
  title: string;
  /** The key of `references.cis` in checks: `aws-v5.0.0`. */
  cis: string;
  controls: Record<string, string>;
}

export interface ImportContext<Options extends object = Record<string, unknown>> {
  options: Options;
  progress: Progress;
  /** `--collected-at`, parsed once for every command (UTC ISO), when given. */
  collectedAt?: string;
}

/**
 * The door of a provider folder, declared in one typed object: what it is (name, title, OCSF cloud provider), what
 * it reads (scope kinds, operations with the permission each needs), what it can miss (gap topics), its options as
 * schemas, and the four functions: collect (live, read-only), import (files), normalize (pure), permissions; and,
 * optionally, the Terraform what-if projector of its resource types.
 * Registering it is one line in `providers/index.ts`; nothing in engine/, report/ or snapshot/ changes.
 */
export interface ProviderAdapter<
  CollectOptions extends object = Record<string, unknown>,
  ImportOptions extends object = Record<string, unknown>,
  Hooks extends object = object,
> {
  name: ProviderName;
  title: string;
  /**
   * The scope kinds its sources have (`account`, `subscription`, `project`, `host`, a Kubernetes `cluster`, ...), the
   * usual one first (a check's test case without a scope is put in one of it). Any lower-case word: a snapshot is
   * checked against these when loaded, so a new kind needs no change outside the adapter.
   */
  scopeKinds: ScopeKind[];
  /**
   * Every gap topic it can emit, with what the topic covers. Checks name these in `needs`; a check that needs a
   * topic no registered adapter declares is a load error.
   */
  gapTopics: Record<string, string>;
  /** Every API call or file read its collector makes (empty for import-only adapters). */
  operations: OperationDeclaration[];
  /**
   * OCSF `cloud.provider` (`AWS`, `Azure`, `GCP`) of every OCSF finding on its resources or in its logs, which then
   * also carry `cloud.account` (the scope) and the provider name as `cloud_partition`; omitted for hosts (no `cloud`).
   */
  ocsfCloudProvider?: string;
  collectOptions: readonly ProviderOption[];
  importOptions?: readonly ProviderOption[];
  collect?(context: CollectContext<CollectOptions, Hooks>): Promise<RawBundle[]>;
  importFiles(paths: string[], context: ImportContext<ImportOptions>): Promise<RawBundle[]>;
  /**
   * Pure: no I/O, no clock. Must equal the concatenation of normalizing each bundle alone (so sharded collection
   * merges to the unsharded snapshot and scopes can stream to disk one by one).
   */
  normalize(bundles: RawBundle[]): SnapshotPart;
  /**
   * Options of `cloudward permissions <name>` (e.g. AWS `--org-role`), given to `permissions` by their camel-cased
   * name; another provider's `permissions` refuses them.
   */
  permissionsOptions?: ProviderOption[];
  /** The least-privilege, read-only permissions collection needs, in the provider's own policy format. */
  permissions(options?: Record<string, unknown>): { format: 'json' | 'text'; text: string };
  /**
   * The Terraform what-if of its resource types (`audit --plan`), kept in the provider's `whatif/` folder and loaded
   * only when a plan is projected: which plan types it owns, how their changes apply to its raw documents (read with
   * `readRaw`, then normalized by `normalize` above), and what each change touches. Omitted: its changes are listed
   * as not projected.
   */
  projector?(): Promise<Projector>;
  /**
   * Its audit logs, for `cloudward detect` (kept in the provider's `audit-logs/` folder): the log sources it reads, how
   * a record of each is recognised and normalized into the event rules match, the clients its logs name, its
   * published address ranges and the export paths that say their time. Pure code, no SDK. Omitted: it has no logs.
   */
  auditLogs?: AuditLogs;
  /** The compliance benchmarks of its own (CIS) that `--compliance` offers; omitted: none. */
  benchmarks?: ComplianceBenchmark[];
}
