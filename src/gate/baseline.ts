import type { Result, Status } from '../engine/types.js';
import { scopeKey, type Scope } from '../snapshot/model.js';

/** What the comparison reads of a result, this run's or the baseline's: matched by fingerprint, placed by scope. */
interface ComparedResult {
  checkId: string;
  resource: { uid: string; provider: string; scope: Scope };
  status: Status;
  fingerprint: string;
}

/**
 * An earlier report as the comparison reads it (a loaded JSON report is one): its results, the sources its snapshot
 * read, and its results by fingerprint.
 */
export interface Baseline {
  file: string;
  report: { results: readonly ComparedResult[]; snapshot: { sources: unknown } };
  byFingerprint: ReadonlyMap<string, ComparedResult>;
}

/** Findings against the baseline (the JSON report's `baseline`): counts, and the baseline's findings now gone. */
export interface BaselineComparison {
  file: string;
  new: number;
  unchanged: number;
  fixed: number;
  /**
   * Baseline findings not evaluated this run: of checks left out (--checks/--skip-checks, not loaded), or of scopes
   * the snapshot does not cover (an account that failed to collect, a subscription left out).
   */
  notEvaluated: number;
  notEvaluatedChecks: string[];
  /** Scopes (`aws:account/123456789012`) of the baseline that this snapshot does not cover, whose findings are not evaluated. */
  notEvaluatedScopes: string[];
  /** The baseline and this snapshot share no scope: most likely a report of another tenant. */
  noCommonScope?: boolean;
  fixedResults: Array<{ checkId: string; uid: string; fingerprint: string }>;
}

/** How much a finding weighs on the gate: a finding that moved up this order needs review again. */
const GATE_RANK: Record<Status, number> = { pass: 0, waived: 1, unknown: 2, fail: 3 };

/** A status that is a finding: something a reviewer has to look at (everything but `pass`). */
export function isFinding(status: Status): boolean {
  return status !== 'pass';
}

/** The scopes (`aws:account/123456789012`) a report's snapshot read; sources without a well-formed scope are left out. */
export function sourceScopes(report: { snapshot?: { sources: unknown } }): string[] {
  const sources: unknown = report.snapshot?.sources;
  if (!Array.isArray(sources)) return [];
  return sources.flatMap((s: { provider?: unknown; scope?: { kind?: unknown; id?: unknown } } | null) =>
    typeof s?.provider === 'string' && typeof s.scope?.kind === 'string' && typeof s.scope.id === 'string'
      ? [scopeKey(s.provider, s.scope as Scope)]
      : [],
  );
}

/**
 * Marks each current finding `new` or `unchanged` against the baseline (matched by fingerprint = check id + resource
 * uid) and lists the baseline's findings that are gone (`fixed`: the resource passes now, or is no longer there).
 * A finding whose status moved towards failing (a waiver expired, so `waived` became `fail`; a gap was filled, so
 * `unknown` became `fail`) counts as new: it needs a reviewer's attention again. One that moved the other way (now
 * waived, or now unknown) is unchanged. Passing results get no baseline state.
 * A baseline finding of a check that was not evaluated this time (left out by --checks/--skip-checks, or not
 * loaded), or of a scope the baseline read and this snapshot does not (`covered`: this snapshot's source scopes), is
 * neither fixed nor still there: it is counted as `notEvaluated`, with the checks and scopes named. An account that
 * failed to collect must not look remediated.
 * Mutates `results` (sets `baselineState`) and returns the report's `baseline` block.
 */
export function compareWithBaseline(
  results: Array<ComparedResult & { baselineState?: Result['baselineState'] }>,
  baseline: Baseline,
  evaluated?: ReadonlySet<string>,
  covered?: ReadonlySet<string>,
): BaselineComparison {
  const block: BaselineComparison = {
    file: baseline.file,
    new: 0,
    unchanged: 0,
    fixed: 0,
    notEvaluated: 0,
    notEvaluatedChecks: [],
    notEvaluatedScopes: [],
    fixedResults: [],
  };
  const skipped = new Set<string>();
  const baselineScopes = new Set(sourceScopes(baseline.report));
  const missingScopes = covered ? new Set([...baselineScopes].filter((key) => !covered.has(key))) : new Set<string>();
  if (covered && baselineScopes.size > 0 && missingScopes.size === baselineScopes.size) block.noCommonScope = true;
  const uncovered = new Set<string>();
  const current = new Map<string, ComparedResult>();
  for (const result of results) {
    current.set(result.fingerprint, result);
    if (!isFinding(result.status)) continue;
    const before = baseline.byFingerprint.get(result.fingerprint);
    const unchanged =
      before !== undefined && isFinding(before.status) && GATE_RANK[result.status] <= GATE_RANK[before.status];
    result.baselineState = unchanged ? 'unchanged' : 'new';
    if (unchanged) block.unchanged++;
    else block.new++;
  }
  for (const before of baseline.report.results) {
    if (!isFinding(before.status)) continue;
    const now = current.get(before.fingerprint);
    if (now && isFinding(now.status)) continue;
    if (evaluated && !evaluated.has(before.checkId)) {
      block.notEvaluated++;
      skipped.add(before.checkId);
      continue;
    }
    const scope = before.resource.scope as Scope | undefined;
    const key = scope ? scopeKey(before.resource.provider, scope) : undefined;
    if (!now && key !== undefined && missingScopes.has(key)) {
      block.notEvaluated++;
      uncovered.add(key);
      continue;
    }
    block.fixedResults.push({ checkId: before.checkId, uid: before.resource.uid, fingerprint: before.fingerprint });
  }
  block.fixed = block.fixedResults.length;
  block.notEvaluatedChecks = [...skipped].sort();
  block.notEvaluatedScopes = [...uncovered].sort();
  return block;
}
