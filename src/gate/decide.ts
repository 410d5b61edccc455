import type { Scorecard } from '../engine/score.js';
import { SEVERITIES, type Severity, type Status } from '../engine/types.js';
import { UserError } from '../errors.js';
import type { BaselineComparison } from './baseline.js';
import type { WaiverNote } from './waivers.js';

export interface GateOptions {
  failOn: Severity | 'none';
  minScore?: number | null;
  /** Unknown results at or above failOn do not fail the gate (otherwise they do: fail-closed). */
  allowUnknown?: boolean;
  /** Only results new against the baseline count. */
  failOnNewOnly?: boolean;
  /** The project file's settings that shaped this gate (a pull request can change the gate by editing it). */
  config?: GateConfig;
}

/**
 * The settings a project file (cloudward.yaml) gave this run that change what the gate decides: the threshold, the
 * minimum score, allowed unknowns, skipped or selected checks, extra or no built-in policies, waivers, the baseline,
 * new-only gating, the waiver lifetime. Only those a flag did not override. Named in every format, so a reviewer sees
 * a change to the gate made through the file.
 */
export interface GateConfig {
  file: string;
  settings: Array<{ key: string; value: string | number | boolean | string[] }>;
}

/** One sentence naming the project file and what in it shaped the gate. */
export function gateConfigText(config: GateConfig): string {
  const shown = config.settings.map(({ key, value }) =>
    value === true ? key : `${key} ${Array.isArray(value) ? value.join(', ') : String(value)}`,
  );
  return `project file ${config.file} sets the gate: ${shown.join('; ')}`;
}

/** The gate's verdict (the JSON report's `gate`): whether the run passes, under which settings, and why not. */
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
  /** The project file's settings this gate ran under (see GateConfig); absent when no project file shaped it. */
  config?: GateConfig;
}

/** What the gate reads of a result: its status and severity, and (with a baseline) whether it is new. */
interface GatedResult {
  status: Status;
  severity: Severity;
  baselineState?: 'new' | 'unchanged' | 'absent';
}

