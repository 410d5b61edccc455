import { SEVERITIES, type Severity } from '../engine/types.js';
import { UserError } from '../errors.js';
import type { GateDecision, Report } from '../report/model.js';

export interface GateOptions {
  failOn: Severity | 'none';
  minScore?: number | null;
  /** Unknown results at or above failOn do not fail the gate (otherwise they do: fail-closed). */
  allowUnknown?: boolean;
  /** Only results new against the baseline count. */
  failOnNewOnly?: boolean;
}

function atOrAbove(severity: Severity, threshold: Severity | 'none'): boolean {
  return threshold !== 'none' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/**
 * The pass/fail decision: failing results at or above --fail-on, unknown ones too unless --allow-unknown
 * (a gap must not turn a finding green), and an overall score under --min-score.
 */
export function decideGate(report: Report, options: GateOptions): GateDecision {
  const reasons: string[] = [];
  const counts = (status: 'fail' | 'unknown') => {
    const hits = report.results.filter(
      (r) => r.status === status && atOrAbove(r.severity, options.failOn) && (!options.failOnNewOnly || r.baselineState === 'new'),
    );
    const bySeverity = SEVERITIES.map((s) => [s, hits.filter((r) => r.severity === s).length] as const).filter(([, n]) => n > 0);
    return { hits, text: bySeverity.map(([s, n]) => `${n} ${s}`).join(', ') };
  };
  const newOnly = options.failOnNewOnly ? ' new' : '';
  const failing = counts('fail');
  if (failing.hits.length > 0) {
    reasons.push(`${failing.hits.length}${newOnly} failing result${failing.hits.length === 1 ? '' : 's'} at or above ${options.failOn} severity (${failing.text}).`);
  }
  let blocking = failing.hits.length;
  if (!options.allowUnknown) {
    const unknown = counts('unknown');
    if (unknown.hits.length > 0) {
      reasons.push(`${unknown.hits.length}${newOnly} result${unknown.hits.length === 1 ? '' : 's'} at or above ${options.failOn} severity could not be assessed (${unknown.text}); fix the collection gaps or pass --allow-unknown.`);
      blocking += unknown.hits.length;
    }
  }
  const minScore = options.minScore ?? null;
  const overall = report.scorecard.overall.score;
  if (minScore !== null) {
    if (overall === null) reasons.push(`--min-score ${minScore} was set but no result was evaluated, so there is no score.`);
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
export function assertSomethingToGate(checks: number, options: Pick<GateOptions, 'failOn' | 'minScore'>, results?: number): void {
  if (!gateApplied(options)) return;
  if (checks === 0) {
    throw new UserError('no check was evaluated, so the gate has nothing to decide on', {
      where: '--checks/--skip-checks/--policies',
      hint: 'select at least one check (`cloudward checks list` shows them), or pass --fail-on none to only report',
    });
  }
  if (results === 0) {
    throw new UserError(`none of the ${checks} selected check${checks === 1 ? '' : 's'} applies to anything in the snapshot, so the gate has nothing to decide on`, {
      hint: 'audit a snapshot of the providers these checks are for, or pass --fail-on none to only report',
    });
  }
}

/** What the baseline comparison and the waivers contributed, for the summary (empty when neither was used). */
function contextNotes(report: Report): string {
  const notes: string[] = [];
  if (report.baseline) {
    const b = report.baseline;
    const skipped = b.notEvaluated ? `, ${b.notEvaluated} not evaluated (check${b.notEvaluatedChecks.length === 1 ? '' : 's'} ${b.notEvaluatedChecks.join(', ')} not run)` : '';
    notes.push(`against baseline ${b.file}: ${b.new} new, ${b.unchanged} unchanged, ${b.fixed} fixed${skipped}`);
  }
  if (report.waivers) {
    const ids = (state: 'active' | 'expired' | 'stale') => report.waivers!.filter((w) => w.state === state).map((w) => w.id);
    const expired = ids('expired');
    const stale = ids('stale');
    const parts = [`${ids('active').length} active`];
    if (expired.length > 0) parts.push(`${expired.length} expired and no longer waiving (${expired.join(', ')})`);
    if (stale.length > 0) parts.push(`${stale.length} stale, matching nothing (${stale.join(', ')})`);
    notes.push(`waivers: ${parts.join(', ')}`);
  }
  return notes.map((n) => `; ${n}`).join('');
}

/** The one-paragraph summary printed on stderr: why the gate passed or failed. */
export function gateSummary(gate: GateDecision, report: Report): string {
  const score = report.scorecard.overall.score;
  const scoreText = score === null ? 'no score' : `score ${score.toFixed(1)}`;
  const { byStatus } = report.summary;
  const tally = `${byStatus.fail} fail, ${byStatus.unknown} unknown, ${byStatus.waived} waived, ${byStatus.pass} pass${contextNotes(report)}`;
  if (gate.passed) {
    const allowed = gate.allowUnknown
      ? report.results.filter((r) => r.status === 'unknown' && atOrAbove(r.severity, gate.failOn) && (!gate.failOnNewOnly || r.baselineState === 'new')).length
      : 0;
    const unknownNote = allowed > 0 ? ` fails (${allowed} unknown allowed by --allow-unknown)` : '';
    const threshold = gate.failOn === 'none' ? 'no severity threshold (--fail-on none)' : `nothing${gate.failOnNewOnly ? ' new' : ''} at or above ${gate.failOn}${unknownNote}`;
    if (!gateApplied(gate)) return `cloudward: gate not applied (--fail-on none, no --min-score) (${scoreText}); ${tally}.`;
    return `cloudward: gate passed — ${threshold}${gate.minScore !== null ? `, ${scoreText} >= ${gate.minScore}` : ` (${scoreText})`}; ${tally}.`;
  }
  return `cloudward: gate failed — ${gate.reasons.join(' ')} (${scoreText}; ${tally}.)`;
}
