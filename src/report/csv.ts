import type { Formatter } from './formatter.js';
import type { Report, ReportResult } from './model.js';
import { safeFileText } from '../util/terminal.js';

/** One row per result, for spreadsheets and the tools auditors already use (like Prowler's and Checkov's CSV). */
const CSV_COLUMNS = [
  'status',
  'severity',
  'check_id',
  'check_title',
  'mitigation',
  'measure',
  'resource_uid',
  'provider',
  'resource_kind',
  'resource_name',
  'message',
  'baseline',
  'waiver',
  'fingerprint',
] as const;

/** Anything that needs a look: a formula lead, or a character that needs quoting. Most fields have neither. */
const SPECIAL = /^[=+\-@\t\r]|[",\r\n]/;

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A field a spreadsheet would take for a
 * formula (`=`, `+`, `-`, `@`, tab at the start; resource names come from the audited tenant) gets a leading `'`.
 * Control characters but for line feeds and tabs are shown as visible escapes (`\x1b`), as in the text report.
 */
export function csvField(value: unknown): string {
  let text = safeFileText(value);
  if (!SPECIAL.test(text)) return text;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function* renderCsv(report: Report): Iterable<string> {
  const titles = new Map(report.checks.map((c) => [c.id, c.title]));
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for (const r of report.results) yield row(r, titles.get(r.checkId) ?? '');
}

function row(r: ReportResult, title: string): string {
  return `${[r.status, r.severity, r.checkId, title, r.mitigation, r.measure, r.resource.uid, r.resource.provider, r.resource.kind, r.resource.name, r.message, r.baselineState, r.waiver?.id, r.fingerprint].map(csvField).join(',')}\r\n`;
}

export const csvFormatter: Formatter = {
  name: 'csv',
  extension: 'csv',
  description: 'one row per result (status, severity, check, resource, message, baseline, waiver) for spreadsheets',
  needs: { passEvidence: false, fingerprints: true, filters: true },
  render: renderCsv,
};
