import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { atOrAbove, SEVERITIES, type Severity } from '../engine/types.js';
import type { Formatter } from '../report/formatter.js';
import { reportTime } from '../report/model.js';
import { executionAttack, loadOcsfClouds, ocsfArray, ocsfCloud, ocsfFindingHead } from '../report/ocsf.js';
import { SARIF_LEVEL, sarifRule, streamSarifLog, type SarifRunInput } from '../report/sarif.js';
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
  rules: Array<{
    id: string;
    title: string;
    severity: Severity;
    description: string;
    response: string;
    related: string[];
    tunables: string[];
    file: string;
  }>;
  /** Per input file: records read, used (handed to the rules) and dropped, by reason. */
  inputs: Array<{
    file: string;
    format: string;
    compressed: boolean;
    records: number;
    read: number;
    used: number;
    dropped: Record<string, number>;
  }>;
  /** Rules that could not fire on some inputs: no event in them has a field the rule needs. */
  coverage: Array<{ field: string; missing: string; files: string[]; rules: string[] }>;
  summary: {
    events: number;
    findings: number;
    bySeverity: Record<Severity, number>;
    badRecords: number;
    outOfRange: number;
    late: number;
    peakRuleState: number;
  };
  findings: Array<Finding & { id: string }>;
  badRecords: BadRecord[];
  gaps: string[];
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
const displayFile = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
};
const displayRef = (ref: EventRef): EventRef => ({ ...ref, file: displayFile(ref.file) });

/** A run's outcome (less its first-seen history, which goes to --state, not the report) and the rules it ran. */
export type DetectReportInput = Omit<DetectResult, 'history'> & {
  rules: Rule[];
  since?: number;
  until?: number;
  now?: Date;
};

export function buildDetectReport(input: DetectReportInput): DetectReport {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of input.findings) bySeverity[f.severity]++;
  return {
    tool: { name: TOOL_NAME, version: toolVersion(), informationUri: TOOL_URI },
    // SOURCE_DATE_EPOCH, when set, pins it (reproducible reports), as for an audit.
    generatedAt: input.now ? input.now.toISOString() : reportTime(),
    window: {
      firstEvent: iso(input.firstEvent),
      lastEvent: iso(input.lastEvent),
      since: iso(input.since),
      until: iso(input.until),
    },
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
    inputs: input.files.map((f) => ({
      file: displayFile(f.file),
      format: f.format,
      compressed: f.compressed,
      records: f.records,
      read: f.used + Object.values(f.dropped).reduce((a, b) => a + b, 0),
      used: f.used,
      dropped: f.dropped,
    })),
    coverage: input.coverage.map((c) => ({
      field: c.field,
      missing: COVERAGE_FIELDS[c.field],
      files: c.files.map(displayFile),
      rules: c.rules,
    })),
    summary: {
      events: input.stats.events,
      findings: input.findings.length,
      bySeverity,
      badRecords: input.badCount,
      outOfRange: input.outOfRange,
      late: input.late,
      peakRuleState: input.stats.peakState,
    },
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
  return report.findings.some((f) => atOrAbove(f.severity, failOn));
}

// ---------------------------------------------------------------- text

export function renderText(report: DetectReport, options: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const s = report.summary;
  out.push(
    `cloudward detect: ${s.events} events from ${report.inputs.length} file(s), ${report.window.firstEvent ?? '-'} to ${report.window.lastEvent ?? '-'}`,
  );
  out.push(`${s.findings} finding(s): ${SEVERITIES.map((sev) => `${s.bySeverity[sev]} ${sev}`).join(', ')}`);
  for (const f of report.findings) {
    out.push('');
    out.push(`[${f.severity.toUpperCase()}] ${t(f.ruleId)}: ${t(f.title)}`);
    out.push(`  when:    ${iso(f.firstTime)}${f.lastTime !== f.firstTime ? ` .. ${iso(f.lastTime)}` : ''}`);
    out.push(
      `  actor:   ${t(f.actor)} (${t(f.cloud)}${f.account ? ` ${t(f.account)}` : ''})${f.srcIp ? ` from ${t(f.srcIp)}` : ''}`,
    );
    out.push(
      `  client:  ${t(f.client.kind)}${f.client.tool ? ` ${t(f.client.tool)}` : ''}${f.client.evidence ? ` — "${t(f.client.evidence)}"` : ''}`,
    );
    out.push(
      `  what:    ${t(f.message)}${f.duplicates > 0 ? ` (+${f.duplicates} more within the dedupe window)` : ''}`,
    );
    const shown = options.verbose ? f.events : f.events.slice(0, 3);
    out.push(
      `  events:  ${shown.map((ref) => t(refText(ref))).join(', ')}${f.eventCount > shown.length ? ` and ${f.eventCount - shown.length} more` : ''}`,
    );
    out.push(`  do:      ${t(rules.get(f.ruleId)?.response.replace(/\s+/g, ' ') ?? '')}`);
  }
  if (s.badRecords > 0) {
    out.push('');
    out.push(`${s.badRecords} unreadable record(s):`);
    for (const b of report.badRecords.slice(0, options.verbose ? undefined : 10))
      out.push(`  ${t(refText(b))}: ${t(b.message)}`);
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
const sarifUri = (file: string): string =>
  isAbsolute(file) ? pathToFileURL(file).href : encodeURI(file.split(sep).join('/'));

type DetectFinding = DetectReport['findings'][number];

/** A detection run as a SARIF run: every rule in the catalogue, a result per finding at its triggering events. */
function detectSarifRun(report: DetectReport, category: string): SarifRunInput<DetectFinding> {
  const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));
  return {
    tool: report.tool,
    rules: report.rules.map((r) =>
      sarifRule({
        id: r.id,
        title: r.title,
        description: r.description,
        help: {
          text: `${r.description}\n\nResponse: ${r.response}`,
          markdown: `**${r.title}**\n\n${r.description}\n\n**Response:** ${r.response}\n\n- ATT&CK: T1059.009${r.related.length ? `, ${r.related.join(', ')}` : ''}\n- DET0078 / AN0215 tunables: ${r.tunables.join(', ')}`,
        },
        helpUri: `${report.tool.informationUri}/blob/main/docs/detect.md#${r.id}`,
        severity: r.severity,
        tags: ['security', 'T1059.009', ...r.related, 'DET0078', 'AN0215'],
        precision: 'medium',
      }),
    ),
    category,
    generatedAt: report.generatedAt,
    notifications: [
      ...report.gaps.map((g) => ({ level: 'note', message: { text: g } })),
      ...report.badRecords.map((b) => ({
        level: 'warning',
        message: { text: `${refText(b)}: ${b.message}` },
        locations: [
          { physicalLocation: { artifactLocation: { uri: sarifUri(b.file) }, region: { startLine: b.line } } },
        ],
      })),
    ],
    results: report.findings,
    toResult: (f) => ({
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: SARIF_LEVEL[f.severity],
      message: {
        text: `${f.title}: ${f.message}. Actor ${f.actor}, client ${f.client.kind}${f.client.evidence ? ` ("${f.client.evidence}")` : ''}.`,
      },
      locations: f.events.slice(0, 10).map((e) => ({
        physicalLocation: { artifactLocation: { uri: sarifUri(e.file) }, region: { startLine: e.line } },
      })),
      partialFingerprints: { 'cloudwardDetection/v1': f.id },
      properties: {
        severity: f.severity,
        actor: f.actor,
        cloud: f.cloud,
        account: f.account,
        client: f.client,
        sourceIp: f.srcIp,
        firstTime: iso(f.firstTime),
        lastTime: iso(f.lastTime),
        eventCount: f.eventCount,
        duplicates: f.duplicates,
        group: f.group,
      },
    }),
  };
}

