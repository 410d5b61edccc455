import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Severity } from '../engine/types.js';
import { pascalCase, SECURITY_SEVERITY } from '../report/sarif.js';
import { OCSF_VERSION } from '../report/ocsf.js';
import { TOOL_NAME, TOOL_URI, toolVersion } from '../util/paths.js';
import { safeText as t } from '../util/terminal.js';
import { COVERAGE_FIELDS, coverageText } from './coverage.js';
import type { Finding } from './engine.js';
import { refText, type EventRef } from './event.js';
import type { BadRecord } from './read.js';
import type { Rule } from './rules.js';
import type { DetectResult } from './run.js';

/** Everything a detection run reports; every format is a pure function of it. */
export interface DetectReport {
  tool: { name: string; version: string; informationUri: string };
  generatedAt: string;
  window: { firstEvent: string | null; lastEvent: string | null; since: string | null; until: string | null };
  rules: Array<{ id: string; title: string; severity: Severity; description: string; response: string; related: string[]; tunables: string[]; file: string }>;
  /** Per input file: records read, used (handed to the rules) and dropped, by reason. */
  inputs: Array<{ file: string; format: string; compressed: boolean; records: number; read: number; used: number; dropped: Record<string, number> }>;
  /** Rules that could not fire on some inputs: no event in them has a field the rule needs. */
  coverage: Array<{ field: string; missing: string; files: string[]; rules: string[] }>;
  summary: { events: number; findings: number; bySeverity: Record<Severity, number>; badRecords: number; outOfRange: number; late: number; peakRuleState: number };
  findings: Array<Finding & { id: string }>;
  badRecords: BadRecord[];
  gaps: string[];
}

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];
const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
const displayFile = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
};
const displayRef = (ref: EventRef): EventRef => ({ ...ref, file: displayFile(ref.file) });

/** A run's outcome (less its first-seen history, which goes to --state, not the report) and the rules it ran. */
export type DetectReportInput = Omit<DetectResult, 'history'> & { rules: Rule[]; since?: number; until?: number; now?: Date };

export function buildDetectReport(input: DetectReportInput): DetectReport {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of input.findings) bySeverity[f.severity]++;
  return {
    tool: { name: TOOL_NAME, version: toolVersion(), informationUri: TOOL_URI },
    generatedAt: (input.now ?? new Date()).toISOString(),
    window: { firstEvent: iso(input.firstEvent), lastEvent: iso(input.lastEvent), since: iso(input.since), until: iso(input.until) },
    rules: input.rules.map((r) => ({
      id: r.id,
      title: r.definition.title,
      severity: r.definition.severity,
      description: r.definition.description.trim(),
      response: r.definition.response.trim(),
      related: r.definition.attack.related ?? [],
      tunables: r.definition.det0078.tunables,
      file: displayFile(r.file),
    })),
    inputs: input.files.map((f) => ({ file: displayFile(f.file), format: f.format, compressed: f.compressed, records: f.records, read: f.used + Object.values(f.dropped).reduce((a, b) => a + b, 0), used: f.used, dropped: f.dropped })),
    coverage: input.coverage.map((c) => ({ field: c.field, missing: COVERAGE_FIELDS[c.field], files: c.files.map(displayFile), rules: c.rules })),
    summary: { events: input.stats.events, findings: input.findings.length, bySeverity, badRecords: input.badCount, outOfRange: input.outOfRange, late: input.late, peakRuleState: input.stats.peakState },
    findings: input.findings.map((f) => ({
      id: createHash('sha256').update(`${f.ruleId}\u0000${f.group}\u0000${f.firstTime}`).digest('hex').slice(0, 16),
      ...f,
      events: f.events.map(displayRef),
    })),
    badRecords: input.bad.map((b) => ({ ...b, file: displayFile(b.file) })),
    gaps: [...input.gaps, ...input.coverage.map((c) => coverageText(c, displayFile))],
  };
}

/** Findings at or above the threshold decide the exit code. */
export function reachesThreshold(report: DetectReport, failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  const limit = SEVERITY_ORDER.indexOf(failOn);
  return report.findings.some((f) => SEVERITY_ORDER.indexOf(f.severity) <= limit);
}

