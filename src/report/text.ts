import pc from 'picocolors';
import type { ScoreCell } from '../engine/score.js';
import type { Formatter, FormatContext } from './formatter.js';
import { groupByCheck } from './group.js';
import { SEVERITIES, shownGate, warningTexts, type Report } from './model.js';
import { counted, safeText as s } from '../util/terminal.js';
import { CONTROL_STATUS_TEXT, countsText, totalsText } from './compliance.js';

/** Results shown per check before "... and N more" (unless --verbose). */
const PER_CHECK_LIMIT = 5;

function bar(score: number | null, width = 10): string {
  if (score === null) return ' '.repeat(width);
  const filled = Math.round((score / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

function formatScore(score: number | null): string {
  return score === null ? '   —' : score.toFixed(1).padStart(5);
}

function countsLine(cell: ScoreCell): string {
  const parts = [`${cell.counts.pass} pass`, `${cell.counts.fail} fail`];
  if (cell.counts.unknown) parts.push(`${cell.counts.unknown} unknown`);
  if (cell.counts.waived) parts.push(`${cell.counts.waived} waived`);
  return parts.join(' · ');
}

function renderText(report: Report, context: FormatContext): string {
  const c = pc.createColors(context.color);
  const tint = (score: number | null, text: string) =>
    score === null ? c.dim(text) : score >= 80 ? c.green(text) : score >= 50 ? c.yellow(text) : c.red(text);
  const severityColor = { critical: (s: string) => c.bold(c.red(s)), high: c.red, medium: c.yellow, low: c.cyan };
  const lines: string[] = [];
  const files = report.snapshot.files.map((f) => s(f.path)).join(', ');
  lines.push(c.bold(`cloudward ${report.tool.version} — audit of ${files}`));
  lines.push(
    c.dim(
      `collected ${s(report.snapshot.collectedAt)} · ${report.snapshot.sources.length} sources · ${report.checks.length} checks · ${report.summary.total} results`,
    ),
  );
  for (const note of warningTexts(report)) lines.push(c.yellow(c.bold(`! ${s(note)}`)));
  if (context.filter)
    lines.push(c.yellow(`listing only ${s(context.filter)}; the scores and the gate count every result`));
  lines.push('');
  const overall = report.scorecard.overall;
  lines.push(
    `${c.bold('Overall score'.padEnd(46))}${tint(overall.score, `${formatScore(overall.score)}  ${bar(overall.score)}`)}  ${countsLine(overall)}`,
  );
  lines.push('');
  for (const mitigation of report.scorecard.mitigations) {
    lines.push(
      `${c.bold(`${mitigation.id} ${mitigation.name}`.padEnd(46))}${tint(mitigation.score, `${formatScore(mitigation.score)}  ${bar(mitigation.score)}`)}  ${countsLine(mitigation)}`,
    );
    for (const measure of mitigation.measures) {
      const label = `  ${measure.id}`.padEnd(46);
      if (measure.checks === 0) lines.push(c.dim(`${label}   —              not assessed: no checks loaded`));
      else if (measure.score === null) lines.push(c.dim(`${label}   —              no resources in scope`));
      else
        lines.push(
          `${label}${tint(measure.score, `${formatScore(measure.score)}  ${bar(measure.score)}`)}  ${countsLine(measure)}`,
        );
    }
    lines.push('');
  }
  if (report.scorecard.scopes.length > 0) {
    lines.push(c.bold('Scopes'));
    for (const scope of report.scorecard.scopes) {
      const label = `  ${s(scope.provider)} ${s(scope.kind)} ${s(scope.name ?? scope.id)}`;
      const coverage = scope.coverage ? ` · ${scope.coverage.decided}/${scope.coverage.results} decided` : '';
      if (scope.status === 'not-assessed')
        lines.push(
          c.dim(
            `${label.padEnd(46)}   —              not assessed: no result could be decided (${scope.counts.unknown} unknown)${coverage}`,
          ),
        );
      else
        lines.push(
          `${label.padEnd(46)}${tint(scope.score, `${formatScore(scope.score)}  ${bar(scope.score)}`)}  ${countsLine(scope)}${coverage}`,
        );
    }
    lines.push('');
  }

  if (report.compliance) {
    const view = report.compliance;
    const tintStatus = {
      pass: c.green,
      fail: c.red,
      unknown: c.magenta,
      'no-resources': c.dim,
      'not-covered': c.yellow,
    };
    lines.push(c.bold(`Compliance: ${view.title} — ${totalsText(view)}`));
    const width = Math.max(...view.controls.map((x) => x.id.length));
    for (const control of view.controls) {
      const status = control.status ?? 'not-covered';
      const detail =
        control.checks.length === 0
          ? 'no check covers it'
          : `${control.checks.join(', ')}${control.counts ? `: ${countsText(control.counts)}` : ''}`;
      lines.push(
        `  ${control.id.padEnd(width)}  ${tintStatus[status](CONTROL_STATUS_TEXT[status].padEnd(12))}  ${s(control.title)}`,
      );
      lines.push(c.dim(`  ${' '.repeat(width)}  ${' '.repeat(12)}  ${s(detail)}`));
    }
    lines.push('');
  }

  const failing = report.results.filter((r) => r.status === 'fail');
  lines.push(c.bold(failing.length === 0 ? 'No failing results' : `Failing results (${failing.length})`));
  const remediation = new Map(report.checks.map((check) => [check.id, check.remediation]));
  for (const severity of SEVERITIES) {
    const group = failing.filter((r) => r.severity === severity);
    if (group.length === 0) continue;
    lines.push('');
    lines.push(severityColor[severity](`${severity.toUpperCase()} (${group.length})`));
    for (const [checkId, list] of groupByCheck(group)) {
      lines.push(`  ${c.bold(s(checkId))} ${c.dim(`(${list.length})`)}`);
      const shown = context.verbose ? list : list.slice(0, PER_CHECK_LIMIT);
      for (const r of shown) {
        lines.push(
          `    ${severityColor[severity]('✗')} ${s(r.message)}${r.baselineState === 'new' ? c.bold(' [new]') : ''}`,
        );
        lines.push(c.dim(`      ${s(r.resource.uid)}`));
        if (r.causes)
          lines.push(
            `      caused by ${r.causes.map((cause) => s(`${cause.address}${cause.file ? ` (${cause.file}:${cause.line})` : ''}`)).join(', ')}`,
          );
        if (context.verbose) {
          for (const f of r.evidence.failed ?? [])
            lines.push(
              c.dim(
                `      ${s(f.path)}: ${s(f.message)}${f.actual === undefined ? '' : ` (saw ${s(JSON.stringify(f.actual))})`}`,
              ),
            );
        }
      }
      if (shown.length < list.length)
        lines.push(c.dim(`    ... and ${list.length - shown.length} more (--verbose, or the json report, lists all)`));
      lines.push(`    ${c.cyan('fix:')} ${s((remediation.get(checkId) ?? '').replace(/\s+/g, ' '))}`);
    }
  }

  const unknown = report.results.filter((r) => r.status === 'unknown');
  if (unknown.length > 0 && !context.quiet) {
    lines.push('');
    lines.push(c.bold(`Not assessed (${unknown.length}) — data missing, counted as not passing`));
    for (const [checkId, list] of groupByCheck(unknown)) {
      const reasons = [...new Set(list.map((r) => s(r.message.replace(/^Not assessed: /, ''))))];
      lines.push(
        `  ? ${s(checkId)} ${c.dim(`(${list.length})`)}: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? '; ...' : ''}`,
      );
    }
  }
  const gaps = report.snapshot.sources.flatMap((s) => s.gaps.map((g) => ({ ...g, uid: s.uid })));
  if (gaps.length > 0 && !context.quiet) {
    lines.push('');
    lines.push(c.bold(`Collection gaps (${gaps.length})`));
    for (const g of gaps)
      lines.push(`  ${s(g.uid)}: ${s(g.what)} — ${s(g.reason)}${g.call ? c.dim(` [${s(g.call)}]`) : ''}`);
  }
  const waived = report.results.filter((r) => r.status === 'waived');
  if (waived.length > 0 && !context.quiet) {
    lines.push('');
    lines.push(c.bold(`Waived (${waived.length})`));
    for (const r of waived.slice(0, context.verbose ? waived.length : 20)) {
      lines.push(
        `  ~ ${s(r.checkId)} ${s(r.resource.uid)} — ${s(r.waiver?.reason ?? '')} (${s(r.waiver?.owner ?? '?')}, until ${s(r.waiver?.expires ?? '?')})`,
      );
    }
  }
  const attention = (report.waivers ?? []).filter((w) => w.state !== 'active');
  if (attention.length > 0) {
    lines.push('');
    lines.push(c.bold(`Waivers needing attention (${attention.length} of ${report.waivers!.length})`));
    for (const w of attention) {
      const what =
        w.state === 'expired'
          ? `expired ${s(w.expires)}; no longer waives${w.matched > 0 ? ` (${w.matched === 1 ? '1 result counts' : `${w.matched} results count`} again)` : ''}`
          : 'stale: matches no failing or unknown result; remove it';
      lines.push(c.yellow(`  ! ${s(w.id)} (${s(w.checkId)} ${s(w.resource)}, owner ${s(w.owner)}): ${what}`));
    }
  }
  if (report.baseline) {
    const b = report.baseline;
    lines.push('');
    lines.push(
      c.bold(
        `Against baseline ${s(b.file)}: ${b.new} new, ${b.unchanged} unchanged, ${b.fixed} fixed${b.notEvaluated ? `, ${b.notEvaluated} not evaluated` : ''}`,
      ),
    );
    if (b.notEvaluated) {
      const of = [
        ...(b.notEvaluatedChecks.length > 0 ? [`${b.notEvaluatedChecks.map(s).join(', ')}, not run this time`] : []),
        ...(b.notEvaluatedScopes?.length
          ? [`scopes ${b.notEvaluatedScopes.map(s).join(', ')}, not in this snapshot`]
          : []),
      ];
      lines.push(
        c.yellow(
          `  ? not evaluated: ${counted(b.notEvaluated, 'baseline finding')} of ${of.join('; and of ')}; not counted as fixed`,
        ),
      );
    }
    for (const f of b.fixedResults.slice(0, context.verbose ? b.fixedResults.length : 10))
      lines.push(c.green(`  ✓ fixed: ${s(f.checkId)} ${s(f.uid)}`));
    if (!context.verbose && b.fixedResults.length > 10)
      lines.push(c.dim(`  ... and ${b.fixedResults.length - 10} more fixed (--verbose lists all)`));
  }
  if (report.whatif)
    lines.push('', ...whatIfLines(report.whatif, context.verbose).map((line, i) => (i === 0 ? c.bold(line) : line)));
  const gate = shownGate(report);
  if (gate) {
    lines.push('');
    if (!gate.applied) lines.push(c.bold('Gate: not applied (--fail-on none, no --min-score)'));
    else lines.push(gate.passed ? c.green(c.bold('Gate: passed')) : c.red(c.bold('Gate: failed')));
    for (const reason of gate.reasons) lines.push(`  ${s(reason)}`);
    if (gate.configText) lines.push(c.yellow(`  ${s(gate.configText)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The what-if section: the plan's changes by outcome, those not projected or left unknown, and the gaps. */
function whatIfLines(whatif: NonNullable<Report['whatif']>, verbose: boolean): string[] {
  const { counts } = whatif;
  const lines = [
    `What-if: plan ${whatif.plan} — ${counts.projected} change(s) projected, ${counts.unknown} unknown, ${counts['not-projected']} not projected (score before the plan ${whatif.before.score === null ? '—' : whatif.before.score.toFixed(1)})`,
  ];
  const listed = whatif.changes.filter((change) => change.outcome !== 'projected');
  for (const change of listed.slice(0, verbose ? listed.length : 20))
    lines.push(
      `  ${change.outcome === 'unknown' ? '?' : '-'} ${change.address} [${change.action}] ${change.outcome}: ${change.reason ?? ''}`,
    );
  if (!verbose && listed.length > 20)
    lines.push(`  ... and ${listed.length - 20} more (--verbose, or the json report, lists all)`);
  return lines;
}

export const textFormatter: Formatter = {
  name: 'text',
  extension: 'txt',
  description: 'terminal scorecard: scores per mitigation and measure, failing results by severity with remediation',
  needs: { passEvidence: false, fingerprints: false, filters: true },
  render: renderText,
};
