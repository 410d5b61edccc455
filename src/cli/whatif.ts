/**
 * `audit --plan`: the snapshot audited as it is and as the plan would leave it, in one run; the projected audit is
 * compared with the other as its baseline, and each new or worsened finding names the plan resources causing it.
 */
import { dirname } from 'node:path';
import { judgeSnapshot, type AuditInput, type Judgement } from '../audit.js';
import { evaluate } from '../engine/evaluate.js';
import { UserError } from '../errors.js';
import { attachCauses, auditBefore, markPlanUnknowns, planGaps, whatIfBlock } from '../whatif/report-block.js';
import { projectedResults } from '../engine/reuse.js';
import { reportTime, type Report } from '../report/model.js';
import { loadPlan, projectPlan, type Plan, type WhatIfProjection } from '../whatif/index.js';
import { sourceLocator } from '../whatif/locate.js';

interface PlanOptions {
  plan: string;
  raw: string[];
  planDir?: string;
  /** What the snapshot was (for the baseline's name in reports). */
  snapshotNames: string[];
}

/** The projected audit, and what the plan adds to its report: each new finding's causes and the what-if block. */
interface PlanAudit {
  judgement: Judgement;
  annotate(report: Report): void;
}

/**
 * Reads and projects the plan, audits before and after, and returns the projected audit with its what-if block.
 * Checks judge one resource or one scope at a time, so only what the projection changed is evaluated again (see
 * projectedResults); the other results are those of the "before" audit.
 */
export async function auditWithPlan(
  input: Omit<AuditInput, 'baseline' | 'results'>,
  options: PlanOptions,
  status: (line: string) => void = () => {},
): Promise<PlanAudit> {
  status('reading the plan');
  const plan = await loadPlan(options.plan);
  status(`projecting ${plan.changes.length} resource change(s)`);
  const projection = await projectPlan(plan, input.loaded.snapshot, options.raw);
  try {
    return await auditProjection(plan, projection, input, options, status);
  } finally {
    projection.cancel();
  }
}

async function auditProjection(
  plan: Plan,
  projection: WhatIfProjection,
  input: Omit<AuditInput, 'baseline' | 'results'>,
  options: PlanOptions,
  status: (line: string) => void,
): Promise<PlanAudit> {
  // Evidence of passes only where an output shows it: the "before" audit keeps findings only.
  const passEvidence = !input.omit?.passEvidence;
  // No evidence at all where no output shows any (text without --verbose, markdown, csv), as in a plain audit.
  const evidence = !input.omit?.evidence;
  const evaluated = evaluate(input.loaded.snapshot, input.checks, undefined, { passEvidence, evidence });
  const generatedAt = input.generatedAt ?? reportTime();
  const before = auditBefore({
    snapshot: input.loaded.snapshot,
    files: input.loaded.files,
    checks: input.checks,
    results: evaluated,
    ...(input.waivers ? { waivers: input.waivers } : {}),
    generatedAt,
    name: `${options.snapshotNames.join(', ')} (before the plan)`,
  });
  // A pass the plan leaves open is shown as unknown, with its evidence: its resource is evaluated again with evidence.
  const again = new Set<string>();
  if (!passEvidence && projection.gaps.length > 0) {
    const open = planGaps(projection);
    for (const r of evaluated)
      if (r.status === 'pass' && r.resource.kind !== 'scopes' && open(r).length > 0) again.add(r.resource.uid);
  }
  const after = projectedResults({
    before: input.loaded.snapshot,
    results: evaluated,
    after: projection.snapshot,
    projectedScopes: projection.projectedScopes,
    checks: input.checks,
    again,
    passEvidence: passEvidence || projection.gaps.length > 0,
    evidence,
  });
  const judgement = judgeSnapshot({
    ...input,
    generatedAt,
    loaded: { ...input.loaded, snapshot: projection.snapshot },
    baseline: before.baseline,
    results: markPlanUnknowns(after, projection),
  });
  status('checking that the raw documents reproduce the snapshot');
  await projection.verified;
  const locate = await sourceLocator(plan, options.planDir ?? dirname(options.plan));
  const whatif = whatIfBlock(plan, projection, before, locate);
  return {
    judgement,
    annotate(report) {
      attachCauses(report, projection, locate);
      report.whatif = whatif;
    },
  };
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
