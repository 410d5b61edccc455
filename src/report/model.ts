import * as crypto from 'node:crypto';
import type { SnapshotFile } from '../snapshot/load.js';
import type { Snapshot, Source } from '../snapshot/model.js';
import type { Scorecard } from '../engine/score.js';
import type { ComplianceView } from './compliance.js';
import { SEVERITIES, type Check, type Result, type Severity, type Status } from '../engine/types.js';
import { TOOL_NAME, TOOL_URI, toolVersion } from '../util/paths.js';

export const REPORT_VERSION = '1.0';

/** A check as the report describes it (no compiled parts). */
export interface ReportCheck {
  id: string;
  title: string;
  description: string;
  mitigation: string;
  measure: string;
  technique: string;
  severity: Severity;
  resource: string;
  remediation: string;
  references: Check['references'];
  file: string;
  line: number;
}

export interface ReportResult extends Result {
  severity: Severity;
  mitigation: string;
  measure: string;
  /** Stable across runs: sha256 of check id and resource uid. */
  fingerprint: string;
}

export interface GateDecision {
  passed: boolean;
  failOn: Severity | 'none';
  minScore: number | null;
  allowUnknown: boolean;
  failOnNewOnly: boolean;
  /** One line per reason the gate failed (empty when it passed). */
  reasons: string[];
  /** Results that count against the gate. */
  blocking: number;
}

export interface WaiverNote {
  id: string;
  checkId: string;
  resource: string;
  owner: string;
  reason: string;
  expires: string;
  ticket?: string;
  state: 'active' | 'expired' | 'stale';
  matched: number;
}

/** The JSON report (schemas/report.schema.json): everything every other format is drawn from. */
export interface Report {
  reportVersion: string;
  tool: { name: string; version: string; informationUri: string };
  generatedAt: string;
  snapshot: {
    files: SnapshotFile[];
    collectedAt: string;
    digest?: string;
    sources: Array<Source & { uid: string }>;
  };
  checks: ReportCheck[];
  scorecard: Scorecard;
  summary: { total: number; byStatus: Record<Status, number>; bySeverity: Record<Severity, Record<Status, number>> };
  results: ReportResult[];
  gate?: GateDecision;
  /** With --compliance: one framework's controls, the checks covering each and their status. */
  compliance?: ComplianceView;
  waivers?: WaiverNote[];
  baseline?: {
    file: string;
    new: number;
    unchanged: number;
    fixed: number;
    /** Baseline findings of checks not evaluated this run (skipped or not loaded): not counted as fixed. */
    notEvaluated: number;
    notEvaluatedChecks: string[];
    fixedResults: Array<{ checkId: string; uid: string; fingerprint: string }>;
  };
}

/** One-shot hashing (Node 20.12+) is about twice as fast as a Hash object per call; both give the same digest. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

/** Stable across runs and tools: the first 128 bits of sha256(check id, NUL, resource uid), in hex. */
export function fingerprint(checkId: string, uid: string): string {
  const input = `${checkId}\u0000${uid}`;
  return (oneShotHash ? oneShotHash('sha256', input) : crypto.createHash('sha256').update(input).digest('hex')).slice(0, 32);
}

/** Report time: SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
export function reportTime(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
  return new Date().toISOString();
}

export function describeCheck(check: Check): ReportCheck {
  return {
    id: check.id,
    title: check.title,
    description: check.description.trim(),
    mitigation: check.mitigation,
    measure: check.measure,
    technique: check.technique,
    severity: check.severity,
    resource: check.resource,
    remediation: check.remediation.trim(),
    references: check.references,
    file: check.file,
    line: check.line,
  };
}

const STATUS_ORDER: Record<Status, number> = { fail: 0, unknown: 1, waived: 2, pass: 3 };
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** A result with its check's facts and fingerprint; the same keys, in the same order, as spreading it would give. */
function reportResult(r: Result, check: Check): ReportResult {
  if (r.waiver !== undefined || r.baselineState !== undefined) {
    return { ...r, severity: check.severity, mitigation: check.mitigation, measure: check.measure, fingerprint: fingerprint(r.checkId, r.resource.uid) };
  }
  // Spelled out: spreading ~5 keys into a new object was ~10x slower per result at 100k principals.
  return {
    checkId: r.checkId,
    resource: r.resource,
    status: r.status,
    message: r.message,
    evidence: r.evidence,
    severity: check.severity,
    mitigation: check.mitigation,
    measure: check.measure,
    fingerprint: fingerprint(r.checkId, r.resource.uid),
  };
}

const byUid = (a: ReportResult, b: ReportResult): number => (a.resource.uid < b.resource.uid ? -1 : a.resource.uid > b.resource.uid ? 1 : 0);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders results by status, severity, check id, then resource uid, keeping input order for ties (as a stable sort
 * would). Buckets by the first three and sorts each bucket by uid only, so the comparator is called on far fewer
 * and cheaper pairs than one sort over every key.
 */
export function orderResults(results: ReportResult[]): ReportResult[] {
  const buckets: Array<Map<string, ReportResult[]> | undefined> = [];
  for (const r of results) {
    const rank = STATUS_ORDER[r.status] * 4 + SEVERITY_ORDER[r.severity];
    let byCheck = buckets[rank];
    if (!byCheck) buckets[rank] = byCheck = new Map();
    const list = byCheck.get(r.checkId);
    if (list) list.push(r);
    else byCheck.set(r.checkId, [r]);
  }
  const ordered: ReportResult[] = [];
  for (const byCheck of buckets) {
    if (!byCheck) continue;
    for (const checkId of [...byCheck.keys()].sort(byText)) {
      for (const r of byCheck.get(checkId)!.sort(byUid)) ordered.push(r);
    }
  }
  return ordered;
}

/** Assembles the report. Results are ordered by status, severity, check id, then resource uid, so diffs are stable. */
export function buildReport(input: { snapshot: Snapshot; files: SnapshotFile[]; checks: Check[]; results: Result[]; scorecard: Scorecard; generatedAt?: string }): Report {
  const byId = new Map(input.checks.map((c) => [c.id, c]));
  const results = orderResults(input.results.map((r) => reportResult(r, byId.get(r.checkId)!)));
  const byStatus: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, waived: 0 };
  for (const r of results) byStatus[r.status]++;
  return {
    reportVersion: REPORT_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion(), informationUri: TOOL_URI },
    generatedAt: input.generatedAt ?? reportTime(),
    snapshot: {
      files: input.files,
      collectedAt: input.snapshot.collectedAt,
      ...(input.snapshot.digest ? { digest: input.snapshot.digest } : {}),
      sources: input.snapshot.sources.map((s) => ({ uid: `${s.provider}:${s.scope.kind}/${s.scope.id}`, ...s })),
    },
    checks: input.checks.map(describeCheck),
    scorecard: input.scorecard,
    summary: { total: results.length, byStatus, bySeverity: input.scorecard.severities },
    results,
  };
}

export { SEVERITIES };
