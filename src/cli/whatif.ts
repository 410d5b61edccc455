/**
 * `audit --plan`: the snapshot audited as it is and as the plan would leave it, in one run; the projected audit is
 * compared with the other as its baseline, and each new or worsened finding names the plan resources causing it.
 */
import { dirname } from 'node:path';
import { auditSnapshot, type AuditInput } from '../audit.js';
import { UserError } from '../errors.js';
import { attachCauses, markPlanUnknowns, whatIfBlock } from '../gate/whatif.js';
import type { Report } from '../report/model.js';
import { loadPlan, projectPlan } from '../whatif/index.js';
import { sourceLocator } from '../whatif/locate.js';

export interface PlanOptions {
  plan: string;
  raw: string[];
  planDir?: string;
  /** What the snapshot was (for the baseline's name in reports). */
  snapshotNames: string[];
}

/** Reads and projects the plan, audits before and after, and returns the projected audit with its what-if block. */
export async function auditWithPlan(input: Omit<AuditInput, 'baseline'>, options: PlanOptions, status: (line: string) => void = () => {}): Promise<Report> {
  status('reading the plan');
  const plan = await loadPlan(options.plan);
  status(`projecting ${plan.changes.length} resource change(s)`);
  const projection = await projectPlan(plan, input.loaded.snapshot, options.raw);
  // The snapshot as it is: its own gate does not matter, only its results.
  const before = auditSnapshot({ ...input, gate: { failOn: 'none' } });
  const report = auditSnapshot({
    ...input,
    loaded: { ...input.loaded, snapshot: projection.snapshot },
    baseline: { file: `${options.snapshotNames.join(', ')} (before the plan)`, report: before, byFingerprint: new Map(before.results.map((r) => [r.fingerprint, r])) },
    adjustResults: (results) => markPlanUnknowns(results, projection),
  });
  const locate = await sourceLocator(plan, options.planDir ?? dirname(options.plan));
  attachCauses(report, projection, locate);
  report.whatif = whatIfBlock(plan, projection, before, locate);
  return report;
}

/** `--baseline` names a file; with --plan the baseline is the snapshot itself, so both at once is a mistake. */
export function assertNoBaselineWithPlan(baseline: string | undefined): void {
  if (baseline) {
    throw new UserError('--plan and --baseline cannot be used together', {
      where: '--baseline',
      hint: 'with --plan the baseline is the audit of the snapshot as it is, computed in the same run; drop --baseline (--fail-on-new-only works without it)',
    });
  }
}
