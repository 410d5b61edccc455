import type { ValidateFunction } from 'ajv';
import type { Scope } from '../snapshot/model.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Mitigation = 'M1026' | 'M1038';
export type ResourceKind = 'principals' | 'roles' | 'controls' | 'hosts' | 'scopes';
export type Status = 'pass' | 'fail' | 'unknown' | 'waived';
export type CaseExpectation = Status | 'not-applicable';
/** How a gap on a needed topic bears on a check's verdicts (docs/checks.md, "Gaps"). */
export type GapEffect = 'unknown' | 'fail-stands' | 'pass-stands' | 'none' | 'undercount';

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

/** Whether `severity` is at or above a `--fail-on` threshold (nothing is, for none). The one severity order: SEVERITIES. */
export function atOrAbove(severity: Severity, threshold: Severity | 'none'): boolean {
  return threshold !== 'none' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1 };

export const MEASURES: Record<Mitigation, string[]> = {
  M1026: [
    'account-permissions-and-roles',
    'credential-security',
    'multi-factor-authentication',
    'privileged-access-management',
    'auditing-and-monitoring',
    'just-in-time-access',
  ],
  M1038: ['application-control', 'script-blocking', 'executable-blocking', 'dynamic-analysis-prevention'],
};

export const MITIGATION_NAMES: Record<Mitigation, string> = {
  M1026: 'Privileged Account Management',
  M1038: 'Execution Prevention',
};

export interface CheckCase {
  name: string;
  expect: CaseExpectation;
  resource?: Record<string, unknown>;
  related?: Partial<Record<'principals' | 'roles' | 'controls' | 'hosts', Array<Record<string, unknown>>>>;
  gaps?: Array<{ what: string; reason: string }>;
  collectedAt?: string;
  /** JSON pointers (into the resource) that must be exactly the result's failing ones. */
  failed?: string[];
  /** JSON pointers that must be exactly the result's missing ones (an unknown result's absent data). */
  missing?: string[];
  /** The result's message, exactly (a failure's rendered message, or an unknown's "Not assessed: ..."). */
  message?: string;
  /** Values of the check's parameters for this case (the defaults otherwise). */
  parameters?: Record<string, string[]>;
}

/** A list a check reads through `namedIn`, set once for every check in the project file's `parameters:`. */
export interface CheckParameter {
  description: string;
  /** The names it holds when the project sets none (none when left out). */
  default?: string[];
}

/** A check as written in policies/*.yaml (validated against schemas/policy.schema.json). */
export interface CheckDefinition {
  id: string;
  title: string;
  description: string;
  mitigation: Mitigation;
  measure: string;
  technique: string;
  severity: Severity;
  resource: ResourceKind;
  where?: Record<string, unknown>;
  aggregate?: Record<string, { resource: Exclude<ResourceKind, 'scopes'>; where?: Record<string, unknown> }>;
  require: Record<string, unknown>;
  needs?: string[];
  /** Per needed topic, how its gap bears on the verdicts; a topic left out has the default (see defaultGapEffect). */
  gapEffect?: Record<string, GapEffect>;
  evidence?: string[];
  /** Named lists its schemas read through `namedIn` (see parameters.ts). */
  parameters?: Record<string, CheckParameter>;
  message: string;
  remediation: string;
  references: { cis?: Record<string, string[]>; nist: string[]; attack?: string[]; url?: string };
  tests: CheckCase[];
}

/** A loaded, compiled check: its definition, where it came from, and the compiled schemas. */
export interface Check extends CheckDefinition {
  file: string;
  /** 1-based line of each top-level key, for locations in reports. */
  line: number;
  matches: ValidateFunction;
  requires: ValidateFunction;
  aggregates: Array<{
    name: string;
    resource: Exclude<ResourceKind, 'scopes'>;
    matches: ValidateFunction;
    providers?: string[];
  }>;
  /** JSON pointers (as segment arrays) of the data the check reads; absent data makes the result unknown. */
  evidencePaths: string[][];
  /** Providers the `where` can match (from a `provider` const/enum), for indexing; undefined = any. */
  providers?: string[];
  /** Kinds the `where` can match (from a `kind` const/enum of strings), to skip the others unjudged; undefined = any. */
  kinds?: string[];
}

export interface ResultResource {
  uid: string;
  kind: ResourceKind;
  provider: string;
  scope: Scope;
  nativeId?: string;
  name?: string;
}

export interface FailedAssertion {
  path: string;
  keyword: string;
  message: string;
  actual?: unknown;
}

export interface Evidence {
  /** Values of the data the check reads, by JSON pointer. */
  observed: Record<string, unknown>;
  /** What did not hold, with the value seen. */
  failed?: FailedAssertion[];
  /** Data that was absent or "unknown". */
  missing?: string[];
  /** Collection gaps that made the result unknown. */
  gaps?: Array<{ what: string; reason: string; call?: string }>;
  /** A scope check's members, by what each list holds (the uids counted). */
  members?: Record<string, string[]>;
}

export interface Result {
  checkId: string;
  status: Status;
  resource: ResultResource;
  message: string;
  evidence: Evidence;
  waiver?: { id: string; owner: string; reason: string; ticket?: string; expires: string };
  baselineState?: 'new' | 'unchanged' | 'absent';
}
