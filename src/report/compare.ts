import type { ScoreCell } from '../engine/score.js';
import { SEVERITIES, type Severity, type Status } from '../engine/types.js';
import { scopeKey } from '../snapshot/model.js';
import { isFinding, sourceScopes } from '../gate/baseline.js';
import type { ReportResult } from './model.js';
import type { LoadedReport } from './read.js';

/** One finding in a diff. */
export interface DiffEntry {
  checkId: string;
  uid: string;
  severity: Severity;
  status: Status;
  message: string;
}

export interface ScoreDelta {
  id: string;
  name?: string;
  from: number | null;
  to: number | null;
  /** to - from, rounded to 0.1; null when either side has no score. */
  delta: number | null;
}

/** What changed between two reports of the same tenant: findings that appeared, went away or changed status. */
export interface ReportDiff {
  from: {
    file: string;
    generatedAt: string;
    collectedAt: string;
    score: number | null;
    byStatus: Record<Status, number>;
  };
  to: {
    file: string;
    generatedAt: string;
    collectedAt: string;
    score: number | null;
    byStatus: Record<Status, number>;
  };
  /** Findings (fail, unknown, waived) in the newer report that were absent or passing in the older one. */
  new: DiffEntry[];
  /** Findings in the older report that pass, or are gone, in the newer one. */
  fixed: DiffEntry[];
  /**
   * Findings in the older report of checks the newer one did not evaluate (skipped or not loaded), or of scopes it did
   * not read (an account that failed to collect): not fixed.
   */
  notEvaluated: DiffEntry[];
  /** Checks of the older report's findings that the newer one did not run, and scopes it did not read. */
  notEvaluatedChecks: string[];
  notEvaluatedScopes: string[];
  /** The two reports share no scope: most likely reports of different tenants, so nothing in them compares. */
  noCommonScope?: boolean;
  /** Findings in both whose status changed (e.g. waived -> fail when a waiver expired). */
  changed: Array<DiffEntry & { previous: Status }>;
  scores: { overall: ScoreDelta; mitigations: Array<ScoreDelta & { measures: ScoreDelta[] }> };
}

function entry(r: ReportResult): DiffEntry {
  return { checkId: r.checkId, uid: r.resource.uid, severity: r.severity, status: r.status, message: r.message };
}

function delta(id: string, from: ScoreCell | undefined, to: ScoreCell | undefined, name?: string): ScoreDelta {
  const a = from?.score ?? null;
  const b = to?.score ?? null;
  return {
    id,
    ...(name ? { name } : {}),
    from: a,
    to: b,
    delta: a === null || b === null ? null : Math.round((b - a) * 10) / 10,
  };
}

const bySeverity = (a: DiffEntry, b: DiffEntry) =>
  SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
  a.checkId.localeCompare(b.checkId) ||
  a.uid.localeCompare(b.uid);

function side(loaded: LoadedReport): ReportDiff['from'] {
  const { report } = loaded;
  return {
    file: loaded.file,
    generatedAt: report.generatedAt,
    collectedAt: report.snapshot.collectedAt,
    score: report.scorecard.overall.score,
    byStatus: report.summary.byStatus,
  };
}

/** Compares two reports by fingerprint (check id + resource uid), and their scores per mitigation and measure. */
export function diffReports(older: LoadedReport, newer: LoadedReport): ReportDiff {
  const diff: ReportDiff = {
    from: side(older),
    to: side(newer),
    new: [],
    fixed: [],
    notEvaluated: [],
    notEvaluatedChecks: [],
    notEvaluatedScopes: [],
    changed: [],
    scores: {
      overall: delta('overall', older.report.scorecard.overall, newer.report.scorecard.overall),
      mitigations: [],
    },
  };
  for (const r of newer.report.results) {
    if (!isFinding(r.status)) continue;
    const before = older.byFingerprint.get(r.fingerprint);
    if (!before || !isFinding(before.status)) diff.new.push(entry(r));
    else if (before.status !== r.status) diff.changed.push({ ...entry(r), previous: before.status });
  }
  const evaluated = new Set(newer.report.checks.map((c) => c.id));
  const read = new Set(sourceScopes(newer.report));
  const olderScopes = sourceScopes(older.report);
  const missing = new Set(olderScopes.filter((key) => !read.has(key)));
  if (olderScopes.length > 0 && missing.size === new Set(olderScopes).size) diff.noCommonScope = true;
  const uncovered = new Set<string>();
  const skipped = new Set<string>();
  for (const r of older.report.results) {
    if (!isFinding(r.status)) continue;
    const now = newer.byFingerprint.get(r.fingerprint);
    if (now && isFinding(now.status)) continue;
    const scope = r.resource.scope ? scopeKey(r.resource.provider, r.resource.scope) : undefined;
    if (!now && !evaluated.has(r.checkId)) {
      diff.notEvaluated.push(entry(r));
      skipped.add(r.checkId);
    } else if (!now && scope !== undefined && missing.has(scope)) {
      diff.notEvaluated.push(entry(r));
      uncovered.add(scope);
    } else diff.fixed.push(entry(r));
  }
  diff.notEvaluatedChecks = [...skipped].sort();
  diff.notEvaluatedScopes = [...uncovered].sort();
  diff.new.sort(bySeverity);
  diff.fixed.sort(bySeverity);
  diff.changed.sort(bySeverity);
  diff.notEvaluated.sort(bySeverity);
  const olderMitigations = new Map(older.report.scorecard.mitigations.map((m) => [m.id, m]));
  for (const m of newer.report.scorecard.mitigations) {
    const before = olderMitigations.get(m.id);
    const measures = new Map(before?.measures.map((x) => [x.id, x]) ?? []);
    diff.scores.mitigations.push({
      ...delta(m.id, before, m, m.name),
      measures: m.measures.map((x) => delta(x.id, measures.get(x.id), x)),
    });
  }
  return diff;
}
