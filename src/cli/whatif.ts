/**
 * `audit --plan`: the snapshot audited as it is and as the plan would leave it, in one run; the projected audit is
 * compared with the other as its baseline, and each new or worsened finding names the plan resources causing it.
 */
import { dirname } from 'node:path';
import { judgeSnapshot, type AuditInput, type Judgement } from '../audit.js';
import { evaluate } from '../engine/evaluate.js';
import { UserError } from '../errors.js';
import { attachCauses, auditBefore, markPlanUnknowns, planGaps, whatIfBlock } from '../gate/whatif.js';
import { reportTime, type Report } from '../report/model.js';
import { scopeKey, type Snapshot } from '../snapshot/model.js';
import { loadPlan, projectPlan, type Plan, type WhatIfProjection } from '../whatif/index.js';
import { sourceLocator } from '../whatif/locate.js';

export interface PlanOptions {
  plan: string;
  raw: string[];
  planDir?: string;
  /** What the snapshot was (for the baseline's name in reports). */
  snapshotNames: string[];
}

/** The part of a snapshot in the given scopes (sources and resources), for evaluating only what the plan changed. */
function scopesOf(snapshot: Snapshot, keys: Set<string>): Snapshot {
  const inScope = <T extends { provider: string; scope: Snapshot['sources'][number]['scope'] }>(list: T[]) => list.filter((r) => keys.has(scopeKey(r.provider, r.scope)));
  return { ...snapshot, sources: inScope(snapshot.sources), principals: inScope(snapshot.principals), roles: inScope(snapshot.roles), controls: inScope(snapshot.controls), hosts: inScope(snapshot.hosts) };
}

/** The projected audit, and what the plan adds to its report: each new finding's causes and the what-if block. */
export interface PlanAudit {
  judgement: Judgement;
  annotate(report: Report): void;
}

/**
 * Reads and projects the plan, audits before and after, and returns the projected audit with its what-if block.
 * Checks judge one resource or one scope at a time, so the scopes the plan did not change keep their results: only
 * the projected scopes are evaluated again.
 */
export async function auditWithPlan(input: Omit<AuditInput, 'baseline' | 'results'>, options: PlanOptions, status: (line: string) => void = () => {}): Promise<PlanAudit> {
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

async function auditProjection(plan: Plan, projection: WhatIfProjection, input: Omit<AuditInput, 'baseline' | 'results'>, options: PlanOptions, status: (line: string) => void): Promise<PlanAudit> {
  // Evidence of passes only where an output shows it: the "before" audit keeps findings only.
  const passEvidence = !input.omit?.passEvidence;
  const evaluated = evaluate(input.loaded.snapshot, input.checks, undefined, { passEvidence });
  const generatedAt = input.generatedAt ?? reportTime();
  const before = auditBefore({ snapshot: input.loaded.snapshot, files: input.loaded.files, checks: input.checks, results: evaluated, ...(input.waivers ? { waivers: input.waivers } : {}), generatedAt, name: `${options.snapshotNames.join(', ')} (before the plan)` });
  const again = new Set(projection.projectedScopes);
  // A pass the plan leaves open is shown as unknown, with its evidence: its scope is evaluated again with evidence.
  const open = planGaps(projection);
  if (!passEvidence && projection.gaps.length > 0) {
    for (const r of evaluated) if (r.status === 'pass' && open(r).length > 0) again.add(scopeKey(r.resource.provider, r.resource.scope));
  }
  const unchanged = evaluated.filter((r) => !again.has(scopeKey(r.resource.provider, r.resource.scope)));
  const changed = again.size > 0 ? evaluate(scopesOf(projection.snapshot, again), input.checks, undefined, { passEvidence: passEvidence || projection.gaps.length > 0 }) : [];
  const judgement = judgeSnapshot({
    ...input,
    generatedAt,
    loaded: { ...input.loaded, snapshot: projection.snapshot },
    baseline: before.baseline,
    results: markPlanUnknowns([...unchanged, ...changed], projection),
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
