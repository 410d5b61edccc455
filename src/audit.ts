import { evaluate } from './engine/evaluate.js';
<<<<<<< HEAD
import { score } from './engine/score.js';
import type { Check, Result } from './engine/types.js';
import { UserError } from './errors.js';
import { compareWithBaseline, type LoadedReport } from './gate/baseline.js';
import { decideGate, type GateOptions } from './gate/decide.js';
import { applyWaivers, type Waiver } from './gate/waivers.js';
import { buildReport, reportTime, type Report } from './report/model.js';
import type { LoadedSnapshot } from './snapshot/load.js';
=======
import { score, type Scorecard } from './engine/score.js';
import type { Check } from './engine/types.js';
import { compareWithBaseline, type BaselineComparison, type LoadedReport } from './gate/baseline.js';
import { decideGate, type GateOptions, type GateVerdict } from './gate/decide.js';
import { applyWaivers, type Waiver, type WaiverNote } from './gate/waivers.js';
import { buildReport, reportResults, reportTime, type Report, type ReportResult } from './report/model.js';
import type { LoadedSnapshot, SnapshotFile } from './snapshot/load.js';
import type { Snapshot } from './snapshot/model.js';
>>>>>>> engine

export interface AuditInput {
  loaded: LoadedSnapshot;
  checks: Check[];
  gate: GateOptions;
  /** Accepted risks, applied before scoring (a waived result counts as not passing). */
  waivers?: Waiver[];
  /** The previous report: results are marked new or unchanged against it, and its fixed findings listed. */
  baseline?: LoadedReport;
  /** Report time (default: SOURCE_DATE_EPOCH or now); waiver expiry is judged against it. */
  generatedAt?: string;
  /** Results already evaluated on this snapshot with these checks (what-if reuses those of unchanged scopes). */
  results?: Result[];
}

<<<<<<< HEAD
/** The pure part of an audit: evaluate, waive, score, report, compare with the baseline, gate. No I/O. */
export function auditSnapshot(input: AuditInput): Report {
  if (input.gate.failOnNewOnly && !input.baseline) {
    // Without a baseline nothing is "new", and the gate would pass on anything.
    throw new UserError('--fail-on-new-only needs a baseline', { where: '--fail-on-new-only', hint: 'add --baseline PREVIOUS_REPORT.json (or `baseline:` in cloudward.yaml)' });
  }
  const { snapshot, files } = input.loaded;
  const generatedAt = input.generatedAt ?? reportTime();
  let results = input.results ?? evaluate(snapshot, input.checks);
  const waived = input.waivers ? applyWaivers(results, input.waivers, generatedAt) : undefined;
  if (waived) results = waived.results;
  const scorecard = score(results, input.checks);
  const report = buildReport({ snapshot, files, checks: input.checks, results, scorecard, generatedAt });
  if (waived) report.waivers = waived.notes;
  if (input.baseline) report.baseline = compareWithBaseline(report.results, input.baseline);
  report.gate = decideGate(report, input.gate);
  return report;
=======
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
}

/** The pure part of an audit, in pipeline order: evaluate, waive, score, compare with the baseline, gate. No I/O. */
export function judgeSnapshot(input: AuditInput): Judgement {
  const { snapshot } = input.loaded;
  const generatedAt = input.generatedAt ?? reportTime();
  let evaluated = evaluate(snapshot, input.checks);
  const waived = input.waivers ? applyWaivers(evaluated, input.waivers, generatedAt) : undefined;
  if (waived) evaluated = waived.results;
  const scorecard = score(evaluated, input.checks);
  const results = reportResults(evaluated, input.checks);
  const baseline = input.baseline ? compareWithBaseline(results, input.baseline) : undefined;
  const verdict = decideGate(results, scorecard, baseline, waived?.notes, input.gate);
  return {
    snapshot: { collectedAt: snapshot.collectedAt, ...(snapshot.digest ? { digest: snapshot.digest } : {}), sources: snapshot.sources },
    checks: input.checks,
    results,
    scorecard,
    generatedAt,
    ...(waived ? { waivers: waived.notes } : {}),
    ...(baseline ? { baseline } : {}),
    verdict,
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
>>>>>>> engine
}
