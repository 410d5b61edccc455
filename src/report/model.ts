import { UserError } from '../errors.js';
import * as crypto from 'node:crypto';
import type { SnapshotFile } from '../snapshot/load.js';
import type { Snapshot, Source } from '../snapshot/model.js';
import type { Scorecard } from '../engine/score.js';
import type { BaselineComparison } from '../gate/baseline.js';
import { gateApplied, gateConfigText, type GateDecision } from '../gate/decide.js';
import type { WaiverNote } from '../gate/waivers.js';
import type { ComplianceView } from './compliance.js';
import {
  SEVERITIES,
  type Check,
  type Result,
  type ResultResource,
  type Severity,
  type Status,
} from '../engine/types.js';
import { TOOL_NAME, TOOL_URI, toolVersion } from '../util/paths.js';

export const REPORT_VERSION = '1.0';

/** A plan resource that causes a finding, with where it is written when the configuration's files were found. */
export interface Cause {
  address: string;
  file?: string;
  line?: number;
}

/** How a what-if run treated one resource change of the plan. */
type WhatIfOutcome = 'projected' | 'unknown' | 'not-projected' | 'no-op';

/** One resource change of the plan as the report lists it (the what-if orchestration's change notes are these). */
interface WhatIfChange {
  address: string;
  type: string;
  action: 'create' | 'update' | 'delete' | 'replace' | 'no-op' | 'read';
  outcome: WhatIfOutcome;
  /** The provider scope the change lands in (`aws:account/111111111111`), when known. */
  scope?: string;
  /** Why it was not projected, or what made it unknown. */
  reason?: string;
  /** Where the resource block is written, when the configuration's files were found. */
  file?: string;
  line?: number;
}

/** The report's account of a what-if run. */
export interface WhatIfBlock {
  plan: string;
  formatVersion: string;
  terraformVersion?: string;
  /** The audit of the snapshot as it is, that the projected tenant is compared with. */
  before: { score: number | null; byStatus: Record<Status, number> };
  counts: Record<WhatIfOutcome, number>;
  /** Every resource change of the plan except no-ops, with how it was treated. */
  changes: WhatIfChange[];
  /** What the projection could not know; the results it touches are `unknown`. */
  gaps: Array<{ address: string; attribute?: string; reason: string }>;
}

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
  /** With --plan: the plan resources that make this finding new or worse. */
  causes?: Cause[];
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
  waivers?: WaiverNote[];
  baseline?: BaselineComparison;
  gate?: GateDecision;
  /** With --compliance: one framework's controls, the checks covering each and their status. */
  compliance?: ComplianceView;
  /** With --plan: the plan, how each change was projected, and the audit before it. */
  whatif?: WhatIfBlock;
  /** What the reader must know about the data before trusting the results (stale snapshot, baseline of another tenant). */
  warnings?: ReportWarning[];
}

/** A warning about the run's inputs, shown in every format (the JSON report's `warnings`). */
export interface ReportWarning {
  code: 'stale-snapshot' | 'baseline-other-tenant';
  message: string;
}

/** One-shot hashing (Node 20.12+) is about twice as fast as a Hash object per call; both give the same digest. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

/** Stable across runs and tools: the first 128 bits of sha256(check id, NUL, resource uid), in hex. */
function fingerprint(checkId: string, uid: string): string {
  const input = `${checkId}\u0000${uid}`;
  return (oneShotHash ? oneShotHash('sha256', input) : crypto.createHash('sha256').update(input).digest('hex')).slice(
    0,
    32,
  );
}

/** The latest instant a JavaScript Date can hold, in seconds since the epoch. */
const LATEST_EPOCH_SECONDS = 8.64e12;

/**
 * SOURCE_DATE_EPOCH (reproducible builds: whole seconds since 1970-01-01 UTC) in milliseconds, or undefined when it
 * is unset or empty. Anything else is an error rather than the current time: the spec asks a tool to fail on it.
 */
export function sourceDateEpoch(): number | undefined {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return undefined;
  if (!/^\d+$/.test(epoch) || Number(epoch) > LATEST_EPOCH_SECONDS) {
    throw new UserError(`"${epoch}" is not a number of seconds since 1970-01-01 UTC`, {
      where: 'SOURCE_DATE_EPOCH',
      hint: 'set whole seconds (e.g. `date +%s` or `git log -1 --format=%ct`), or unset it',
    });
  }
  return Number(epoch) * 1000;
}

