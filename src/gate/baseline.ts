import type { ValidateFunction } from 'ajv';
import type { Status } from '../engine/types.js';
import { UserError } from '../errors.js';
import { REPORT_VERSION, type Report, type ReportResult } from '../report/model.js';
import { scopeKey, type Scope } from '../snapshot/model.js';
import { createAjv, describeAjvError, loadSchema, mostSpecificError } from '../util/ajv.js';
import { readInputText } from '../util/files.js';
import { parseJsonText } from '../util/json.js';
import { TOOL_NAME } from '../util/paths.js';

/** A previous report loaded for comparison: the whole report plus its results by fingerprint. */
export interface LoadedReport {
  file: string;
  report: Report;
  byFingerprint: Map<string, ReportResult>;
}

/** Findings against the baseline (the JSON report's `baseline`): counts, and the baseline's findings now gone. */
export interface BaselineComparison {
  file: string;
  new: number;
  unchanged: number;
  fixed: number;
  /**
   * Baseline findings not evaluated this run: of checks left out (--checks/--skip-checks, not loaded), or of scopes
   * the snapshot does not cover (an account that failed to collect, a subscription left out).
   */
  notEvaluated: number;
  notEvaluatedChecks: string[];
  /** Scopes (`aws:account/123456789012`) of the baseline that this snapshot does not cover, whose findings are not evaluated. */
  notEvaluatedScopes: string[];
  /** The baseline and this snapshot share no scope: most likely a report of another tenant. */
  noCommonScope?: boolean;
  fixedResults: Array<{ checkId: string; uid: string; fingerprint: string }>;
}

/** How much a finding weighs on the gate: a finding that moved up this order needs review again. */
const GATE_RANK: Record<Status, number> = { pass: 0, waived: 1, unknown: 2, fail: 3 };

/** A status that is a finding: something a reviewer has to look at (everything but `pass`). */
export function isFinding(status: Status): boolean {
  return status !== 'pass';
}

function notAReport(file: string, why: string, hint = 'pass a report written by `cloudward audit --format json`'): UserError {
  return new UserError(`not a cloudward JSON report: ${why}`, { where: file, hint });
}

/**
 * Checks that a parsed value is a cloudward JSON report of this report version, with results that carry the
 * fields a comparison reads (check id, resource uid, status). A SARIF log or a snapshot given by mistake is named.
 */
export function assertReport(value: unknown, file: string): Report {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAReport(file, 'the file does not hold a JSON object');
  const record = value as Record<string, unknown>;
  if (typeof record.version === 'string' && Array.isArray(record.runs)) {
    throw notAReport(file, 'this is a SARIF log', 'pass the JSON report (`--format json`) of the earlier run, not its SARIF');
  }
  if (typeof record.schemaVersion === 'string' && Array.isArray(record.principals)) {
    throw notAReport(file, 'this is a snapshot', 'audit the earlier snapshot with `--format json` and pass that report');
  }
  const tool = record.tool as { name?: unknown } | undefined;
  if (typeof record.reportVersion !== 'string' || tool?.name !== TOOL_NAME) throw notAReport(file, 'no reportVersion or tool.name "cloudward"');
  if (record.reportVersion !== REPORT_VERSION) {
    throw new UserError(`report version ${record.reportVersion} is not the version this cloudward reads (${REPORT_VERSION})`, {
      where: `${file}#/reportVersion`,
      hint: 'regenerate the report with this version of cloudward (`cloudward audit OLD-SNAPSHOT --format json`)',
    });
  }
  if (!Array.isArray(record.results)) throw notAReport(file, 'it has no results list');
  record.results.forEach((r: unknown, index) => {
    const result = r as Partial<ReportResult> | null;
    if (typeof result?.checkId !== 'string' || typeof result.resource?.uid !== 'string' || typeof result.status !== 'string' || typeof result.fingerprint !== 'string') {
      throw notAReport(`${file}#/results/${index}`, 'a result lacks checkId, resource.uid, status or fingerprint');
    }
  });
  // The whole report against its schema: a status or severity the gate does not know would otherwise be compared
  // as if it meant something.
  reportValidator ??= createAjv({ validateSchema: false }).compile(loadSchema('report.schema.json'));
  if (!reportValidator(value)) {
    const error = mostSpecificError(reportValidator.errors ?? []);
    throw new UserError(`invalid report: ${describeAjvError(error).replace(/^[^:]*: /, '')}`, {
      where: `${file}#${error.instancePath || '/'}`,
      hint: 'a report must match schemas/report.schema.json; write it again with `cloudward audit --format json`',
    });
  }
  return value as Report;
}

