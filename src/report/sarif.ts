import type { Severity } from '../engine/types.js';
import type { Formatter, FormatContext } from './formatter.js';
import { relativeUri, snapshotLocations } from './locations.js';
import { modifiedSnapshotNotes, runNotes, type Report, type ReportCheck, type ReportResult } from './model.js';

/** Values safely inside GitHub's security-severity bands (critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low < 4.0). */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' };
/** A finding's SARIF level by severity (audit failures and detections alike). */
export const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};
const LEVEL = SARIF_LEVEL;

/** GitHub code scanning limits. */
export const SARIF_MAX_RESULTS = 25_000;
export const SARIF_MAX_TAGS = 20;
const MAX_FULL_DESCRIPTION = 1024;

export function pascalCase(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase());
}

function allTags(check: ReportCheck): string[] {
  const tags = ['security', check.technique, check.mitigation, `${check.mitigation}/${check.measure}`];
  for (const id of check.references.attack ?? []) tags.push(id);
  for (const [benchmark, items] of Object.entries(check.references.cis ?? {}))
    for (const item of items) tags.push(`CIS ${benchmark} ${item}`);
  for (const control of check.references.nist) tags.push(`NIST SP 800-53 ${control}`);
  return [...new Set(tags)];
}

function helpMarkdown(check: ReportCheck): string {
  const lines = [`**${check.title}**`, '', check.description, '', `**Remediation:** ${check.remediation}`, ''];
  lines.push(`- ATT&CK: ${check.technique} (${check.mitigation}, measure: ${check.measure})`);
  for (const [benchmark, items] of Object.entries(check.references.cis ?? {}))
    lines.push(`- CIS ${benchmark}: ${items.join(', ')}`);
  lines.push(`- NIST SP 800-53: ${check.references.nist.join(', ')}`);
  if (check.references.url) lines.push(`- More: ${check.references.url}`);
  return lines.join('\n');
}

function helpText(check: ReportCheck): string {
  return `${check.description}\n\nRemediation: ${check.remediation}\n\nATT&CK ${check.technique} / ${check.mitigation} (${check.measure}); NIST SP 800-53 ${check.references.nist.join(', ')}.`;
}

/** What a SARIF rule says, whatever made it (an audit check, a detection rule). */
export interface SarifRuleInput {
  id: string;
  title: string;
  description: string;
  help: { text: string; markdown: string };
  helpUri: string;
  severity: Severity;
  /** At most SARIF_MAX_TAGS (code scanning's limit): the caller says what it left out. */
  tags: string[];
  precision: 'high' | 'medium';
  /** Also say the severity in the older `problem.severity` words (error, warning, recommendation). */
  problemSeverity?: boolean;
}

/** One entry of the driver's rule catalogue. */
export function sarifRule(rule: SarifRuleInput): Record<string, unknown> {
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: {
      text:
        rule.description.length > MAX_FULL_DESCRIPTION
          ? `${rule.description.slice(0, MAX_FULL_DESCRIPTION - 3)}...`
          : rule.description,
    },
    help: rule.help,
    helpUri: rule.helpUri,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: rule.tags,
      precision: rule.precision,
      ...(rule.problemSeverity
        ? {
            'problem.severity':
              rule.severity === 'low' ? 'recommendation' : rule.severity === 'medium' ? 'warning' : 'error',
          }
        : {}),
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  };
}

/**
 * One SARIF run as its maker describes it: the tool, its rule catalogue, the run's category, time and notifications,
 * and how to turn each of its results into a SARIF result. Audit and detect each supply these; the log is the same.
 */
export interface SarifRunInput<T> {
  tool: { name: string; version: string; informationUri: string };
  rules: Array<Record<string, unknown>>;
  category: string;
  generatedAt: string;
  notifications: Array<Record<string, unknown>>;
  artifacts?: Array<Record<string, unknown>>;
  properties?: Record<string, unknown>;
  results: T[];
  toResult: (result: T) => Record<string, unknown>;
}

/** The log with its results left out (a slot stands in for them): a large run is serialized one result at a time. */
function logSkeleton<T>(run: SarifRunInput<T>): { runs: [Record<string, unknown>] } {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: run.tool.name,
            version: run.tool.version,
            semanticVersion: run.tool.version,
            informationUri: run.tool.informationUri,
            rules: run.rules,
          },
        },
        automationDetails: { id: `${run.category}/${run.generatedAt}` },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: run.generatedAt,
            ...(run.notifications.length > 0 ? { toolExecutionNotifications: run.notifications } : {}),
          },
        ],
        ...(run.artifacts ? { artifacts: run.artifacts } : {}),
        columnKind: 'utf16CodeUnits',
        results: RESULTS_SLOT,
        ...(run.properties ? { properties: run.properties } : {}),
      },
    ],
  } as { runs: [Record<string, unknown>] };
}