function atOrAbove(severity: Severity, threshold: Severity | 'none'): boolean {
  return threshold !== 'none' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** The gate's decision and the one-paragraph summary the CLI prints on stderr. */
export interface GateVerdict {
  decision: GateDecision;
  summary: string;
}

/**
 * The gate, run before any report is rendered: decides (see decision) and says why, naming what the baseline
 * comparison and the waivers contributed.
 */
export function decideGate(
  results: readonly GatedResult[],
  scorecard: Scorecard,
  baseline: BaselineComparison | undefined,
  waivers: readonly WaiverNote[] | undefined,
  options: GateOptions,
): GateVerdict {
  const gate = decision(results, scorecard, baseline, options);
  return { decision: gate, summary: gateSummary(gate, results, scorecard, baseline, waivers) };
}

/**
 * The pass/fail decision: failing results at or above --fail-on, unknown ones too unless --allow-unknown (a gap must
 * not turn a finding green), and an overall score under --min-score. With --fail-on-new-only only results new against
 * the baseline count, so a baseline comparison is required.
 */
function decision(
  results: readonly GatedResult[],
  scorecard: Scorecard,
  baseline: BaselineComparison | undefined,
  options: GateOptions,
): GateDecision {
  if (options.failOnNewOnly && !baseline) {
    // Without a baseline nothing is "new", and the gate would pass on anything.
    throw new UserError('--fail-on-new-only needs a baseline', {
      where: '--fail-on-new-only',
      hint: 'add --baseline PREVIOUS_REPORT.json (or `baseline:` in cloudward.yaml)',
    });
  }
  const reasons: string[] = [];
  const counts = (status: 'fail' | 'unknown') => {
    const hits = results.filter(
      (r) =>
        r.status === status &&
        atOrAbove(r.severity, options.failOn) &&
        (!options.failOnNewOnly || r.baselineState === 'new'),
    );
    const bySeverity = SEVERITIES.map((s) => [s, hits.filter((r) => r.severity === s).length] as const).filter(
      ([, n]) => n > 0,
    );
    return { hits, text: bySeverity.map(([s, n]) => `${n} ${s}`).join(', ') };
  };
  const newOnly = options.failOnNewOnly ? ' new' : '';
  const failing = counts('fail');
  if (failing.hits.length > 0) {
    reasons.push(
      `${failing.hits.length}${newOnly} failing result${failing.hits.length === 1 ? '' : 's'} at or above ${options.failOn} severity (${failing.text}).`,
    );
  }
  let blocking = failing.hits.length;
  if (!options.allowUnknown) {
    const unknown = counts('unknown');
    if (unknown.hits.length > 0) {
      reasons.push(
        `${unknown.hits.length}${newOnly} result${unknown.hits.length === 1 ? '' : 's'} at or above ${options.failOn} severity could not be assessed (${unknown.text}); fix the collection gaps or pass --allow-unknown.`,
      );
      blocking += unknown.hits.length;
    }
  }
  const minScore = options.minScore ?? null;
  const overall = scorecard.overall.score;
  if (minScore !== null) {
    if (overall === null)
      reasons.push(`--min-score ${minScore} was set but no result was evaluated, so there is no score.`);
    else if (overall < minScore) reasons.push(`Overall score ${overall.toFixed(1)} is below --min-score ${minScore}.`);
  }
  const passed = reasons.length === 0;
  return {
    passed,
    failOn: options.failOn,
    minScore,
    allowUnknown: options.allowUnknown ?? false,
    failOnNewOnly: options.failOnNewOnly ?? false,
    reasons,
    blocking,
    ...(options.config && options.config.settings.length > 0 ? { config: options.config } : {}),
  };
}

/** The gate is applied when it has a severity threshold or a minimum score. */
export function gateApplied(options: Pick<GateOptions, 'failOn' | 'minScore'>): boolean {
  return options.failOn !== 'none' || (options.minScore ?? null) !== null;
}

/**
 * A gate that evaluated nothing must not pass: no check selected (all skipped, none loaded), or checks that
 * applied to nothing in the snapshot (`results` 0, e.g. AWS checks only on an Azure snapshot). A usage error.
 */
export function assertSomethingToGate(
  checks: number,
  options: Pick<GateOptions, 'failOn' | 'minScore'>,
  results?: number,
): void {
  if (!gateApplied(options)) return;
  if (checks === 0) {
    throw new UserError('no check was evaluated, so the gate has nothing to decide on', {
      where: '--checks/--skip-checks/--policies',
      hint: 'select at least one check (`cloudward checks list` shows them), or pass --fail-on none to only report',
    });
  }
  if (results === 0) {
    throw new UserError(
      `none of the ${checks} selected check${checks === 1 ? '' : 's'} applies to anything in the snapshot, so the gate has nothing to decide on`,
      {
        hint: 'audit a snapshot of the providers these checks are for, or pass --fail-on none to only report',
      },
    );
  }
}

/** What the baseline comparison and the waivers contributed, for the summary (empty when neither was used). */
function contextNotes(
  gate: GateDecision,
  baseline: BaselineComparison | undefined,
  waivers: readonly WaiverNote[] | undefined,
): string {
  const notes: string[] = [];
  if (baseline) {
    notes.push(
      `against baseline ${baseline.file}: ${baseline.new} new, ${baseline.unchanged} unchanged, ${baseline.fixed} fixed${notEvaluatedText(baseline)}`,
    );
    if (baseline.noCommonScope) notes.push(`warning: ${baselineOtherTenantText(baseline)}`);
  }
  if (waivers) {
    const ids = (state: 'active' | 'expired' | 'stale') => waivers.filter((w) => w.state === state).map((w) => w.id);
    const expired = ids('expired');
    const stale = ids('stale');
    const parts = [`${ids('active').length} active`];
    if (expired.length > 0) parts.push(`${expired.length} expired and no longer waiving (${expired.join(', ')})`);
    if (stale.length > 0) parts.push(`${stale.length} stale, matching nothing (${stale.join(', ')})`);
    notes.push(`waivers: ${parts.join(', ')}`);
  }
  if (gate.config) notes.push(gateConfigText(gate.config));
  return notes.map((n) => `; ${n}`).join('');
}

/** `, N not evaluated (checks ... not run; scopes ... not in this snapshot)`, or nothing when every finding was. */
function notEvaluatedText(baseline: BaselineComparison): string {
  if (!baseline.notEvaluated) return '';
  const why: string[] = [];
  const checks = baseline.notEvaluatedChecks;
  const scopes = baseline.notEvaluatedScopes ?? [];
  if (checks.length > 0) why.push(`check${checks.length === 1 ? '' : 's'} ${checks.join(', ')} not run`);
  if (scopes.length > 0) why.push(`scope${scopes.length === 1 ? '' : 's'} ${scopes.join(', ')} not in this snapshot`);
  return `, ${baseline.notEvaluated} not evaluated (${why.join('; ')})`;
}

/** The warning for a baseline that shares no scope with the snapshot. */
export function baselineOtherTenantText(baseline: Pick<BaselineComparison, 'file'>): string {
  return `baseline ${baseline.file} shares no scope with this snapshot (a report of another tenant?): none of its findings can be compared, so none counts as fixed`;
}

/** The one-paragraph summary printed on stderr: why the gate passed or failed. */
function gateSummary(
  gate: GateDecision,
  results: readonly GatedResult[],
  scorecard: Scorecard,
  baseline: BaselineComparison | undefined,
  waivers: readonly WaiverNote[] | undefined,
): string {
  const score = scorecard.overall.score;
  const scoreText = score === null ? 'no score' : `score ${score.toFixed(1)}`;
  const byStatus: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, waived: 0 };
  for (const r of results) byStatus[r.status]++;
  const tally = `${byStatus.fail} fail, ${byStatus.unknown} unknown, ${byStatus.waived} waived, ${byStatus.pass} pass${contextNotes(gate, baseline, waivers)}`;
  if (gate.passed) {
    const allowed = gate.allowUnknown
      ? results.filter(
          (r) =>
            r.status === 'unknown' &&
            atOrAbove(r.severity, gate.failOn) &&
            (!gate.failOnNewOnly || r.baselineState === 'new'),
        ).length
      : 0;
    const unknownNote = allowed > 0 ? ` fails (${allowed} unknown allowed by --allow-unknown)` : '';
    const threshold =
      gate.failOn === 'none'
        ? 'no severity threshold (--fail-on none)'
        : `nothing${gate.failOnNewOnly ? ' new' : ''} at or above ${gate.failOn}${unknownNote}`;
    if (!gateApplied(gate))
      return `cloudward: gate not applied (--fail-on none, no --min-score) (${scoreText}); ${tally}.`;
    return `cloudward: gate passed — ${threshold}${gate.minScore !== null ? `, ${scoreText} >= ${gate.minScore}` : ` (${scoreText})`}; ${tally}.`;
  }
  return `cloudward: gate failed — ${gate.reasons.join(' ')} (${scoreText}; ${tally}.)`;
}
