/**
 * The what-if comparison: results of the projected tenant made `unknown` where the plan holds values cloudward cannot
 * know, each new or worsened finding tied to the plan resource addresses that cause it, and the report's `whatif`
 * block. The projection itself is index.ts's.
 */
import { score } from '../engine/score.js';
import type { Check, Result, Status } from '../engine/types.js';
import { isFinding } from '../gate/baseline.js';
import { applyWaivers, type Waiver } from '../gate/waivers.js';
import {
  buildReport,
  reportResults,
  type Cause,
  type Report,
  type ReportResult,
  type WhatIfBlock,
} from '../report/model.js';
import type { LoadedReport } from '../report/read.js';
import type { Snapshot } from '../snapshot/model.js';
import type { SnapshotFile } from '../snapshot/load.js';
import type { ProjectionGap, WhatIfProjection } from './index.js';
import type { Plan } from '../providers/whatif/plan.js';

const WHATIF_GAP = 'whatif.plan';

/** Which result uids each address reaches, and which addresses reach each uid. */
function indexEffects(projection: WhatIfProjection): Map<string, Set<string>> {
  const byUid = new Map<string, Set<string>>();
  for (const effect of projection.effects) {
    for (const uid of effect.uids) {
      const set = byUid.get(uid);
      if (set) set.add(effect.address);
      else byUid.set(uid, new Set([effect.address]));
    }
  }
  return byUid;
}

/**
 * The plan's gaps that leave a result open, in the order the projection found them: those on its provider or its
 * scope, and those of changes that reach its resource. Indexed once, so a result costs a few lookups however many
 * gaps the plan has.
 */
export function planGaps(projection: WhatIfProjection): (result: Result) => ProjectionGap[] {
  const none: ProjectionGap[] = [];
  if (projection.gaps.length === 0) return () => none;
  const byScope = new Map<string, number[]>();
  const byAddress = new Map<string, number[]>();
  const push = <K>(map: Map<K, number[]>, key: K, i: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [i]);
    else if (list.at(-1) !== i) list.push(i);
  };
  projection.gaps.forEach((gap, i) => {
    for (const scope of gap.scopes) push(byScope, scope, i);
    push(byAddress, gap.address, i);
  });
  // The uids a gap's change reaches (its last effect, when a projector reports several for one address).
  const byUid = new Map<string, number[]>();
  for (const effect of new Map(projection.effects.map((e) => [e.address, e])).values()) {
    const gaps = byAddress.get(effect.address);
    if (gaps) for (const uid of new Set(effect.uids)) for (const i of gaps) push(byUid, uid, i);
  }
  return (result) => {
    const { provider, scope, kind, uid } = result.resource;
    // A scope's aggregate result (trails, SCPs of the account) is open only through a gap on the scope itself.
    const found = [
      ...(byScope.get(provider) ?? []),
      ...(byScope.get(`${provider}:${scope.kind}/${scope.id}`) ?? []),
      ...(kind === 'scopes' ? [] : (byUid.get(uid) ?? [])),
    ];
    if (found.length === 0) return none;
    return [...new Set(found)].sort((a, b) => a - b).map((i) => projection.gaps[i]!);
  };
}

/**
 * Turns passing results the plan's unknowns reach into `unknown` (with the gap naming address and attribute): the
 * projection cannot show they still pass. Failing results stay failing: what is known already fails them.
 */
export function markPlanUnknowns(results: Result[], projection: WhatIfProjection): Result[] {
  if (projection.gaps.length === 0) return results;
  const gapsFor = planGaps(projection);
  return results.map((result) => {
    if (result.status !== 'pass') return result;
    const gaps = gapsFor(result);
    if (gaps.length === 0) return result;
    const reasons = gaps.map((g) => `${g.address}${g.attribute ? ` (${g.attribute})` : ''}: ${g.reason}`);
    return {
      ...result,
      status: 'unknown',
      message: `Not assessed: the plan leaves it open — ${reasons.join('; ')}`,
      evidence: {
        ...result.evidence,
        gaps: gaps.map((g) => ({
          what: WHATIF_GAP,
          reason: `${g.address}${g.attribute ? ` ${g.attribute}` : ''}: ${g.reason}`,
        })),
      },
    };
  });
}

/**
 * Names, on every new or worsened finding, the plan addresses that reach its resource (or, when none reaches it
 * directly, the addresses that changed its scope: a finding is never left without a cause).
 */
