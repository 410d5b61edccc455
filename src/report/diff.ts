import type { DiffEntry, ReportDiff, ScoreDelta } from './compare.js';
import type { Status } from '../engine/types.js';
import { codeSpan, escapeMarkdown } from './markdown.js';
import { safeText as s } from '../util/terminal.js';

function scoreText(d: ScoreDelta): string {
  const f = (n: number | null) => (n === null ? '—' : n.toFixed(1));
  const change = d.delta === null ? '' : d.delta === 0 ? ' (=)' : ` (${d.delta > 0 ? '+' : ''}${d.delta.toFixed(1)})`;
  return `${f(d.from)} -> ${f(d.to)}${change}`;
}

function changedScore(d: ScoreDelta): boolean {
  return d.from !== d.to;
}

/** Why findings were not evaluated: checks not run, scopes not read. */
function notEvaluatedTitle(diff: ReportDiff): string {
  const scopes = diff.notEvaluatedScopes;
  return [
    ...(diff.notEvaluatedChecks.length > 0 ? ['check not run'] : []),
    ...(scopes.length > 0 ? [`scope ${scopes.join(', ')} not read`] : []),
  ].join(' or ');
}

function noCommonScopeText(diff: ReportDiff): string {
  return `${diff.from.file} and ${diff.to.file} share no scope (reports of different tenants?): nothing in them can be compared, so nothing counts as fixed`;
}

/** A diff as plain text for the terminal. */
function diffText(diff: ReportDiff): string {
  const lines = [
    `cloudward diff: ${s(diff.from.file)} (${s(diff.from.generatedAt)}) -> ${s(diff.to.file)} (${s(diff.to.generatedAt)})`,
    '',
  ];
  if (diff.noCommonScope) lines.splice(1, 0, `warning: ${s(noCommonScopeText(diff))}`);
  lines.push(`Overall score ${scoreText(diff.scores.overall)}`);
  for (const m of diff.scores.mitigations) {
    lines.push(`  ${s(`${m.id} ${m.name ?? ''}`).padEnd(42)}${scoreText(m)}`);
    for (const x of m.measures.filter(changedScore)) lines.push(`    ${s(x.id).padEnd(40)}${scoreText(x)}`);
  }
  const list = (title: string, mark: string, entries: DiffEntry[], describe: (e: DiffEntry) => string) => {
    lines.push('', `${title} (${entries.length})`);
    for (const e of entries)
      lines.push(`  ${mark} ${s(e.severity).padEnd(8)} ${s(e.checkId)} ${s(e.uid)}${describe(e)}`);
  };
  list('New findings', '+', diff.new, (e) => ` [${e.status}] — ${s(e.message)}`);
  list('Fixed', '-', diff.fixed, (e) => ` (was ${e.status})`);
  list(
    'Status changes',
    '~',
    diff.changed,
    (e) => `: ${(e as DiffEntry & { previous: Status }).previous} -> ${e.status}`,
  );
  if (diff.notEvaluated.length > 0)
    list(
      `Not evaluated in the newer report (${notEvaluatedTitle(diff)}; not fixed)`,
      '?',
      diff.notEvaluated,
      (e) => ` (was ${e.status})`,
    );
  return `${lines.join('\n')}\n`;
}

/** A diff as Markdown for a pull-request comment. */
function diffMarkdown(diff: ReportDiff): string {
  const out = [`## cloudward: what changed`, '', `${codeSpan(diff.from.file)} → ${codeSpan(diff.to.file)}`, ''];
  if (diff.noCommonScope) out.push(`> **Warning:** ${escapeMarkdown(noCommonScopeText(diff))}.`, '');
  out.push('| Score | Before | After | Change |', '|---|---:|---:|---:|');
  const row = (label: string, d: ScoreDelta) => {
    const f = (n: number | null) => (n === null ? '—' : n.toFixed(1));
    out.push(
      `| ${label} | ${f(d.from)} | ${f(d.to)} | ${d.delta === null ? '' : `${d.delta > 0 ? '+' : ''}${d.delta.toFixed(1)}`} |`,
    );
  };
  row('**Overall**', diff.scores.overall);
  for (const m of diff.scores.mitigations) {
    row(`**${m.id} ${escapeMarkdown(m.name ?? '')}**`, m);
    for (const x of m.measures.filter(changedScore)) row(x.id, x);
  }
  const list = (title: string, entries: DiffEntry[], describe: (e: DiffEntry) => string) => {
    out.push('', `### ${title} (${entries.length})`, '');
    for (const e of entries) out.push(`- **${e.severity}** ${codeSpan(e.checkId)} ${codeSpan(e.uid)}${describe(e)}`);
  };
  list('New findings', diff.new, (e) => ` (${e.status}): ${escapeMarkdown(e.message)}`);
  list('Fixed', diff.fixed, (e) => ` (was ${e.status})`);
  list('Status changes', diff.changed, (e) => `: ${(e as DiffEntry & { previous: Status }).previous} → ${e.status}`);
  if (diff.notEvaluated.length > 0)
    list(
      `Not evaluated in the newer report (${escapeMarkdown(notEvaluatedTitle(diff))}; not fixed)`,
      diff.notEvaluated,
      (e) => ` (was ${e.status})`,
    );
  return `${out.join('\n')}\n`;
}

/** The formats `cloudward diff` renders, each a pure function of the diff. */
export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export function renderDiff(diff: ReportDiff, format: DiffFormat): string {
  if (format === 'json') return `${JSON.stringify(diff, null, 2)}\n`;
  return format === 'markdown' ? diffMarkdown(diff) : diffText(diff);
}
