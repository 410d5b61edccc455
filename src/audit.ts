import { evaluate } from './engine/evaluate.js';
import { score } from './engine/score.js';
import type { Check } from './engine/types.js';
import { decideGate, type GateOptions } from './gate/decide.js';
import { buildReport, type Report } from './report/model.js';
import type { LoadedSnapshot } from './snapshot/load.js';

export interface AuditInput {
  loaded: LoadedSnapshot;
  checks: Check[];
  gate: GateOptions;
}

/** The pure part of an audit: evaluate, score, report, gate. No I/O. */
export function auditSnapshot(input: AuditInput): Report {
  const { snapshot, files } = input.loaded;
  const results = evaluate(snapshot, input.checks);
  const scorecard = score(results, input.checks);
  const report = buildReport({ snapshot, files, checks: input.checks, results, scorecard });
  report.gate = decideGate(report, input.gate);
  return report;
}
