import { createHash } from 'node:crypto';
import type { ScoreCell, ScopeScore } from '../engine/score.js';
import { CONTROL_STATUS_TEXT, countsText, totalsText } from './compliance.js';
import type { FormatContext, Formatter } from './formatter.js';
import { groupByCheck } from './group.js';
import { notEvaluatedWhy, runNotes, SEVERITIES, shownGate, type Report, type ReportResult } from './model.js';
import { safeFileText } from '../util/terminal.js';

/** Results listed per check in the page; the JSON report has all of them. */
const PER_CHECK_LIMIT = 200;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text from the snapshot in HTML: the markup characters as entities, control characters as visible escapes. */
function esc(value: unknown): string {
  return safeFileText(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function scoreColor(score: number | null): string {
  if (score === null) return '#9aa0a6';
  return score >= 80 ? '#1e8e3e' : score >= 50 ? '#f29900' : '#d93025';
}

/** A horizontal bar as inline SVG, so the page needs no script and prints well. */
function scoreBar(score: number | null, width = 160): string {
  const filled = score === null ? 0 : Math.round((score / 100) * width);
  return `<svg class="bar" width="${width}" height="12" viewBox="0 0 ${width} 12" preserveAspectRatio="none" role="img" aria-label="${score === null ? 'not scored' : `${score} of 100`}"><rect width="${width}" height="12" rx="3" fill="#e8eaed"/><rect width="${filled}" height="12" rx="3" fill="${scoreColor(score)}"/></svg>`;
}

/** The overall score as a ring gauge. */
function gauge(score: number | null): string {
  const r = 52;
  const circumference = 2 * Math.PI * r;
  const dash = score === null ? 0 : (score / 100) * circumference;
  return `<svg width="140" height="140" viewBox="0 0 140 140" role="img" aria-label="overall score ${score ?? 'none'}">
<circle cx="70" cy="70" r="${r}" fill="none" stroke="#e8eaed" stroke-width="14"/>
<circle cx="70" cy="70" r="${r}" fill="none" stroke="${scoreColor(score)}" stroke-width="14" stroke-dasharray="${dash.toFixed(1)} ${circumference.toFixed(1)}" transform="rotate(-90 70 70)" stroke-linecap="round"/>
<text x="70" y="78" text-anchor="middle" font-size="28" font-weight="700" fill="#202124">${score === null ? '—' : score.toFixed(0)}</text></svg>`;
}

function counts(cell: ScoreCell): string {
  const parts = [
    `<span class="pass">${cell.counts.pass} pass</span>`,
    `<span class="fail">${cell.counts.fail} fail</span>`,
  ];
  if (cell.counts.unknown) parts.push(`<span class="unknown">${cell.counts.unknown} unknown</span>`);
  if (cell.counts.waived) parts.push(`<span class="waived">${cell.counts.waived} waived</span>`);
  return parts.join(' · ');
}

function evidenceBlock(r: ReportResult): string {
  const rows: string[] = [];
  for (const f of r.evidence.failed ?? [])
    rows.push(
      `<tr><td><code>${esc(f.path)}</code></td><td>${esc(f.message)}</td><td><code>${esc(JSON.stringify(f.actual))}</code></td></tr>`,
    );
  for (const [path, value] of Object.entries(r.evidence.observed))
    rows.push(
      `<tr><td><code>${esc(path)}</code></td><td>observed</td><td><code>${esc(JSON.stringify(value))}</code></td></tr>`,
    );
  for (const path of r.evidence.missing ?? [])
    rows.push(`<tr><td><code>${esc(path)}</code></td><td>no data</td><td></td></tr>`);
  for (const g of r.evidence.gaps ?? [])
    rows.push(`<tr><td><code>${esc(g.what)}</code></td><td>collection gap</td><td>${esc(g.reason)}</td></tr>`);
  return rows.length === 0
    ? ''
    : `<details><summary>evidence</summary><table class="evidence"><tr><th>path</th><th>what</th><th>value</th></tr>${rows.join('')}</table></details>`;
}

function resultList(report: Report, results: ReportResult[], showRemediation: boolean): string {
  const checks = new Map(report.checks.map((c) => [c.id, c]));
  const out: string[] = [];
  for (const [checkId, list] of groupByCheck(results)) {
    const check = checks.get(checkId)!;
    const items = list
      .slice(0, PER_CHECK_LIMIT)
      .map(
        (r) =>
          `<li data-filter="${esc(`${r.resource.uid} ${r.message}`.toLowerCase())}"><div>${esc(r.message)}</div><div class="uid">${esc(r.resource.uid)}${r.baselineState ? ` <span class="tag">${esc(r.baselineState)}</span>` : ''}${r.waiver ? ` <span class="tag">waived by ${esc(r.waiver.owner)} until ${esc(r.waiver.expires)}: ${esc(r.waiver.reason)}</span>` : ''}</div>${evidenceBlock(r)}</li>`,
      );
    const more =
      list.length > PER_CHECK_LIMIT
        ? `<li class="more">… and ${list.length - PER_CHECK_LIMIT} more in the JSON report</li>`
        : '';
    out.push(`<section class="check" data-check="${esc(`${checkId} ${check.title}`.toLowerCase())}"><h4><span class="sev ${check.severity}">${check.severity}</span> ${esc(check.title)} <code>${esc(checkId)}</code> <span class="n">${list.length}</span></h4>
<p class="meta">${esc(check.mitigation)} / ${esc(check.measure)} · ${esc(check.technique)}${Object.entries(
      check.references.cis ?? {},
    )
      .map(([b, ids]) => ` · CIS ${esc(b)} ${esc(ids.join(', '))}`)
      .join('')} · NIST ${esc(check.references.nist.join(', '))}</p>
${showRemediation ? `<p class="fix"><strong>Fix:</strong> ${esc(check.remediation)}</p>` : ''}<ul>${items.join('')}${more}</ul></section>`);
  }
  return out.join('\n');
}

/** A table that scrolls sideways on a narrow screen instead of widening the page. */
function table(head: string[], rows: string[], className = ''): string {
  return `<div class="scroll"><table${className ? ` class="${className}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/**
 * The gate box: passed, failed, or not applied (--fail-on none and no --min-score: then nothing was decided, and a
 * green "passed" above critical failures would mislead), with the baseline and waiver context that fed it.
 */
function gateBlock(report: Report): string {
  const gate = shownGate(report);
  if (!gate) return '';
  const applied = gate.applied;
  const state = !applied ? 'off' : gate.passed ? 'ok' : 'bad';
  const title = !applied ? 'Gate not applied' : gate.passed ? 'Gate passed' : 'Gate failed';
  const settings = applied
    ? `fail on ${esc(gate.failOn)}${gate.failOnNewOnly ? ' (new findings only)' : ''}${gate.minScore !== null ? `, min score ${gate.minScore}` : ''}${gate.allowUnknown ? ', unknown allowed' : ''}`
    : '--fail-on none and no --min-score: this report decides nothing';
  const lines = gate.reasons.map((r) => `<div>${esc(r)}</div>`);
  const b = report.baseline;
  if (b) {
    lines.push(
      `<div>Against baseline <code>${esc(b.file)}</code>: <strong>${b.new} new</strong>, ${b.unchanged} unchanged, ${b.fixed} fixed${
        b.notEvaluated
          ? `, ${b.notEvaluated} not evaluated (${notEvaluatedWhy(
              b.notEvaluatedChecks.map((id) => `<code>${esc(id)}</code>`),
              (b.notEvaluatedScopes ?? []).map((id) => `<code>${esc(id)}</code>`),
            )}; not counted as fixed)`
          : ''
      }</div>`,
    );
  }
  if (gate.configText) lines.push(`<div><strong>Gate settings:</strong> ${esc(gate.configText)}</div>`);
  if (report.waivers) {
    const byState = (state: NonNullable<Report['waivers']>[number]['state']) =>
      report.waivers!.filter((w) => w.state === state).length;
    lines.push(
      `<div>Waivers: ${byState('active')} active, ${byState('expired')} expired, ${byState('stale')} stale</div>`,
    );
  }
  return `<div class="gate ${state}"><strong>${title}</strong> <span class="muted">(${settings})</span>${lines.join('')}</div>`;
}

/** Baseline and waiver details: what the gate summary counts, listed. */
function contextSections(report: Report): string {
  const out: string[] = [];
  const b = report.baseline;
  if (b) {
    const fixed = b.fixedResults.map(
      (f) => `<tr><td><code>${esc(f.checkId)}</code></td><td class="uid">${esc(f.uid)}</td></tr>`,
    );
    out.push(`<h2 id="baseline">Against the baseline</h2><p>Baseline <code>${esc(b.file)}</code>: <strong>${b.new} new</strong>, ${b.unchanged} unchanged, ${b.fixed} fixed${b.notEvaluated ? `, ${b.notEvaluated} not evaluated` : ''}. New findings are tagged <span class="tag">new</span> in the lists below.</p>
${
  b.notEvaluated
    ? `<p class="note">${b.notEvaluated === 1 ? '1 baseline finding belongs' : `${b.notEvaluated} baseline findings belong`} to ${notEvaluatedWhy(
        b.notEvaluatedChecks.map((id) => `<code>${esc(id)}</code>`),
        (b.notEvaluatedScopes ?? []).map((id) => `<code>${esc(id)}</code>`),
        'sentence',
      )}: they are not evaluated, not fixed.</p>`
    : ''
}
${fixed.length === 0 ? '<p class="muted">Nothing fixed since the baseline.</p>' : `<details><summary>Fixed since the baseline (${fixed.length})</summary>${table(['check', 'resource'], fixed)}</details>`}`);
  }
  if (report.waivers) {
    const rows = report.waivers.map(
      (w) =>
        `<tr class="w-${w.state}"><td><code>${esc(w.id)}</code></td><td><code>${esc(w.checkId)}</code></td><td class="uid">${esc(w.resource)}</td><td>${esc(w.owner)}</td><td>${esc(w.expires)}</td><td>${w.state === 'expired' ? `<strong class="fail">expired</strong>: no longer waives${w.matched > 0 ? ` (${w.matched === 1 ? '1 result counts' : `${w.matched} results count`} again)` : ''}` : w.state === 'stale' ? '<strong class="unknown">stale</strong>: matches nothing; remove it' : `active, ${w.matched} matched`}</td><td>${esc(w.reason)}${w.ticket ? ` <span class="muted">${esc(w.ticket)}</span>` : ''}</td></tr>`,
    );
    out.push(
      `<h2 id="waivers">Waivers (${report.waivers.length})</h2>${table(['waiver', 'check', 'resource pattern', 'owner', 'expires', 'state', 'reason'], rows, 'waivers')}`,
    );
  }
  return out.join('\n');
}

/** Filters result lists as the reader types: a check id, a resource, a word of the message. No network, no eval. */
const FILTER_SCRIPT = `(()=>{const i=document.getElementById('filter');if(!i)return;i.addEventListener('input',()=>{const q=i.value.trim().toLowerCase();for(const s of document.querySelectorAll('section.check')){let shown=0;const byCheck=q===''||s.dataset.check.includes(q);for(const li of s.querySelectorAll('li[data-filter]')){const hit=byCheck||li.dataset.filter.includes(q);li.hidden=!hit;if(hit)shown++;}s.hidden=shown===0;}for(const d of document.querySelectorAll('details.results')){if(q!==''&&!d.open){d.open=true;d.dataset.auto='1';}else if(q===''&&d.dataset.auto){d.open=false;delete d.dataset.auto;}}});})();`;
/** The page allows this one script by its hash, and nothing else. */
const FILTER_SCRIPT_HASH = `sha256-${createHash('sha256').update(FILTER_SCRIPT).digest('base64')}`;

/** The compliance view as a table: one row per control, its status, title, checks and their results. */
function complianceSection(report: Report): string {
  const view = report.compliance;
  if (!view) return '';
  const rows = view.controls.map((x) => {
    const status = x.status ?? 'not-covered';
    // Checks and counts under the title, so the table keeps three columns and fits a phone.
    const checks =
      x.checks.length === 0
        ? 'no check covers it'
        : `${x.checks.map((id) => `<code>${esc(id)}</code>`).join(', ')}${x.counts ? ` · ${esc(countsText(x.counts))}` : ''}`;
    return `<tr><td><code>${esc(x.id)}</code></td><td><span class="cs ${status}">${CONTROL_STATUS_TEXT[status]}</span></td><td>${esc(x.title)}<div class="meta">${checks}</div></td></tr>`;
  });
  return `<h2 id="compliance">Compliance: ${esc(view.title)}</h2><p>${esc(totalsText(view))}. A control fails when a result of its checks fails or is waived; "not covered" means no loaded check tests it.</p>${table(['control', 'status', 'title, checks and results'], rows, 'compliance')}`;
}

function renderHtml(report: Report, context: FormatContext): string {
  const sc = report.scorecard;
  const failing = report.results.filter((r) => r.status === 'fail');
  const unknown = report.results.filter((r) => r.status === 'unknown');
  const waived = report.results.filter((r) => r.status === 'waived');
  const passing = report.results.filter((r) => r.status === 'pass');
  const gaps = report.snapshot.sources.flatMap((s) => s.gaps.map((g) => ({ ...g, uid: s.uid })));
  const scoreCells = (cell: ScoreCell, width = 160) =>
    `<td class="num" style="color:${scoreColor(cell.score)}">${cell.score === null ? '—' : cell.score.toFixed(1)}</td><td class="bar">${scoreBar(cell.score, width)}</td><td>${counts(cell)}</td>`;
  const scoreRows = sc.mitigations.flatMap((m) => [
    `<tr class="mit"><th scope="row">${esc(m.id)} ${esc(m.name)}</th>${scoreCells(m)}</tr>`,
    ...m.measures.map(
      (x) =>
        `<tr><td class="measure">${esc(x.id)}</td>${x.checks === 0 ? '<td class="num">—</td><td colspan="2" class="na">not assessed: no checks loaded</td>' : x.score === null ? '<td class="num">—</td><td colspan="2" class="na">no resources in scope</td>' : scoreCells(x)}</tr>`,
    ),
  ]);
  const scorecard = `<div class="scroll"><table class="score"><colgroup><col class="c-name"><col class="c-num"><col class="c-bar"><col></colgroup><thead><tr><th>mitigation / measure</th><th class="num">score</th><th></th><th>results</th></tr></thead><tbody>${scoreRows.join('\n')}</tbody></table></div>`;
  const coverage = (s: ScopeScore) => (s.coverage ? `${s.coverage.decided} / ${s.coverage.results}` : '');
  const scopes = sc.scopes.map(
    (s) =>
      `<tr><td>${esc(s.provider)}</td><td>${esc(s.kind)}</td><td title="${esc(s.uid)}">${esc(s.name ?? s.id)}</td>${s.status === 'not-assessed' ? `<td class="num">—</td><td colspan="2" class="na">not assessed: no result could be decided (${s.counts.unknown} unknown)</td>` : scoreCells(s, 120)}<td class="num">${coverage(s)}</td></tr>`,
  );
  const bySeverity = SEVERITIES.map((sev) => {
    const group = failing.filter((r) => r.severity === sev);
    return group.length === 0
      ? ''
      : `<h3><span class="sev ${sev}">${sev}</span> ${group.length} failing</h3>\n${resultList(report, group, true)}`;
  }).join('\n');
  // A block per file, not a table: a 64-digit hash needs a line of its own to be read (and compared) whole.
  const files = report.snapshot.files.map(
    (f) =>
      `<dl class="file"><dt>file</dt><dd><code>${esc(f.path)}</code></dd><dt>sha256 of the bytes</dt><dd><code class="hash">${esc(f.sha256)}</code></dd><dt>recorded digest</dt><dd><code class="hash">${esc(f.digest ?? '—')}</code></dd><dt>collected</dt><dd>${esc(f.collectedAt)}</dd></dl>`,
  );
  const sources = report.snapshot.sources.map(
    (s) =>
      `<tr><td>${esc(s.provider)}</td><td>${esc(s.scope.kind)}</td><td>${esc(s.scope.name ?? s.scope.id)}<div class="uid">${esc(s.scope.id)}</div></td><td>${esc(s.method)}</td><td>${esc(s.collectedAt)}</td><td>${s.gaps.length}</td></tr>`,
  );
  const catalogue = report.checks.map(
    (c) =>
      `<tr><td><code>${esc(c.id)}</code></td><td><span class="sev ${c.severity}">${c.severity}</span></td><td>${esc(c.mitigation)} / ${esc(c.measure)}</td><td>${esc(c.title)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '${FILTER_SCRIPT_HASH}'">
<title>cloudward audit — ${esc(report.snapshot.files.map((f) => f.path).join(', '))}</title>
<style>
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#202124;margin:0;background:#f8f9fa}
main{max-width:1100px;margin:0 auto;padding:24px}
header{display:flex;flex-wrap:wrap;gap:16px 24px;align-items:center;background:#fff;border:1px solid #dadce0;border-radius:8px;padding:16px 24px}
header>div{flex:1 1 300px;min-width:0}
h1{font-size:20px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dadce0;padding-bottom:4px} h3{font-size:15px;margin:18px 0 6px} h4{font-size:14px;margin:0 0 2px;overflow-wrap:anywhere}
.muted,.meta,.uid{color:#5f6368;font-size:12px} .uid{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff} td,th{padding:4px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #f1f3f4}
table.score{border:1px solid #dadce0;table-layout:fixed} table.score col.c-name{width:34%} table.score col.c-num{width:64px} table.score col.c-bar{width:176px} td.bar svg{width:100%;max-width:160px}
dl.file{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;background:#fff;border:1px solid #dadce0;border-radius:6px;padding:8px 12px;margin:6px 0} dl.file dt{color:#5f6368;font-size:12px;padding-top:1px} dl.file dd{margin:0;overflow-wrap:anywhere}
tr.mit th,tr.mit td{font-size:15px;background:#f1f3f4;border-top:1px solid #dadce0} td.measure{padding-left:24px} .num{text-align:right;font-weight:600;white-space:nowrap} td.na{color:#9aa0a6} td.bar{white-space:nowrap}
.pass{color:#1e8e3e}.fail{color:#d93025}.unknown{color:#9334e6}.waived{color:#5f6368}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:11px;text-transform:uppercase;color:#fff;font-weight:600}
.sev.critical{background:#a50e0e}.sev.high{background:#d93025}.sev.medium{background:#b06000}.sev.low{background:#1a73e8}
section.check{background:#fff;border:1px solid #dadce0;border-radius:6px;padding:10px 14px;margin:8px 0} section.check ul{margin:6px 0;padding-left:18px} section.check li{margin:4px 0;overflow-wrap:anywhere}
.n{background:#e8eaed;border-radius:10px;padding:0 7px;font-size:12px} .fix{background:#e6f4ea;border-radius:4px;padding:6px 8px;margin:6px 0} .note{background:#fef7e0;border-radius:4px;padding:6px 8px}
.tag{background:#fef7e0;border-radius:4px;padding:0 4px} details summary{cursor:pointer;color:#1a73e8} li details summary{font-size:12px} table.evidence{font-size:12px}
details.results>summary{font-size:14px;margin:6px 0}
.cs{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;white-space:nowrap} .cs.pass{background:#e6f4ea;color:#137333} .cs.fail{background:#fce8e6;color:#a50e0e} .cs.unknown{background:#f3e8fd;color:#7627bb} .cs.no-resources{background:#f1f3f4;color:#5f6368} .cs.not-covered{background:#fef7e0;color:#8a4b00}
.gate{border-radius:6px;padding:8px 12px;margin-top:8px} .gate.ok{background:#e6f4ea} .gate.bad{background:#fce8e6} .gate.off{background:#e8eaed}
code{font-family:ui-monospace,monospace;font-size:12px} code.hash{overflow-wrap:anywhere;word-break:break-all}
.filter{display:flex;gap:8px;align-items:center;margin:12px 0;flex-wrap:wrap} .filter input{flex:1 1 220px;font:inherit;padding:6px 8px;border:1px solid #dadce0;border-radius:4px}
[hidden]{display:none!important}
@media (max-width:600px){main{padding:12px} header{padding:12px} td,th{padding:3px 5px} table.score col.c-name{width:42%} table.score col.c-num{width:44px} table.score col.c-bar{width:56px} td.measure{padding-left:12px} dl.file{grid-template-columns:minmax(0,1fr)} dl.file dd{margin-bottom:4px}}
@media print{details{display:block} body{background:#fff} .filter{display:none}}
</style></head><body><main>
<header>${gauge(sc.overall.score)}<div><h1>cloudward audit</h1>
<div>Overall score <strong style="color:${scoreColor(sc.overall.score)}">${sc.overall.score === null ? '—' : sc.overall.score.toFixed(1)}</strong> / 100 · ${counts(sc.overall)}</div>
<div class="muted">Snapshot collected ${esc(report.snapshot.collectedAt)} · report generated ${esc(report.generatedAt)} by ${esc(report.tool.name)} ${esc(report.tool.version)} · ${report.checks.length} checks · ${report.summary.total} results · threat: ATT&amp;CK T1059.009 Cloud API</div>
${context.filter ? `<div class="note">Listing only ${esc(context.filter)}; the scores and the gate count every result.</div>` : ''}
${gateBlock(report)}${runNotes(report)
  .filter((n) => n.level === 'warning')
  .map(
    (n) =>
      `<div class="gate bad"><strong>${n.id === 'CW0003' ? 'Unverified snapshot' : 'Warning'}:</strong> ${esc(n.text)}</div>`,
  )
  .join('')}</div></header>
<h2>Scorecard by mitigation and measure</h2>
<p class="muted">Score = weight of passing results / weight of all results (critical 10, high 5, medium 3, low 1). Unknown and waived results count as not passing.</p>
${scorecard}
<h2>Scopes</h2>${table(['provider', 'kind', 'scope', '<span class="num">score</span>', '', 'results', '<span class="num" title="results decided (not unknown) / results">coverage</span>'], scopes)}
${complianceSection(report)}
${contextSections(report)}
<div class="filter"><label for="filter">Filter results</label><input id="filter" type="search" placeholder="check id, resource or word of the message" autocomplete="off"></div>
<h2>Failing results (${failing.length})</h2>${failing.length === 0 ? '<p>None.</p>' : bySeverity}
<h2>Not assessed (${unknown.length})</h2><p class="muted">Data was missing or could not be collected; these count as not passing.</p>${resultList(report, unknown, false)}
${waived.length > 0 ? `<h2>Waived (${waived.length})</h2>${resultList(report, waived, false)}` : ''}
<h2>Passing results (${passing.length})</h2><p class="muted">What passed, and the evidence it passed on.</p>${passing.length === 0 ? '<p>None.</p>' : `<details class="results"><summary>Show the ${passing.length} passing result${passing.length === 1 ? '' : 's'}</summary>${resultList(report, passing, false)}</details>`}
<h2>Collection gaps (${gaps.length})</h2>${
    gaps.length === 0
      ? '<p>None.</p>'
      : table(
          ['source', 'topic', 'reason', 'call'],
          gaps.map(
            (g) =>
              `<tr><td class="uid">${esc(g.uid)}</td><td><code>${esc(g.what)}</code></td><td>${esc(g.reason)}</td><td class="uid">${esc(g.call ?? '')}</td></tr>`,
          ),
        )
  }
<h2>Evidence</h2><h3>Snapshot files</h3><div class="files">${files.join('')}</div>
<h3>Sources</h3>${table(['provider', 'kind', 'scope', 'method', 'collected', 'gaps'], sources)}
<h3>Checks evaluated (${report.checks.length})</h3>${table(['id', 'severity', 'mitigation / measure', 'title'], catalogue)}
</main><script>${FILTER_SCRIPT}</script></body></html>
`;
}

export const htmlFormatter: Formatter = {
  name: 'html',
  extension: 'html',
  description:
    'one self-contained HTML page for auditors: scorecard drawn, gate context, findings and passing results with evidence, works offline',
  needs: { passEvidence: true, fingerprints: false, filters: true },
  render: renderHtml,
};
