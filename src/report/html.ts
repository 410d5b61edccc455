import type { ScoreCell } from '../engine/score.js';
import type { Formatter } from './formatter.js';
import { groupByCheck } from './group.js';
import { modifiedSnapshotNotes, SEVERITIES, type Report, type ReportResult } from './model.js';

/** Results listed per check in the page; the JSON report has all of them. */
const PER_CHECK_LIMIT = 200;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function scoreColor(score: number | null): string {
  if (score === null) return '#9aa0a6';
  return score >= 80 ? '#1e8e3e' : score >= 50 ? '#f29900' : '#d93025';
}

/** A horizontal bar as inline SVG, so the page needs no script and prints well. */
function scoreBar(score: number | null, width = 160): string {
  const filled = score === null ? 0 : Math.round((score / 100) * width);
  return `<svg class="bar" width="${width}" height="12" role="img" aria-label="${score === null ? 'not scored' : `${score} of 100`}"><rect width="${width}" height="12" rx="3" fill="#e8eaed"/><rect width="${filled}" height="12" rx="3" fill="${scoreColor(score)}"/></svg>`;
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
  const parts = [`<span class="pass">${cell.counts.pass} pass</span>`, `<span class="fail">${cell.counts.fail} fail</span>`];
  if (cell.counts.unknown) parts.push(`<span class="unknown">${cell.counts.unknown} unknown</span>`);
  if (cell.counts.waived) parts.push(`<span class="waived">${cell.counts.waived} waived</span>`);
  return parts.join(' · ');
}

function evidenceBlock(r: ReportResult): string {
  const rows: string[] = [];
  for (const f of r.evidence.failed ?? []) rows.push(`<tr><td><code>${esc(f.path)}</code></td><td>${esc(f.message)}</td><td><code>${esc(JSON.stringify(f.actual))}</code></td></tr>`);
  for (const [path, value] of Object.entries(r.evidence.observed)) rows.push(`<tr><td><code>${esc(path)}</code></td><td>observed</td><td><code>${esc(JSON.stringify(value))}</code></td></tr>`);
  for (const path of r.evidence.missing ?? []) rows.push(`<tr><td><code>${esc(path)}</code></td><td>no data</td><td></td></tr>`);
  for (const g of r.evidence.gaps ?? []) rows.push(`<tr><td><code>${esc(g.what)}</code></td><td>collection gap</td><td>${esc(g.reason)}</td></tr>`);
  return rows.length === 0 ? '' : `<details><summary>evidence</summary><table class="evidence"><tr><th>path</th><th>what</th><th>value</th></tr>${rows.join('')}</table></details>`;
}

function resultList(report: Report, results: ReportResult[], showRemediation: boolean): string {
  const checks = new Map(report.checks.map((c) => [c.id, c]));
  const out: string[] = [];
  for (const [checkId, list] of groupByCheck(results)) {
    const check = checks.get(checkId)!;
    const items = list.slice(0, PER_CHECK_LIMIT).map(
      (r) => `<li><div>${esc(r.message)}</div><div class="uid">${esc(r.resource.uid)}${r.baselineState ? ` <span class="tag">${esc(r.baselineState)}</span>` : ''}${r.waiver ? ` <span class="tag">waived by ${esc(r.waiver.owner)} until ${esc(r.waiver.expires)}: ${esc(r.waiver.reason)}</span>` : ''}</div>${evidenceBlock(r)}</li>`,
    );
    const more = list.length > PER_CHECK_LIMIT ? `<li class="more">… and ${list.length - PER_CHECK_LIMIT} more in the JSON report</li>` : '';
    out.push(`<section class="check" id="${esc(checkId)}"><h4><span class="sev ${check.severity}">${check.severity}</span> ${esc(check.title)} <code>${esc(checkId)}</code> <span class="n">${list.length}</span></h4>
<p class="meta">${esc(check.mitigation)} / ${esc(check.measure)} · ${esc(check.technique)}${Object.entries(check.references.cis ?? {}).map(([b, ids]) => ` · CIS ${esc(b)} ${esc(ids.join(', '))}`).join('')} · NIST ${esc(check.references.nist.join(', '))}</p>
${showRemediation ? `<p class="fix"><strong>Fix:</strong> ${esc(check.remediation)}</p>` : ''}<ul>${items.join('')}${more}</ul></section>`);
  }
  return out.join('\n');
}