// ---------------------------------------------------------------- text

export function renderText(report: DetectReport, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const s = report.summary;
  out.push(`cloudward detect: ${s.events} events from ${report.inputs.length} file(s), ${report.window.firstEvent ?? '-'} to ${report.window.lastEvent ?? '-'}`);
  out.push(`${s.findings} finding(s): ${SEVERITY_ORDER.map((sev) => `${s.bySeverity[sev]} ${sev}`).join(', ')}`);
  for (const f of report.findings) {
    out.push('');
    out.push(`[${f.severity.toUpperCase()}] ${t(f.ruleId)}: ${t(f.title)}`);
    out.push(`  when:    ${iso(f.firstTime)}${f.lastTime !== f.firstTime ? ` .. ${iso(f.lastTime)}` : ''}`);
    out.push(`  actor:   ${t(f.actor)} (${t(f.cloud)}${f.account ? ` ${t(f.account)}` : ''})${f.srcIp ? ` from ${t(f.srcIp)}` : ''}`);
    out.push(`  client:  ${t(f.client.kind)}${f.client.tool ? ` ${t(f.client.tool)}` : ''}${f.client.evidence ? ` — "${t(f.client.evidence)}"` : ''}`);
    out.push(`  what:    ${t(f.message)}${f.duplicates > 0 ? ` (+${f.duplicates} more within the dedupe window)` : ''}`);
    const shown = options.verbose ? f.events : f.events.slice(0, 3);
    out.push(`  events:  ${shown.map((ref) => t(refText(ref))).join(', ')}${f.eventCount > shown.length ? ` and ${f.eventCount - shown.length} more` : ''}`);
    out.push(`  do:      ${t(rules.get(f.ruleId)?.response.replace(/\s+/g, ' ') ?? '')}`);
  }
  if (s.badRecords > 0) {
    out.push('');
    out.push(`${s.badRecords} unreadable record(s):`);
    for (const b of report.badRecords.slice(0, options.verbose ? undefined : 10)) out.push(`  ${t(refText(b))}: ${t(b.message)}`);
  }
  if (report.gaps.length > 0) {
    out.push('');
    out.push('gaps:');
    for (const g of report.gaps) out.push(`  - ${t(g)}`);
  }
  if (s.outOfRange > 0) out.push(`${s.outOfRange} event(s) outside --since/--until were skipped`);
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------- JSON

export function renderJson(report: DetectReport): string {
  return `${JSON.stringify({ ...report, findings: report.findings.map((f) => ({ ...f, firstTime: iso(f.firstTime), lastTime: iso(f.lastTime) })) }, null, 2)}\n`;
}

// ---------------------------------------------------------------- SARIF

/** A file as a SARIF artifact URI: relative paths stay relative, absolute ones become file:// URIs. */
const sarifUri = (file: string): string => (isAbsolute(file) ? pathToFileURL(file).href : encodeURI(file.split(sep).join('/')));

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

export function renderSarif(report: DetectReport, category = 'cloudward-detect'): string {
  const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: report.tool.informationUri,
            rules: report.rules.map((r) => ({
              id: r.id,
              name: pascalCase(r.id),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description.slice(0, 1024) },
              help: { text: `${r.description}\n\nResponse: ${r.response}`, markdown: `**${r.title}**\n\n${r.description}\n\n**Response:** ${r.response}\n\n- ATT&CK: T1059.009${r.related.length ? `, ${r.related.join(', ')}` : ''}\n- DET0078 / AN0215 tunables: ${r.tunables.join(', ')}` },
              helpUri: `${report.tool.informationUri}/blob/main/docs/detect.md#${r.id}`,
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { tags: ['security', 'T1059.009', ...r.related, 'DET0078', 'AN0215'], precision: 'medium', 'security-severity': SECURITY_SEVERITY[r.severity] },
            })),
          },
        },
        automationDetails: { id: `${category}/${report.generatedAt}` },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
            ...(report.gaps.length + report.summary.badRecords > 0
              ? { toolExecutionNotifications: [...report.gaps.map((g) => ({ level: 'note', message: { text: g } })), ...report.badRecords.map((b) => ({ level: 'warning', message: { text: `${refText(b)}: ${b.message}` }, locations: [{ physicalLocation: { artifactLocation: { uri: sarifUri(b.file) }, region: { startLine: b.line } } }] }))] }
              : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIndex.get(f.ruleId),
          level: LEVEL[f.severity],
          message: { text: `${f.title}: ${f.message}. Actor ${f.actor}, client ${f.client.kind}${f.client.evidence ? ` ("${f.client.evidence}")` : ''}.` },
          locations: f.events.slice(0, 10).map((e) => ({ physicalLocation: { artifactLocation: { uri: sarifUri(e.file) }, region: { startLine: e.line } } })),
          partialFingerprints: { 'cloudwardDetection/v1': f.id },
          properties: { severity: f.severity, actor: f.actor, cloud: f.cloud, account: f.account, client: f.client, sourceIp: f.srcIp, firstTime: iso(f.firstTime), lastTime: iso(f.lastTime), eventCount: f.eventCount, duplicates: f.duplicates, group: f.group },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

// ---------------------------------------------------------------- OCSF Detection Finding (class 2004)

const SEVERITY_ID: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
const CLOUD_PROVIDER: Record<string, string> = { aws: 'AWS', azure: 'Azure', gcp: 'GCP' };

export function renderOcsf(report: DetectReport): string {
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  // OCSF findings carry the run's blind spots too: a reader of this file alone must not take silence for absence.
  const coverage = report.gaps.filter((g) => g.includes('could not fire'));
  const findings = report.findings.map((f) => {
    const rule = rules.get(f.ruleId)!;
    return {
      activity_id: 1,
      activity_name: 'Create',
      category_uid: 2,
      category_name: 'Findings',
      class_uid: 2004,
      class_name: 'Detection Finding',
      type_uid: 200401,
      type_name: 'Detection Finding: Create',
      time: f.firstTime,
      severity_id: SEVERITY_ID[f.severity],
      severity: SEVERITY_NAME[f.severity],
      status_id: 1,
      status: 'New',
      message: `${f.title}: ${f.message}`,
      metadata: { version: OCSF_VERSION, product: { name: report.tool.name, vendor_name: report.tool.name, version: report.tool.version, url_string: report.tool.informationUri }, uid: f.id, logged_time: Date.parse(report.generatedAt) },
      finding_info: {
        uid: f.id,
        title: f.title,
        desc: rule.description,
        types: ['DET0078/AN0215', ...rule.tunables],
        created_time: Date.parse(report.generatedAt),
        first_seen_time: f.firstTime,
        last_seen_time: f.lastTime,
        analytic: { uid: f.ruleId, name: f.title, type_id: 1, type: 'Rule' },
        attacks: [
          { tactic: { uid: 'TA0002', name: 'Execution' }, technique: { uid: 'T1059', name: 'Command and Scripting Interpreter' }, sub_technique: { uid: 'T1059.009', name: 'Cloud API' }, version: '18' },
          ...rule.related.map((uid) => ({ technique: { uid }, version: '18' })),
        ],
      },
      actor: { user: { name: f.actor, uid: f.actor } },
      evidences: [{ actor: { user: { name: f.actor } }, ...(f.srcIp ? { src_endpoint: { ip: f.srcIp } } : {}), data: { client: f.client, events: f.events, event_count: f.eventCount } }],
      ...(CLOUD_PROVIDER[f.cloud] ? { cloud: { provider: CLOUD_PROVIDER[f.cloud], ...(f.account ? { account: { uid: f.account } } : {}) } } : {}),
      remediation: { desc: rule.response },
      unmapped: { group: f.group, duplicates: f.duplicates, ...(coverage.length > 0 ? { coverage } : {}) },
    };
  });
  return `${JSON.stringify(findings, null, 2)}\n`;
}

export const DETECT_FORMATS: Record<string, { extension: string; render: (r: DetectReport, o: { verbose?: boolean; category?: string }) => string }> = {
  text: { extension: 'txt', render: (r, o) => renderText(r, o) },
  json: { extension: 'json', render: (r) => renderJson(r) },
  sarif: { extension: 'sarif', render: (r, o) => renderSarif(r, o.category) },
  ocsf: { extension: 'ocsf.json', render: (r) => renderOcsf(r) },
};
