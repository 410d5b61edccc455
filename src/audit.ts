import { evaluate } from './engine/evaluate.js';
import { score } from './engine/score.js';
import type { Check } from './engine/types.js';
import { UserError } from './errors.js';
import { compareWithBaseline, type LoadedReport } from './gate/baseline.js';
import { assertSomethingToGate, decideGate, type GateOptions } from './gate/decide.js';
import { applyWaivers, type Waiver } from './gate/waivers.js';
import { buildReport, reportTime, type Report } from './report/model.js';
import type { LoadedSnapshot } from './snapshot/load.js';

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
}

/** The pure part of an audit: evaluate, waive, score, report, compare with the baseline, gate. No I/O. */
export function auditSnapshot(input: AuditInput): Report {
  if (input.gate.failOnNewOnly && !input.baseline) {
    // Without a baseline nothing is "new", and the gate would pass on anything.
    throw new UserError('--fail-on-new-only needs a baseline', { where: '--fail-on-new-only', hint: 'add --baseline PREVIOUS_REPORT.json (or `baseline:` in cloudward.yaml)' });
  }
  assertSomethingToGate(input.checks.length, input.gate);
  const { snapshot, files } = input.loaded;
  const generatedAt = input.generatedAt ?? reportTime();
  let results = evaluate(snapshot, input.checks);
  const waived = input.waivers ? applyWaivers(results, input.waivers, generatedAt) : undefined;
  if (waived) results = waived.results;
  const scorecard = score(results, input.checks);
  const report = buildReport({ snapshot, files, checks: input.checks, results, scorecard, generatedAt });
  if (waived) report.waivers = waived.notes;
  if (input.baseline) report.baseline = compareWithBaseline(report.results, input.baseline, new Set(input.checks.map((c) => c.id)));
  assertSomethingToGate(input.checks.length, input.gate, report.results.length);
  report.gate = decideGate(report, input.gate);
  return report;
}
