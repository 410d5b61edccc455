import type { ScoreCell } from '../engine/score.js';
import { safeText } from '../util/terminal.js';
import { CONTROL_STATUS_TEXT, countsText, totalsText } from './compliance.js';
import type { Formatter, FormatContext } from './formatter.js';
import { notEvaluatedWhy, shownGate, warningTexts, SEVERITIES, type Report, type ReportResult } from './model.js';

/**
 * GitHub-flavoured Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY` (which takes at most 1 MiB per
 * step). Big reports are summarised, not cut mid-table: first fewer results per check, then counts only; whatever
 * is left out is said in a note pointing at the full reports.
 */
export const MARKDOWN_MAX_BYTES = 1_000_000;
/** Results listed per check before "and N more", when the budget allows. */
export const MARKDOWN_PER_CHECK = 10;
const PER_CHECK_STEPS = [MARKDOWN_PER_CHECK, 5, 3, 1, 0];

const SEVERITY_ICON = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦' } as const;

/** Text in a table cell or line: Markdown and HTML syntax escaped, one line, no @mentions. */
export function escapeMarkdown(text: string): string {
  return (
    safeText(text)
      .replace(/\s+/g, ' ')
      .trim()
      // Parentheses, `+` and `!` only mean something at a line start or after `]`, which never reach here unescaped.
      .replace(/[\\`*_{}[\]<>#|~]/g, (ch) => `\\${ch}`)
      .replace(/@/g, '@\u200b')
  );
}

/** Text inside raw HTML (a <summary> line is an HTML block, where Markdown is not parsed). */
function escapeHtml(text: string): string {
  return safeText(text)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@/g, '@\u200b');
}

/** A code span that survives any content, including backticks and table pipes. */
export function codeSpan(text: string): string {
  const body = safeText(text.replace(/\s+/g, ' ')).replace(/\|/g, '\\|');
  const fence = body.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${body}${fence.length > 1 ? ' ' : ''}${fence}`;
}

function formatScore(score: number | null): string {
  return score === null ? '—' : score.toFixed(1);
}

function scoreRow(label: string, cell: ScoreCell): string {
  const { pass, fail, unknown, waived } = cell.counts;
  return `| ${label} | ${formatScore(cell.score)} | ${pass} | ${fail} | ${unknown} | ${waived} |`;
}

function groupByCheck(results: ReportResult[]): Map<string, ReportResult[]> {
  const groups = new Map<string, ReportResult[]>();
  for (const r of results) {
    let list = groups.get(r.checkId);
    if (!list) groups.set(r.checkId, (list = []));
    list.push(r);
  }
  return groups;
}

interface Rendered {
  text: string;
  /** Results left out of the lists at this level of detail. */
  omitted: number;
}

function render(report: Report, context: FormatContext, perCheck: number): Rendered {
  const out: string[] = [];
  let omitted = 0;
  const gate = shownGate(report);
  const titles = new Map(report.checks.map((c) => [c.id, c]));
  out.push(
    gate
      ? gate.applied
        ? `## cloudward: gate ${gate.passed ? 'passed ✅' : 'failed ❌'}`
        : '## cloudward: gate not applied'
      : '## cloudward audit',
  );
  out.push('');
  if (gate && !gate.passed) {
    for (const reason of gate.reasons) out.push(`> ${escapeMarkdown(reason)}`);
    out.push('');
  }
  const { byStatus } = report.summary;
  const facts = [
    `**Score ${formatScore(report.scorecard.overall.score)}**`,
    `${byStatus.fail} fail`,
    `${byStatus.unknown} unknown`,
    `${byStatus.waived} waived`,
    `${byStatus.pass} pass`,
  ];
  if (gate)
    facts.push(
      `gate: --fail-on ${gate.failOn}${gate.failOnNewOnly ? ' (new only)' : ''}${gate.minScore !== null ? `, --min-score ${gate.minScore}` : ''}`,
    );
  out.push(facts.join(' · '));
  out.push('');
  if (gate?.configText) out.push(`> **Gate settings:** ${escapeMarkdown(gate.configText)}.`, '');
  const files = report.snapshot.files.map((f) => codeSpan(f.path)).join(', ');
  out.push(
    `Snapshot ${files} collected ${report.snapshot.collectedAt}; ${report.checks.length} checks, ${report.summary.total} results; cloudward ${report.tool.version}.`,
  );
  for (const note of warningTexts(report)) out.push('', `> **Warning:** ${escapeMarkdown(note)}.`);
  if (report.whatif) {
    const w = report.whatif;
    out.push('');
    out.push(
      `What-if of plan ${codeSpan(w.plan)}: ${w.counts.projected} change(s) projected, ${w.counts.unknown} unknown, ${w.counts['not-projected']} not projected; score before the plan ${formatScore(w.before.score)}.`,
    );
    const listed = w.changes.filter((change) => change.outcome !== 'projected');
    for (const change of listed.slice(0, Math.max(perCheck * 2, 5)))
      out.push(
        `- ${codeSpan(change.address)} (${change.action}) ${change.outcome}: ${escapeMarkdown(change.reason ?? '')}`,
      );
    if (listed.length > Math.max(perCheck * 2, 5))
      out.push(`- … and ${listed.length - Math.max(perCheck * 2, 5)} more (the JSON report lists every change)`);
  }
  if (context.filter)
    out.push('', `Listing only ${escapeMarkdown(context.filter)}; the scores and the gate count every result.`);
  if (report.baseline) {
    const b = report.baseline;
    out.push('');
    out.push(
      `Against baseline ${codeSpan(b.file)}: **${b.new} new**, ${b.unchanged} unchanged, ${b.fixed} fixed${b.notEvaluated ? `, ${b.notEvaluated} not evaluated (${notEvaluatedWhy(b.notEvaluatedChecks.map(codeSpan), (b.notEvaluatedScopes ?? []).map(codeSpan))}; not counted as fixed)` : ''}.`,
    );
  }
  out.push('');
  out.push('| Mitigation / measure | Score | Pass | Fail | Unknown | Waived |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const m of report.scorecard.mitigations) {
    out.push(scoreRow(`**${m.id} ${escapeMarkdown(m.name)}**`, m));
    for (const measure of m.measures) {
      if (measure.checks === 0) out.push(`| ${measure.id} | not assessed | | | | |`);
      else out.push(scoreRow(measure.id, measure));
    }
  }
  out.push('');
  if (report.scorecard.scopes.length > 0) {
    // Per scope, with its coverage: an account whose data could not be read is "not assessed", not a red 0.0.
    out.push('| Scope | Score | Coverage (decided / results) |', '|---|---:|---:|');
    for (const s of report.scorecard.scopes) {
      const score = s.status === 'not-assessed' ? `not assessed (${s.counts.unknown} unknown)` : formatScore(s.score);
      out.push(
        `| ${escapeMarkdown(`${s.provider} ${s.kind} ${s.name ?? s.id}`)} | ${score} | ${s.coverage ? `${s.coverage.decided} / ${s.coverage.results}` : ''} |`,
      );
    }
    out.push('');
  }

  if (report.compliance) {
    const view = report.compliance;
    out.push(`### Compliance: ${escapeMarkdown(view.title)}`, '', `${totalsText(view)}.`, '');
    out.push('| Control | Status | Title | Checks | Results |', '|---|---|---|---|---|');
    for (const control of view.controls) {
      const status = CONTROL_STATUS_TEXT[control.status ?? 'not-covered'];
      out.push(
        `| ${control.id} | ${control.status === 'fail' ? `**${status}**` : status} | ${escapeMarkdown(control.title)} | ${control.checks.map(codeSpan).join(' ')} | ${countsText(control.counts)} |`,
      );
    }
    out.push('');
  }

  const section = (
    title: string,
    results: ReportResult[],
    line: (r: ReportResult) => string,
    options: { open: boolean; footer?: (checkId: string) => string },
  ) => {
    if (results.length === 0) return;
    out.push(`### ${title} (${results.length})`);
    out.push('');
    for (const [checkId, list] of groupByCheck(results)) {
      const check = titles.get(checkId);
      const icon = check ? SEVERITY_ICON[check.severity] : '';
      const open = options.open;
      out.push(
        `<details${open ? ' open' : ''}><summary>${icon} <b>${check?.severity ?? ''}</b> <code>${escapeHtml(checkId)}</code>: ${escapeHtml(check?.title ?? checkId)} (${list.length})</summary>`,
      );
      out.push('');
      const shown = list.slice(0, perCheck);
      for (const r of shown) out.push(line(r));
      if (shown.length < list.length) {
        omitted += list.length - shown.length;
        out.push(`- … and ${list.length - shown.length} more`);
      }
      if (options.footer) {
        out.push('');
        out.push(options.footer(checkId));
      }
      out.push('');
      out.push('</details>');
      out.push('');
    }
  };
  const bySeverity = (list: ReportResult[]) => SEVERITIES.flatMap((s) => list.filter((r) => r.severity === s));
  const failing = bySeverity(report.results.filter((r) => r.status === 'fail'));
  const remediation = (checkId: string) => `**Fix:** ${escapeMarkdown(titles.get(checkId)?.remediation ?? '')}`;
  const causes = (r: ReportResult) =>
    r.causes
      ? ` — caused by ${r.causes.map((cause) => `${codeSpan(cause.address)}${cause.file ? ` (${codeSpan(`${cause.file}:${cause.line}`)})` : ''}`).join(', ')}`
      : '';
  const newMark = (r: ReportResult) => (r.baselineState === 'new' ? ` **new**${causes(r)}` : '');
  // Against a baseline a reviewer wants what this change brought first; everything else stays, collapsed.
  const baseline = report.baseline !== undefined;
  if (baseline) {
    const fresh = bySeverity(report.results.filter((r) => r.baselineState === 'new'));
    if (fresh.length === 0) out.push('### New findings (0)', '', 'Nothing new against the baseline.', '');
    section(
      'New findings',
      fresh,
      (r) => `- ${codeSpan(r.resource.uid)} (${r.status})${causes(r)}: ${escapeMarkdown(r.message)}`,
      { open: true, footer: remediation },
    );
  }
  section(
    baseline ? 'All failing' : 'Failing',
    failing,
    (r) => `- ${codeSpan(r.resource.uid)}${newMark(r)}: ${escapeMarkdown(r.message)}`,
    { open: !baseline, footer: remediation },
  );
  if (!context.quiet) {
    const unknown = bySeverity(report.results.filter((r) => r.status === 'unknown'));
    section(
      'Not assessed: data missing, counted as not passing',
      unknown,
      (r) => `- ${codeSpan(r.resource.uid)}${newMark(r)}: ${escapeMarkdown(r.message)}`,
      { open: false },
    );
    const waived = bySeverity(report.results.filter((r) => r.status === 'waived'));
    section(
      'Waived',
      waived,
      (r) => {
        const w = r.waiver;
        return `- ${codeSpan(r.resource.uid)}: ${w ? `${escapeMarkdown(w.reason)} (owner ${escapeMarkdown(w.owner)}, until ${w.expires}${w.ticket ? `, ${escapeMarkdown(w.ticket)}` : ''}, waiver ${codeSpan(w.id)})` : 'waived'}`;
      },
      { open: false },
    );
  }
  const attention = (report.waivers ?? []).filter((w) => w.state !== 'active');
  if (attention.length > 0) {
    out.push(`### Waivers needing attention (${attention.length} of ${report.waivers!.length})`);
    out.push('');
    out.push('| Waiver | Check | Resource pattern | Owner | State |');
    out.push('|---|---|---|---|---|');
    const shown = attention.slice(0, Math.max(perCheck * 5, 20));
    for (const w of shown) {
      const state =
        w.state === 'expired'
          ? `expired ${w.expires}${w.matched > 0 ? `; ${w.matched === 1 ? '1 result counts' : `${w.matched} results count`} again` : ''}`
          : 'stale: matches nothing, remove it';
      out.push(
        `| ${codeSpan(w.id)} | ${codeSpan(w.checkId)} | ${codeSpan(w.resource)} | ${escapeMarkdown(w.owner)} | ${state} |`,
      );
    }
    if (shown.length < attention.length) {
      omitted += attention.length - shown.length;
      out.push(`| … and ${attention.length - shown.length} more | | | | |`);
    }
    out.push('');
  }
  if (report.baseline && report.baseline.fixedResults.length > 0) {
    const fixed = report.baseline.fixedResults;
    out.push(`### Fixed since the baseline (${fixed.length})`);
    out.push('');
    const shown = fixed.slice(0, Math.max(perCheck * 5, perCheck === 0 ? 0 : 20));
    for (const f of shown) out.push(`- ${codeSpan(f.checkId)} ${codeSpan(f.uid)}`);
    if (shown.length < fixed.length) {
      omitted += fixed.length - shown.length;
      out.push(`- … and ${fixed.length - shown.length} more`);
    }
    out.push('');
  }
  return { text: out.join('\n'), omitted };
}

/**
 * Renders the Markdown summary within `maxBytes` (UTF-8): as detailed as fits, from MARKDOWN_PER_CHECK results per
 * check down to counts only; as a last resort the text is cut at a line boundary. Says so whenever it left anything out.
 */
export function renderMarkdown(report: Report, context: FormatContext, maxBytes = MARKDOWN_MAX_BYTES): string {
  const note = (omitted: number, cut: boolean) =>
    omitted > 0 || cut
      ? `\n> [!NOTE]\n> This summary leaves out ${cut ? 'the rest of the report' : `${omitted} result${omitted === 1 ? '' : 's'}`} to stay under ${Math.floor(maxBytes / 1000)} kB. The JSON and SARIF reports list every result.\n`
      : '';
  const reserve = Buffer.byteLength(note(Number.MAX_SAFE_INTEGER, true)) + 2;
  let last: Rendered | undefined;
  for (const perCheck of PER_CHECK_STEPS) {
    last = render(report, context, perCheck);
    const size = Buffer.byteLength(last.text);
    if (size + reserve <= maxBytes) return `${last.text}${note(last.omitted, false)}`;
  }
  // Even counts alone do not fit (tens of thousands of checks or waivers): keep whole lines up to the budget.
  const budget = maxBytes - reserve;
  const kept: string[] = [];
  let size = 0;
  for (const line of last!.text.split('\n')) {
    const bytes = Buffer.byteLength(line) + 1;
    if (size + bytes > budget) break;
    kept.push(line);
    size += bytes;
  }
  context.warn?.(`markdown: the summary was cut at ${maxBytes} bytes; the JSON report lists every result`);
  return `${kept.join('\n')}\n${note(0, true)}`;
}

export const markdownFormatter: Formatter = {
  name: 'markdown',
  extension: 'md',
  description: 'Markdown summary for pull-request comments and $GITHUB_STEP_SUMMARY (kept under 1 MB)',
  needs: { passEvidence: false, fingerprints: false, filters: true },
  render: (report, context) => renderMarkdown(report, context),
};