function renderHtml(report: Report): string {
  const sc = report.scorecard;
  const failing = report.results.filter((r) => r.status === 'fail');
  const unknown = report.results.filter((r) => r.status === 'unknown');
  const waived = report.results.filter((r) => r.status === 'waived');
  const gaps = report.snapshot.sources.flatMap((s) => s.gaps.map((g) => ({ ...g, uid: s.uid })));
  const mitigations = sc.mitigations
    .map(
      (m) => `<table class="score"><tr class="mit"><th>${esc(m.id)} ${esc(m.name)}</th><td class="num" style="color:${scoreColor(m.score)}">${m.score === null ? '—' : m.score.toFixed(1)}</td><td>${scoreBar(m.score)}</td><td>${counts(m)}</td></tr>
${m.measures.map((x) => `<tr><td class="measure">${esc(x.id)}</td>${x.checks === 0 ? '<td class="num">—</td><td colspan="2" class="na">not assessed: no checks loaded</td>' : x.score === null ? '<td class="num">—</td><td colspan="2" class="na">no resources in scope</td>' : `<td class="num" style="color:${scoreColor(x.score)}">${x.score.toFixed(1)}</td><td>${scoreBar(x.score)}</td><td>${counts(x)}</td>`}</tr>`).join('\n')}</table>`,
    )
    .join('\n');
  const scopes = sc.scopes.map((s) => `<tr><td>${esc(s.provider)}</td><td>${esc(s.kind)}</td><td title="${esc(s.uid)}">${esc(s.name ?? s.id)}</td><td class="num" style="color:${scoreColor(s.score)}">${s.score === null ? '—' : s.score.toFixed(1)}</td><td>${scoreBar(s.score, 120)}</td><td>${counts(s)}</td></tr>`).join('\n');
  const bySeverity = SEVERITIES.map((sev) => {
    const group = failing.filter((r) => r.severity === sev);
    return group.length === 0 ? '' : `<h3><span class="sev ${sev}">${sev}</span> ${group.length} failing</h3>\n${resultList(report, group, true)}`;
  }).join('\n');
  const gate = report.gate
    ? `<div class="gate ${report.gate.passed ? 'ok' : 'bad'}"><strong>Gate ${report.gate.passed ? 'passed' : 'failed'}</strong> (fail on ${esc(report.gate.failOn)}${report.gate.minScore !== null ? `, min score ${report.gate.minScore}` : ''})${report.gate.reasons.map((r) => `<div>${esc(r)}</div>`).join('')}</div>`
    : '';
  const files = report.snapshot.files.map((f) => `<tr><td><code>${esc(f.path)}</code></td><td><code>${esc(f.sha256)}</code></td><td><code>${esc(f.digest ?? '—')}</code></td><td>${esc(f.collectedAt)}</td></tr>`).join('');
  const sources = report.snapshot.sources.map((s) => `<tr><td>${esc(s.provider)}</td><td>${esc(s.scope.kind)}</td><td>${esc(s.scope.name ?? s.scope.id)}<div class="uid">${esc(s.scope.id)}</div></td><td>${esc(s.method)}</td><td>${esc(s.collectedAt)}</td><td>${s.gaps.length}</td></tr>`).join('');
  const catalogue = report.checks.map((c) => `<tr><td><code>${esc(c.id)}</code></td><td><span class="sev ${c.severity}">${c.severity}</span></td><td>${esc(c.mitigation)} / ${esc(c.measure)}</td><td>${esc(c.title)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>cloudward audit — ${esc(report.snapshot.files.map((f) => f.path).join(', '))}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#202124;margin:0;background:#f8f9fa}
main{max-width:1100px;margin:0 auto;padding:24px}
header{display:flex;gap:24px;align-items:center;background:#fff;border:1px solid #dadce0;border-radius:8px;padding:16px 24px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dadce0;padding-bottom:4px} h3{font-size:15px;margin:18px 0 6px} h4{font-size:14px;margin:0 0 2px}
.muted,.meta,.uid{color:#5f6368;font-size:12px} .uid{font-family:ui-monospace,monospace;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff} td,th{padding:4px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #f1f3f4}
table.score{margin-bottom:12px;border:1px solid #dadce0} tr.mit th{font-size:15px} td.measure{padding-left:24px} td.num{text-align:right;font-weight:600;width:56px} td.na{color:#9aa0a6}
.pass{color:#1e8e3e}.fail{color:#d93025}.unknown{color:#9334e6}.waived{color:#5f6368}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:11px;text-transform:uppercase;color:#fff;font-weight:600}
.sev.critical{background:#a50e0e}.sev.high{background:#d93025}.sev.medium{background:#f29900}.sev.low{background:#1a73e8}
section.check{background:#fff;border:1px solid #dadce0;border-radius:6px;padding:10px 14px;margin:8px 0} section.check ul{margin:6px 0;padding-left:18px} section.check li{margin:4px 0}
.n{background:#e8eaed;border-radius:10px;padding:0 7px;font-size:12px} .fix{background:#e6f4ea;border-radius:4px;padding:6px 8px;margin:6px 0}
.tag{background:#fef7e0;border-radius:4px;padding:0 4px} details summary{cursor:pointer;color:#1a73e8;font-size:12px} table.evidence{font-size:12px}
.gate{border-radius:6px;padding:8px 12px;margin-top:8px} .gate.ok{background:#e6f4ea} .gate.bad{background:#fce8e6}
code{font-family:ui-monospace,monospace;font-size:12px}
@media print{details{display:block} body{background:#fff}}
</style></head><body><main>
<header>${gauge(sc.overall.score)}<div><h1>cloudward audit</h1>
<div>Overall score <strong style="color:${scoreColor(sc.overall.score)}">${sc.overall.score === null ? '—' : sc.overall.score.toFixed(1)}</strong> / 100 · ${counts(sc.overall)}</div>
<div class="muted">Snapshot collected ${esc(report.snapshot.collectedAt)} · report generated ${esc(report.generatedAt)} by ${esc(report.tool.name)} ${esc(report.tool.version)} · ${report.checks.length} checks · ${report.summary.total} results · threat: ATT&amp;CK T1059.009 Cloud API</div>
${gate}${modifiedSnapshotNotes(report).map((note) => `<div class="gate bad"><strong>Modified snapshot:</strong> ${esc(note)}</div>`).join('')}</div></header>
<h2>Scorecard by mitigation and measure</h2>
<p class="muted">Score = weight of passing results / weight of all results (critical 10, high 5, medium 3, low 1). Unknown and waived results count as not passing.</p>
${mitigations}
<h2>Scopes</h2><table><tr><th>provider</th><th>kind</th><th>scope</th><th>score</th><th></th><th>results</th></tr>${scopes}</table>
<h2>Failing results (${failing.length})</h2>${failing.length === 0 ? '<p>None.</p>' : bySeverity}
<h2>Not assessed (${unknown.length})</h2><p class="muted">Data was missing or could not be collected; these count as not passing.</p>${resultList(report, unknown, false)}
${waived.length > 0 ? `<h2>Waived (${waived.length})</h2>${resultList(report, waived, false)}` : ''}
<h2>Collection gaps (${gaps.length})</h2>${gaps.length === 0 ? '<p>None.</p>' : `<table><tr><th>source</th><th>topic</th><th>reason</th><th>call</th></tr>${gaps.map((g) => `<tr><td class="uid">${esc(g.uid)}</td><td><code>${esc(g.what)}</code></td><td>${esc(g.reason)}</td><td class="uid">${esc(g.call ?? '')}</td></tr>`).join('')}</table>`}
<h2>Evidence</h2><h3>Snapshot files</h3><table><tr><th>file</th><th>sha256 of the bytes</th><th>recorded digest</th><th>collected</th></tr>${files}</table>
<h3>Sources</h3><table><tr><th>provider</th><th>kind</th><th>scope</th><th>method</th><th>collected</th><th>gaps</th></tr>${sources}</table>
<h3>Checks evaluated (${report.checks.length})</h3><table><tr><th>id</th><th>severity</th><th>mitigation / measure</th><th>title</th></tr>${catalogue}</table>
</main></body></html>
`;
}

export const htmlFormatter: Formatter = {
  name: 'html',
  extension: 'html',
  description: 'one self-contained HTML page for auditors: scorecard drawn, findings with evidence, works offline',
  render: renderHtml,
};
