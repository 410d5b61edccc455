import type { Gap, ProviderName, Scope, SnapshotPart } from '../snapshot/model.js';

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
}

/** Progress lines go to stderr: a live line on a TTY, plain lines in CI, nothing with --quiet. */
export interface Progress {
  status(line: string): void;
  warn(line: string): void;
}

/** A provider-specific CLI option for `collect` (commander flag syntax). */
export interface ProviderOption {
  flags: string;
  description: string;
  defaultValue?: string;
}

export interface CollectContext {
  options: Record<string, unknown>;
  progress: Progress;
  /** When set, the raw documents are also kept in this folder as evidence. */
  rawOut?: string;
}

export interface ImportContext {
  options: Record<string, unknown>;
  progress: Progress;
}

/** The door of a provider folder: collect (live, read-only), import (files), normalize (pure), permissions. */
export interface ProviderAdapter {
  name: ProviderName;
  title: string;
  collectOptions: ProviderOption[];
  importOptions?: ProviderOption[];
  collect?(context: CollectContext): Promise<RawBundle[]>;
  importFiles(paths: string[], context: ImportContext): Promise<RawBundle[]>;
  normalize(bundles: RawBundle[]): SnapshotPart;
  /** The least-privilege, read-only permissions collection needs, in the provider's own policy format. */
  permissions(): { format: 'json' | 'text'; text: string };
}