export function attachCauses(
  report: Report,
  projection: WhatIfProjection,
  locate: (address: string) => { file: string; line: number } | undefined,
): void {
  const byUid = indexEffects(projection);
  const byScope = new Map<string, string[]>();
  for (const note of projection.notes) {
    if (!note.scope || note.outcome === 'no-op' || note.outcome === 'not-projected') continue;
    const list = byScope.get(note.scope);
    if (list) list.push(note.address);
    else byScope.set(note.scope, [note.address]);
  }
  const providerWide = projection.gaps.flatMap((g) =>
    g.scopes.filter((s) => !s.includes(':')).map((provider) => ({ provider, address: g.address })),
  );
  // A scope's addresses, made once per scope: a plan of thousands of changes names them on many findings.
  const ofScope = new Map<string, string[]>();
  const scopeAddresses = (scopeKey: string, providerName: string): string[] => {
    let addresses = ofScope.get(scopeKey);
    if (!addresses) {
      const gapScoped = projection.gaps.filter((g) => g.scopes.includes(scopeKey)).map((g) => g.address);
      const provider = providerWide.filter((p) => p.provider === providerName).map((p) => p.address);
      ofScope.set(
        scopeKey,
        (addresses = [...new Set([...gapScoped, ...provider, ...(byScope.get(scopeKey) ?? [])])].sort()),
      );
    }
    return addresses;
  };
  for (const result of report.results as Array<ReportResult & { causes?: Cause[] }>) {
    if (result.baselineState !== 'new') continue;
    const direct = byUid.get(result.resource.uid);
    const addresses = direct
      ? [...direct].sort()
      : scopeAddresses(
          `${result.resource.provider}:${result.resource.scope.kind}/${result.resource.scope.id}`,
          result.resource.provider,
        );
    if (addresses.length === 0) continue;
    result.causes = addresses.map((address) => ({ address, ...(locate(address) ?? {}) }));
  }
}

/** The snapshot's own audit, as far as the comparison needs it: its findings by fingerprint, its score and counts. */
export interface BeforeAudit {
  baseline: LoadedReport;
  score: number | null;
  byStatus: Record<Status, number>;
}

/**
 * Audits the snapshot as it is from its evaluated results: waivers applied, scored, and only its findings made into
 * report results (a comparison looks up findings only, and passes are most of a large tenant's results).
 */
export function auditBefore(input: {
  snapshot: Snapshot;
  files: SnapshotFile[];
  checks: Check[];
  results: Result[];
  waivers?: Waiver[];
  generatedAt: string;
  name: string;
}): BeforeAudit {
  const results = input.waivers ? applyWaivers(input.results, input.waivers, input.generatedAt).results : input.results;
  const scorecard = score(results, input.checks);
  const byStatus: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, waived: 0 };
  for (const r of results) byStatus[r.status]++;
  const report = buildReport({
    snapshot: input.snapshot,
    files: input.files,
    checks: input.checks,
    results: reportResults(
      results.filter((r) => isFinding(r.status)),
      input.checks,
    ),
    scorecard,
    generatedAt: input.generatedAt,
  });
  return {
    baseline: { file: input.name, report, byFingerprint: new Map(report.results.map((r) => [r.fingerprint, r])) },
    score: scorecard.overall.score,
    byStatus,
  };
}

/** The report's `whatif` block. */
export function whatIfBlock(
  plan: Plan,
  projection: WhatIfProjection,
  before: BeforeAudit,
  locate: (address: string) => { file: string; line: number } | undefined,
): WhatIfBlock {
  const counts: WhatIfBlock['counts'] = { projected: 0, unknown: 0, 'not-projected': 0, 'no-op': 0 };
  for (const note of projection.notes) counts[note.outcome]++;
  return {
    plan: plan.file,
    formatVersion: plan.formatVersion,
    ...(plan.terraformVersion ? { terraformVersion: plan.terraformVersion } : {}),
    before: { score: before.score, byStatus: before.byStatus },
    counts,
    changes: projection.notes.filter((n) => n.outcome !== 'no-op').map((n) => ({ ...n, ...(locate(n.address) ?? {}) })),
    gaps: projection.gaps.map((g) => ({
      address: g.address,
      ...(g.attribute ? { attribute: g.attribute } : {}),
      reason: g.reason,
    })),
  };
}