/** The SARIF log of a detection run, whole (`category`: the automation category, default cloudward-detect). */
export function renderSarif(report: DetectReport, category = 'cloudward-detect'): string {
  return [...streamSarifLog(detectSarifRun(report, category))].join('');
}

// ---------------------------------------------------------------- OCSF Detection Finding (class 2004)

/** A finding as an OCSF Detection Finding. `coverage`: the run's blind spots, which travel with every finding. */
function ocsfDetection(
  report: DetectReport,
  rule: DetectReport['rules'][number],
  f: DetectFinding,
  coverage: string[],
): Record<string, unknown> {
  return {
    ...ocsfFindingHead({
      classUid: 2004,
      time: f.firstTime,
      severity: f.severity,
      message: `${f.title}: ${f.message}`,
      tool: report.tool,
      uid: f.id,
      loggedTime: Date.parse(report.generatedAt),
    }),
    finding_info: {
      uid: f.id,
      title: f.title,
      desc: rule.description,
      types: ['DET0078/AN0215', ...rule.tunables],
      created_time: Date.parse(report.generatedAt),
      first_seen_time: f.firstTime,
      last_seen_time: f.lastTime,
      analytic: { uid: f.ruleId, name: f.title, type_id: 1, type: 'Rule' },
      attacks: [executionAttack('T1059.009'), ...rule.related.map((uid) => ({ technique: { uid }, version: '18' }))],
    },
    actor: { user: { name: f.actor, uid: f.actor } },
    evidences: [
      {
        actor: { user: { name: f.actor } },
        ...(f.srcIp ? { src_endpoint: { ip: f.srcIp } } : {}),
        data: { client: f.client, events: f.events, event_count: f.eventCount },
      },
    ],
    ...ocsfCloud(f.cloud, f.account ? { uid: f.account } : undefined),
    remediation: { desc: rule.response },
    unmapped: { group: f.group, duplicates: f.duplicates, ...(coverage.length > 0 ? { coverage } : {}) },
  };
}

function streamOcsf(report: DetectReport): Iterable<string> {
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  // OCSF findings carry the run's blind spots too: a reader of this file alone must not take silence for absence.
  const coverage = report.gaps.filter((g) => g.includes('could not fire'));
  return ocsfArray(
    report.findings.map((f) => ocsfDetection(report, rules.get(f.ruleId)!, f, coverage)),
    'indented',
  );
}

/** The OCSF Detection Findings (class 2004) of a run, as one JSON array. */
export function renderOcsf(report: DetectReport): string {
  return [...streamOcsf(report)].join('');
}

// ---------------------------------------------------------------- formats

/** Every output format of a detection run, by name: the planner and writer in report/ serve them as they serve an audit's. */
export const detectFormatters: Array<Formatter<DetectReport>> = [
  {
    name: 'text',
    extension: 'txt',
    description: 'findings for a terminal: rule, actor, client, triggering events, what to do',
    render: (r, c) => renderText(r, { verbose: c.verbose }),
  },
  {
    name: 'json',
    extension: 'json',
    description: 'the whole run: rules, inputs, findings, unreadable records, gaps',
    render: (r) => renderJson(r),
  },
  {
    name: 'sarif',
    extension: 'sarif',
    description: 'SARIF 2.1.0 for code scanning: every rule, a result per finding at its events',
    render: (r, c) => streamSarifLog(detectSarifRun(r, c.sarifCategory ?? 'cloudward-detect')),
  },
  {
    name: 'ocsf',
    extension: 'ocsf.json',
    description: 'OCSF 1.3 Detection Findings (class 2004), one per finding',
    prepare: loadOcsfClouds,
    render: (r) => streamOcsf(r),
  },
];