/** The whole SARIF log of a run as one object. */
export function sarifLog<T>(run: SarifRunInput<T>): Record<string, unknown> {
  const log = logSkeleton(run);
  log.runs[0].results = run.results.map(run.toResult);
  return log;
}

/** Results GitHub would drop past its limit are cut, most severe kept, with a warning in the run. */
function selectResults(report: Report): { results: ReportResult[]; dropped: number } {
  const candidates = report.results.filter((r) => r.status !== 'pass');
  if (candidates.length <= SARIF_MAX_RESULTS) return { results: candidates, dropped: 0 };
  return { results: candidates.slice(0, SARIF_MAX_RESULTS), dropped: candidates.length - SARIF_MAX_RESULTS };
}

/** Stands in for the results array while the rest of the log is serialized (a string no result can produce). */
const RESULTS_SLOT = '\u0000cloudward-sarif-results\u0000';
/** The slot as it appears in the serialized log. */
const RESULTS_SLOT_JSON = JSON.stringify(RESULTS_SLOT);

/** An audit's SARIF run: every check as a rule, the findings located in the snapshot (or the plan). */
function auditSarifRun(report: Report, context: FormatContext): SarifRunInput<ReportResult> {
  const ruleIndex = new Map(report.checks.map((c, i) => [c.id, i]));
  const checks = new Map(report.checks.map((c) => [c.id, c]));
  const { results, dropped } = selectResults(report);
  const wanted = {
    uids: new Set(results.map((r) => r.resource.uid)),
    scopeIds: new Set(results.map((r) => r.resource.scope.id)),
  };
  const locate = snapshotLocations(report, process.cwd(), wanted, context.lineIndexes);
  const category = context.sarifCategory ?? 'cloudward';
  const notifications = [];
  if (dropped > 0) {
    const text = `${dropped} results were left out to stay under code scanning's limit of ${SARIF_MAX_RESULTS} results per run; the JSON report lists all of them.`;
    notifications.push({ level: 'warning', message: { text }, descriptor: { id: 'CW0001' } });
    context.warn?.(`SARIF: ${text}`);
  }
  const modified = modifiedSnapshotNotes(report);
  const tagsByRule = new Map(report.checks.map((check) => [check.id, allTags(check)]));
  const overTagged = [...tagsByRule].filter(([, tags]) => tags.length > SARIF_MAX_TAGS).map(([id]) => id);
  if (overTagged.length > 0) {
    const text = `${overTagged.length} rule${overTagged.length === 1 ? '' : 's'} had more than ${SARIF_MAX_TAGS} tags, code scanning's limit; the extra tags were left out (${overTagged.join(', ')}).`;
    notifications.push({ level: 'warning', message: { text }, descriptor: { id: 'CW0002' } });
    context.warn?.(`SARIF: ${text}`);
  }
  // Unverified files (CW0003), stale data (CW0004), a baseline of another tenant (CW0005), project-file gate settings (CW0006).
  for (const note of runNotes(report))
    notifications.push({ level: note.level, message: { text: note.text }, descriptor: { id: note.id } });
  const rules = report.checks.map((check) =>
    sarifRule({
      id: check.id,
      title: check.title,
      description: check.description,
      help: { text: helpText(check), markdown: helpMarkdown(check) },
      helpUri: check.references.url ?? `${report.tool.informationUri}/blob/main/docs/checks.md#${check.id}`,
      severity: check.severity,
      tags: tagsByRule.get(check.id)!.slice(0, SARIF_MAX_TAGS),
      precision: 'high',
      problemSeverity: true,
    }),
  );
  const artifacts = report.snapshot.files.map((f) => ({
    location: { uri: relativeUri(f.path) },
    hashes: { 'sha-256': f.sha256 },
  }));
  const properties = {
    scorecard: {
      overall: report.scorecard.overall.score,
      mitigations: Object.fromEntries(report.scorecard.mitigations.map((m) => [m.id, m.score])),
    },
    ...(modified.length > 0 ? { snapshotModified: modified } : {}),
    ...(report.warnings ? { warnings: report.warnings.map((w) => w.message) } : {}),
    ...(report.gate?.config ? { gateConfig: report.gate.config } : {}),
  };
  const toSarif = (r: ReportResult): Record<string, unknown> => {
    const check = checks.get(r.checkId)!;
    const where = locate(r.resource.uid, r.resource.scope.id);
    // With --plan, a new finding points at the plan resource causing it (and its .tf block, when found).
    const cause = r.causes?.[0];
    const failing = r.status === 'fail' || r.status === 'waived';
    return {
      ruleId: r.checkId,
      ruleIndex: ruleIndex.get(r.checkId),
      kind: failing ? 'fail' : 'review',
      level: failing ? LEVEL[check.severity] : 'none',
      message: { text: r.status === 'unknown' ? `${check.title}: ${r.message}` : r.message },
      locations: [
        {
          physicalLocation: cause?.file
            ? { artifactLocation: { uri: encodeURI(cause.file) }, region: { startLine: cause.line } }
            : { artifactLocation: { uri: where.uri }, region: { startLine: where.line } },
          logicalLocations: [
            ...(cause ? [{ kind: 'resource', name: cause.address, fullyQualifiedName: cause.address }] : []),
            {
              kind: 'resource',
              name: r.resource.name ?? r.resource.uid,
              fullyQualifiedName: r.resource.nativeId ?? r.resource.uid,
            },
          ],
        },
      ],
      ...(cause?.file
        ? {
            relatedLocations: [
              {
                id: 1,
                physicalLocation: { artifactLocation: { uri: where.uri }, region: { startLine: where.line } },
                message: { text: 'the resource in the snapshot' },
              },
            ],
          }
        : {}),
      partialFingerprints: { primaryLocationLineHash: `${r.fingerprint}:1`, 'cloudwardFinding/v1': r.fingerprint },
      ...(r.baselineState ? { baselineState: r.baselineState } : {}),
      ...(r.status === 'waived' && r.waiver
        ? {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification: `${r.waiver.reason} (owner ${r.waiver.owner}, expires ${r.waiver.expires}${r.waiver.ticket ? `, ${r.waiver.ticket}` : ''})`,
              },
            ],
          }
        : {}),
      properties: {
        status: r.status,
        severity: r.severity,
        resource: r.resource.uid,
        provider: r.resource.provider,
        scope: `${r.resource.scope.kind}/${r.resource.scope.id}`,
        evidence: r.evidence,
        ...(r.causes ? { causes: r.causes.map((c) => c.address) } : {}),
      },
    };
  };
  return {
    tool: report.tool,
    rules,
    category,
    generatedAt: report.generatedAt,
    notifications,
    artifacts,
    properties,
    results,
    toResult: toSarif,
  };
}