/** Report time: SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
export function reportTime(): string {
  const epoch = sourceDateEpoch();
  return new Date(epoch ?? Date.now()).toISOString();
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
function reportResult(r: Result, check: Check, fingerprints: boolean | 'findings'): ReportResult {
  const id =
    fingerprints === true || (fingerprints === 'findings' && r.status !== 'pass')
      ? fingerprint(r.checkId, r.resource.uid)
      : '';
  if (r.waiver !== undefined || r.baselineState !== undefined) {
    return { ...r, severity: check.severity, mitigation: check.mitigation, measure: check.measure, fingerprint: id };
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
    fingerprint: id,
  };
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Each result subject's place among all the results' uids in code-unit order (equal uids share a place). Keyed by
 * the subject object, which a resource's results share: looking an object up is far cheaper than hashing its uid.
 */
function uidRanks(results: ReportResult[]): Map<ResultResource, number> {
  const ranks = new Map<ResultResource, number>();
  const subjects: ResultResource[] = [];
  let last: ResultResource | undefined;
  for (const r of results) {
    if (r.resource === last || ranks.has(r.resource)) continue;
    last = r.resource;
    ranks.set(last, 0);
    subjects.push(last);
  }
  subjects.sort((a, b) => byText(a.uid, b.uid));
  let place = 0;
  for (let i = 0; i < subjects.length; i++) {
    if (i > 0 && subjects[i]!.uid !== subjects[i - 1]!.uid) place++;
    ranks.set(subjects[i]!, place);
  }
  return ranks;
}

/**
 * Orders results by status, severity, check id, then resource uid, keeping input order for ties (as a stable sort
 * would). Buckets by the first three; the uids are sorted once, and each bucket by its uids' places as numbers
 * (place x size + input position, so ties keep their order), rather than comparing uid strings bucket by bucket.
 */
export function orderResults(results: ReportResult[]): ReportResult[] {
  const buckets: Array<Map<string, ReportResult[]> | undefined> = [];
  // Results come in runs of one check: its lists by status and severity are kept at hand for the run.
  let lastCheckId: string | undefined;
  let lists: Array<ReportResult[] | undefined> = [];
  for (const r of results) {
    const rank = STATUS_ORDER[r.status] * 4 + SEVERITY_ORDER[r.severity];
    if (r.checkId !== lastCheckId) {
      lastCheckId = r.checkId;
      lists = [];
    }
    let list = lists[rank];
    if (!list) {
      let byCheck = buckets[rank];
      if (!byCheck) buckets[rank] = byCheck = new Map();
      list = byCheck.get(r.checkId);
      if (!list) byCheck.set(r.checkId, (list = []));
      lists[rank] = list;
    }
    list.push(r);
  }
  const ranks = uidRanks(results);
  const ordered: ReportResult[] = [];
  for (const byCheck of buckets) {
    if (!byCheck) continue;
    for (const checkId of [...byCheck.keys()].sort(byText)) {
      const list = byCheck.get(checkId)!;
      const n = list.length;
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = ranks.get(list[i]!.resource)! * n + i;
      keys.sort();
      for (let i = 0; i < n; i++) ordered.push(list[keys[i]! % n]!);
    }
  }
  return ordered;
}

/**
 * Each result with its check's severity, mitigation, measure and fingerprint, ordered by status, severity, check id,
 * then resource uid (so diffs are stable): what the baseline comparison, the gate and the report read. With
 * `fingerprints: false` (a run whose outputs show none and that compares with no baseline) fingerprints are left empty;
 * with `'findings'` (outputs that show none, compared with a baseline, which matches findings only) passes' are.
 */
export function reportResults(
  results: Result[],
  checks: Check[],
  options: { fingerprints?: boolean | 'findings' } = {},
): ReportResult[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const fingerprints = options.fingerprints ?? true;
  // Results come in runs of one check: look a check up only when the run changes.
  let check: Check | undefined;
  return orderResults(
    results.map((r) => {
      if (check?.id !== r.checkId) check = byId.get(r.checkId)!;
      return reportResult(r, check, fingerprints);
    }),
  );
}

