/**
 * The seam between a plan and the providers: each provider's adapter may carry a projector that applies the plan's
 * changes of its resource types to that provider's raw documents. Projection only: nothing here evaluates a check.
 */
import type { SnapshotPart, Source } from '../../snapshot/model.js';
import type { RawBundle } from '../types.js';
import type { PlanAction, PlanChange, Plan } from './plan.js';

/** How the projection treated one resource change of the plan. */
export type ChangeOutcome = 'projected' | 'unknown' | 'not-projected' | 'no-op';

/** One resource change as the report lists it. */
export interface ChangeNote {
  address: string;
  type: string;
  action: PlanAction;
  outcome: ChangeOutcome;
  /** The provider scope the change lands in (`aws:account/111111111111`), when known. */
  scope?: string;
  /** Why it was not projected, or what made it unknown. */
  reason?: string;
  /** Where the resource block is written, when the configuration's files were found. */
  file?: string;
  line?: number;
}

/**
 * Something the projection could not know: an attribute known only after apply, a sensitive value, a type without a
 * projector. The results of the resources its change touches (its effects), and of every resource in `scopes`,
 * cannot pass.
 */
export interface ProjectionGap {
  address: string;
  attribute?: string;
  reason: string;
  /** Scope keys (`aws:account/111111111111`) or provider names (`azure`) all of whose results it touches. */
  scopes: string[];
}

/** What one change touches after projection: resource uids in the projected snapshot, for naming causes. */
export interface ChangeEffect {
  address: string;
  uids: string[];
}

/** A projector's answer: the projected bundles, and what it could and could not do with each change. */
export interface Projection {
  bundles: RawBundle[];
  notes: ChangeNote[];
  gaps: ProjectionGap[];
  /**
   * Called with the normalized projected part (principals, roles, controls of the projected scopes): which resource
   * uids each change touches, including the ones it reaches through groups and policies.
   */
  effects(part: SnapshotPart): ChangeEffect[];
}

/**
 * A provider's Terraform what-if: which plan resource types it handles, and how it applies them to its raw bundles.
 * It is the optional `projector` part of the provider's adapter (`src/providers/<name>/whatif/`); the projected
 * bundles are normalized by the adapter's own `normalize`.
 */
export interface Projector {
  /** Whether the resource type belongs to this provider (`aws_*`), handled or not. */
  owns(type: string): boolean;
  /** Whether the type can change this provider's M1026/M1038 posture (IAM, organization policy, audit logging). */
  touchesPosture(type: string): boolean;
  /** Whether the type is projected. */
  supports(type: string): boolean;
  /**
   * Applies the changes (all of `owns` types) to copies of the bundles; `snapshotScopes` are the scope ids of this
   * provider the snapshot covers. Throws UserError for a scope the snapshot does not cover.
   */
  project(plan: Plan, changes: PlanChange[], bundles: RawBundle[], snapshotScopes: Set<string>): Projection;
  /**
   * Reads raw documents (files) into bundles, as `import` does; absent for providers whose projection is pending.
   * `sources` are the snapshot's, for what the files do not say themselves (when gcloud exports were made). The
   * check that the raw documents reproduce the snapshot reads them with it too (`whatif/verify.ts`).
   */
  readRaw?(paths: string[], sources?: Source[]): Promise<RawBundle[]>;
}