/** An audit's whole SARIF log as one object. */
export function buildSarif(report: Report, context: FormatContext): Record<string, unknown> {
  return sarifLog(auditSarifRun(report, context));
}

/** Where the results array sits: root > runs > run > results, two spaces a level. */
const RESULT_INDENT = ' '.repeat(8);
/**
 * A result serialized inside four arrays comes out indented as deep as it sits in the log; these are the wrapping
 * arrays' text around it (cheaper than re-indenting every line of it).
 */
const NESTED_HEAD = '[\n  [\n    [\n      [\n        ';
const NESTED_TAIL = '\n      ]\n    ]\n  ]\n]';

function nestedResultJson(result: Record<string, unknown>): string {
  const text = JSON.stringify([[[[result]]]], null, 2);
  return text.slice(NESTED_HEAD.length, text.length - NESTED_TAIL.length);
}

/**
 * Exactly `JSON.stringify(sarifLog(run), null, 2)` and a newline, produced a result at a time, so that 25,000 results
 * never exist as objects, or as one string, all at once.
 */
export function* streamSarifLog<T>(run: SarifRunInput<T>): Iterable<string> {
  const { results, toResult: toSarif } = run;
  const log = logSkeleton(run);
  const text = `${JSON.stringify(log, null, 2)}\n`;
  const slot = text.indexOf(RESULTS_SLOT_JSON);
  const rest = text.slice(slot + RESULTS_SLOT_JSON.length);
  if (results.length === 0) {
    yield `${text.slice(0, slot)}[]${rest}`;
    return;
  }
  yield `${text.slice(0, slot)}[`;
  for (let i = 0; i < results.length; i++)
    yield `${i === 0 ? '' : ','}\n${RESULT_INDENT}${nestedResultJson(toSarif(results[i]!))}`;
  yield `\n${RESULT_INDENT.slice(2)}]${rest}`;
}

export const sarifFormatter: Formatter = {
  name: 'sarif',
  extension: 'sarif',
  description: 'SARIF 2.1.0 for code scanning: every check as a rule, findings located in the snapshot file',
  needs: { passEvidence: true, fingerprints: true, filters: false, snapshotLines: true },
  render: (report, context) => streamSarifLog(auditSarifRun(report, context)),
};