/** What a report is made of: the audited snapshot, the results as reportResults made them, and the gate's verdict. */
interface ReportInput {
  snapshot: Pick<Snapshot, 'collectedAt' | 'digest' | 'sources'>;
  files: SnapshotFile[];
  checks: Check[];
  results: ReportResult[];
  scorecard: Scorecard;
  generatedAt?: string;
  waivers?: WaiverNote[];
  baseline?: BaselineComparison;
  gate?: GateDecision;
  warnings?: ReportWarning[];
}

/** Assembles the report from what evaluation, the baseline comparison and the gate decided. */
export function buildReport(input: ReportInput): Report {
  const { results } = input;
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
    ...(input.waivers ? { waivers: input.waivers } : {}),
    ...(input.baseline ? { baseline: input.baseline } : {}),
    ...(input.gate ? { gate: input.gate } : {}),
    ...(input.warnings && input.warnings.length > 0 ? { warnings: input.warnings } : {}),
  };
}

/**
 * One sentence per snapshot file audited although no digest vouches for its content (`--allow-modified`): it no longer
 * matches the digest it records, it records none, or it was merged from such files. Empty when every file is verified.
 */
export function modifiedSnapshotNotes(report: Report): string[] {
  return report.snapshot.files.flatMap((f) => {
    if (!f.modified) return [];
    if (f.modified.actualDigest !== undefined) {
      return [
        `${f.path} was modified after collection: its content no longer matches the digest it records (recorded ${f.digest ?? '?'}, content ${f.modified.actualDigest})`,
      ];
    }
    return [
      `${f.path} is unverified (${f.modified.reason.replace(/^unverified: /, '')}): nothing shows its content is as collected`,
    ];
  });
}

/** The gate as every format shows it: the decision, whether a gate was applied at all, the project file's part. */
interface ShownGate extends GateDecision {
  /** False under --fail-on none and no --min-score: nothing was decided, and no format may show a pass. */
  applied: boolean;
  /** The project file's settings that shaped the gate, as one sentence (see GateConfig). */
  configText?: string;
}

/** The report's gate as formats show it, or undefined when the report carries no gate decision. */
export function shownGate(report: Pick<Report, 'gate'>): ShownGate | undefined {
  const gate = report.gate;
  if (!gate) return undefined;
  return { ...gate, applied: gateApplied(gate), ...(gate.config ? { configText: gateConfigText(gate.config) } : {}) };
}

/** A note about the run every format carries: SARIF ids it by `id` (declared nowhere else). */
interface RunNote {
  id: string;
  level: 'warning' | 'note';
  text: string;
}

/**
 * Everything a reader must see beside the results, in the order formats show it: unverified snapshot files, the
 * report's warnings (stale data, a baseline of another tenant), and what a project file changed in the gate.
 */
export function runNotes(report: Report): RunNote[] {
  const sarifIds: Record<ReportWarning['code'], string> = {
    'stale-snapshot': 'CW0004',
    'baseline-other-tenant': 'CW0005',
  };
  const config = shownGate(report)?.configText;
  return [
    ...modifiedSnapshotNotes(report).map((text) => ({ id: 'CW0003', level: 'warning' as const, text })),
    ...(report.warnings ?? []).map((w) => ({ id: sarifIds[w.code], level: 'warning' as const, text: w.message })),
    ...(config ? [{ id: 'CW0006', level: 'note' as const, text: config }] : []),
  ];
}

/** The report's warnings as text, for formats' headers: unverified files first. */
export function warningTexts(report: Report): string[] {
  return runNotes(report)
    .filter((n) => n.level === 'warning')
    .map((n) => n.text);
}

export { SEVERITIES };

/**
 * Why baseline findings were not evaluated, from already-escaped names: `X, Y not run this time; scopes Z not in this
 * snapshot`, or (`sentence`, after "belong to") `checks not run this time (X, Y) and scopes this snapshot does not
 * cover (Z)`.
 */
export function notEvaluatedWhy(checks: string[], scopes: string[], style: 'list' | 'sentence' = 'list'): string {
  if (style === 'sentence') {
    return [
      ...(checks.length > 0 ? [`checks not run this time (${checks.join(', ')})`] : []),
      ...(scopes.length > 0 ? [`scopes this snapshot does not cover (${scopes.join(', ')})`] : []),
    ].join(' and ');
  }
  return [
    ...(checks.length > 0 ? [`${checks.join(', ')} not run this time`] : []),
    ...(scopes.length > 0 ? [`scopes ${scopes.join(', ')} not in this snapshot`] : []),
  ].join('; ');
}