let reportValidator: ValidateFunction | undefined;

/** Reads a previous JSON report (for --baseline and `cloudward diff`); anything else is a clear input error. */
export async function loadReport(file: string, what = 'baseline report'): Promise<LoadedReport> {
  const text = await readInputText(file, what);
  const report = assertReport(parseJsonText(text, file, `${what} JSON`), file);
  return { file, report, byFingerprint: new Map(report.results.map((r) => [r.fingerprint, r])) };
}

/** The scopes (`aws:account/123456789012`) a report's snapshot read; sources without a well-formed scope are left out. */
export function sourceScopes(report: Report): string[] {
  const sources: unknown = report.snapshot?.sources;
  if (!Array.isArray(sources)) return [];
  return sources.flatMap((s: { provider?: unknown; scope?: { kind?: unknown; id?: unknown } } | null) =>
    typeof s?.provider === 'string' && typeof s.scope?.kind === 'string' && typeof s.scope.id === 'string' ? [scopeKey(s.provider, s.scope as Scope)] : [],
  );
}

/**
 * Marks each current finding `new` or `unchanged` against the baseline (matched by fingerprint = check id + resource
 * uid) and lists the baseline's findings that are gone (`fixed`: the resource passes now, or is no longer there).
 * A finding whose status moved towards failing (a waiver expired, so `waived` became `fail`; a gap was filled, so
 * `unknown` became `fail`) counts as new: it needs a reviewer's attention again. One that moved the other way (now
 * waived, or now unknown) is unchanged. Passing results get no baseline state.
 * A baseline finding of a check that was not evaluated this time (left out by --checks/--skip-checks, or not
 * loaded), or of a scope the baseline read and this snapshot does not (`covered`: this snapshot's source scopes), is
 * neither fixed nor still there: it is counted as `notEvaluated`, with the checks and scopes named. An account that
 * failed to collect must not look remediated.
 * Mutates `results` (sets `baselineState`) and returns the report's `baseline` block.
 */
export function compareWithBaseline(results: ReportResult[], baseline: LoadedReport, evaluated?: ReadonlySet<string>, covered?: ReadonlySet<string>): BaselineComparison {
  const block: BaselineComparison = { file: baseline.file, new: 0, unchanged: 0, fixed: 0, notEvaluated: 0, notEvaluatedChecks: [], notEvaluatedScopes: [], fixedResults: [] };
  const skipped = new Set<string>();
  const baselineScopes = new Set(sourceScopes(baseline.report));
  const missingScopes = covered ? new Set([...baselineScopes].filter((key) => !covered.has(key))) : new Set<string>();
  if (covered && baselineScopes.size > 0 && missingScopes.size === baselineScopes.size) block.noCommonScope = true;
  const uncovered = new Set<string>();
  const current = new Map<string, ReportResult>();
  for (const result of results) {
    current.set(result.fingerprint, result);
    if (!isFinding(result.status)) continue;
    const before = baseline.byFingerprint.get(result.fingerprint);
    const unchanged = before !== undefined && isFinding(before.status) && GATE_RANK[result.status] <= GATE_RANK[before.status];
    result.baselineState = unchanged ? 'unchanged' : 'new';
    if (unchanged) block.unchanged++;
    else block.new++;
  }
  for (const before of baseline.report.results) {
    if (!isFinding(before.status)) continue;
    const now = current.get(before.fingerprint);
    if (now && isFinding(now.status)) continue;
    if (evaluated && !evaluated.has(before.checkId)) {
      block.notEvaluated++;
      skipped.add(before.checkId);
      continue;
    }
    const scope = before.resource.scope as Scope | undefined;
    const key = scope ? scopeKey(before.resource.provider, scope) : undefined;
    if (!now && key !== undefined && missingScopes.has(key)) {
      block.notEvaluated++;
      uncovered.add(key);
      continue;
    }
    block.fixedResults.push({ checkId: before.checkId, uid: before.resource.uid, fingerprint: before.fingerprint });
  }
  block.fixed = block.fixedResults.length;
  block.notEvaluatedChecks = [...skipped].sort();
  block.notEvaluatedScopes = [...uncovered].sort();
  return block;
}
