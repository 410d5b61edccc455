import { evaluate } from './engine/evaluate.js';
import { score, type Scorecard } from './engine/score.js';
import type { Check, Result } from './engine/types.js';
import { compareWithBaseline, type BaselineComparison, type Baseline } from './gate/baseline.js';
import { DEFAULT_MAX_AGE_DAYS, staleSnapshotText } from './gate/freshness.js';
import {
  assertSomethingToGate,
  baselineOtherTenantText,
  decideGate,
  type GateOptions,
  type GateVerdict,
} from './gate/decide.js';
import { applyWaivers, type Waiver, type WaiverNote } from './gate/waivers.js';
import {
  buildReport,
  reportResults,
  reportTime,
  type Report,
  type ReportResult,
  type ReportWarning,
} from './report/model.js';
import type { LoadedSnapshot, SnapshotFile } from './snapshot/load.js';
import { scopeKey, type Snapshot } from './snapshot/model.js';

export interface AuditInput {
  loaded: LoadedSnapshot;
  checks: Check[];
  gate: GateOptions;
  /** Accepted risks, applied before scoring (a waived result counts as not passing). */
  waivers?: Waiver[];
  /** The previous report: results are marked new or unchanged against it, and its fixed findings listed. */
  baseline?: Baseline;
  /** Report time (default: SOURCE_DATE_EPOCH or now); waiver expiry is judged against it. */
  generatedAt?: string;
  /** Results already evaluated on this snapshot with these checks (what-if reuses those of unchanged scopes). */
  results?: Result[];
  /**
   * What the run's outputs never show and so need not be made (default: everything). Findings are fingerprinted
   * anyway when a baseline is compared.
   */
  omit?: { passEvidence?: boolean; evidence?: boolean; fingerprints?: boolean };
  /** Data older than this many days at the report time gets a warning (default 7); it does not change the gate. */
  maxAgeDays?: number;
}

/** Everything an audit decided, before any report is made of it. Holds no reference to the snapshot's resources. */
export interface Judgement {
  snapshot: Pick<Snapshot, 'collectedAt' | 'digest' | 'sources'>;
  checks: Check[];
  results: ReportResult[];
  scorecard: Scorecard;
  generatedAt: string;
  waivers?: WaiverNote[];
  baseline?: BaselineComparison;
  verdict: GateVerdict;
  warnings?: ReportWarning[];
}

/** The pure part of an audit, in pipeline order: evaluate, waive, score, compare with the baseline, gate. No I/O. */
export function judgeSnapshot(input: AuditInput): Judgement {
  assertSomethingToGate(input.checks.length, input.gate);
  const { snapshot } = input.loaded;
  const generatedAt = input.generatedAt ?? reportTime();
  let evaluated =
    input.results ??
    evaluate(snapshot, input.checks, undefined, {
      passEvidence: !input.omit?.passEvidence,
      evidence: !input.omit?.evidence,
    });
  const waived = input.waivers ? applyWaivers(evaluated, input.waivers, generatedAt) : undefined;
  if (waived) evaluated = waived.results;
  const scorecard = score(evaluated, input.checks);
  // A baseline comparison matches findings by fingerprint: passes need none when no output shows them.
  const results = reportResults(evaluated, input.checks, {
    fingerprints: !input.omit?.fingerprints || (input.baseline ? 'findings' : false),
  });
  const covered = new Set(snapshot.sources.map((s) => scopeKey(s.provider, s.scope)));
  const baseline = input.baseline
    ? compareWithBaseline(results, input.baseline, new Set(input.checks.map((c) => c.id)), covered)
    : undefined;
  const stale = staleSnapshotText(snapshot, generatedAt, input.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS);
  const warnings: ReportWarning[] = [
    ...(stale ? [{ code: 'stale-snapshot' as const, message: stale }] : []),
    ...(baseline?.noCommonScope
      ? [{ code: 'baseline-other-tenant' as const, message: baselineOtherTenantText(baseline) }]
      : []),
  ];
  assertSomethingToGate(input.checks.length, input.gate, results.length);
  const verdict = decideGate(results, scorecard, baseline, waived?.notes, input.gate);
  return {
    snapshot: {
      collectedAt: snapshot.collectedAt,
      ...(snapshot.digest ? { digest: snapshot.digest } : {}),
      sources: snapshot.sources,
    },
    checks: input.checks,
    results,
    scorecard,
    generatedAt,
    ...(waived ? { waivers: waived.notes } : {}),
    ...(baseline ? { baseline } : {}),
    verdict,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** The report of a judgement: what every formatter renders. */
export function reportJudgement(judgement: Judgement, files: SnapshotFile[]): Report {
  const { verdict, ...rest } = judgement;
  return buildReport({ ...rest, files, gate: verdict.decision });
}

/** Judges a loaded snapshot and makes its report (the files as loaded). */
export function auditSnapshot(input: AuditInput): Report {
  return reportJudgement(judgeSnapshot(input), input.loaded.files);
}
