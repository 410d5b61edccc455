import type { Severity, Status } from '../engine/types.js';
import type { Formatter } from './formatter.js';
import { runNotes, type Report, type ReportCheck, type ReportResult } from './model.js';

/** The adapters' OCSF cloud names, read from the registry by loadOcsfClouds(). */
let cloudOf: ((provider: string) => string | undefined) | undefined;

/**
 * Reads the adapters' OCSF cloud names (`ocsfCloudProvider`) from the registry before an OCSF render (a formatter's
 * `prepare`): the registry loads every adapter, which a detect run that writes no OCSF need not pay for at start-up.
 */
export async function loadOcsfClouds(): Promise<void> {
  cloudOf ??= (await import('../providers/index.js')).ocsfCloudProviderOf;
}

function ocsfCloudProviderOf(provider: string): string | undefined {
  if (!cloudOf)
    throw new Error(
      "OCSF cloud names are not loaded: await loadOcsfClouds() (the formatter's prepare) before rendering",
    );
  return cloudOf(provider);
}

/** OCSF schema version the events follow. */
export const OCSF_VERSION = '1.3.0';
const SEVERITY_ID: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
/** The OCSF finding classes cloudward writes: an audit's results and detect's alerts. */
const FINDING_CLASS = { 2003: 'Compliance Finding', 2004: 'Detection Finding' } as const;
/** compliance.status_id: 0 Unknown, 1 Pass, 3 Fail (a waived result still fails the control; the finding is Suppressed). */
const COMPLIANCE_STATUS: Record<Status, [number, string]> = {
  pass: [1, 'Pass'],
  fail: [3, 'Fail'],
  unknown: [0, 'Unknown'],
  waived: [3, 'Fail'],
};

/** The tool as OCSF's metadata.product. */
export function ocsfProduct(tool: { name: string; version: string; informationUri: string }): Record<string, unknown> {
  return { name: tool.name, vendor_name: tool.name, version: tool.version, url_string: tool.informationUri };
}

/** What begins every finding cloudward writes, up to and including its metadata; the class's own fields follow. */
export function ocsfFindingHead(head: {
  classUid: keyof typeof FINDING_CLASS;
  time: number;
  severity: Severity;
  /** A finding whose risk was accepted (a waiver): status Suppressed. */
  suppressed?: boolean;
  statusDetail?: string;
  message: string;
  tool: { name: string; version: string; informationUri: string };
  uid: string;
  loggedTime: number;
}): Record<string, unknown> {
  const className = FINDING_CLASS[head.classUid];
  return {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: head.classUid,
    class_name: className,
    type_uid: head.classUid * 100 + 1,
    type_name: `${className}: Create`,
    time: head.time,
    severity_id: SEVERITY_ID[head.severity],
    severity: SEVERITY_NAME[head.severity],
    status_id: head.suppressed ? 3 : 1,
    status: head.suppressed ? 'Suppressed' : 'New',
    ...(head.statusDetail ? { status_detail: head.statusDetail } : {}),
    message: head.message,
    metadata: { version: OCSF_VERSION, product: ocsfProduct(head.tool), uid: head.uid, logged_time: head.loggedTime },
  };
}

/** The ATT&CK entry of a technique of Execution (TA0002): T1059 and, for `T1059.009`, its sub-technique Cloud API. */
export function executionAttack(technique: string): Record<string, unknown> {
  const [parent, sub] = technique.split('.');
  return {
    tactic: { uid: 'TA0002', name: 'Execution' },
    technique: { uid: parent, name: 'Command and Scripting Interpreter' },
    ...(sub ? { sub_technique: { uid: technique, name: 'Cloud API' } } : {}),
    version: '18',
  };
}

/**
 * The `cloud` block of a finding of `provider` (a registered adapter's name), whose `cloud.provider` is what the
 * adapter declares as `ocsfCloudProvider`: none for hosts or a provider that is not registered.
 */
export function ocsfCloud(provider: string, account?: { uid: string; name?: string }): Record<string, unknown> {
  const cloud = ocsfCloudProviderOf(provider);
  return cloud ? { cloud: { provider: cloud, ...(account ? { account } : {}) } } : {};
}

/**
 * A JSON array of findings, streamed one finding at a time: one to a line (`lines`), or exactly as
 * `JSON.stringify(findings, null, 2)` would lay it out (`indented`).
 */
export function* ocsfArray(
  findings: Iterable<Record<string, unknown>>,
  layout: 'lines' | 'indented',
): Iterable<string> {
  let first = true;
  for (const finding of findings) {
    const text =
      layout === 'lines' ? JSON.stringify(finding) : `  ${JSON.stringify(finding, null, 2).replace(/\n/g, '\n  ')}`;
    yield `${first ? '[\n' : ',\n'}${text}`;
    first = false;
  }
  yield first ? (layout === 'lines' ? '[\n]\n' : '[]\n') : '\n]\n';
}

/** What every finding of one check shares: built once per check, not once per finding. */
interface CheckParts {
  standards: string[];
  requirements: string[];
  attacks: Array<Record<string, unknown>>;
  types: string[];
  remediation: Record<string, unknown>;
}

function checkParts(check: ReportCheck): CheckParts {
  return {
    standards: [
      'MITRE ATT&CK',
      'NIST SP 800-53 Rev. 5',
      ...Object.keys(check.references.cis ?? {}).map((b) => `CIS ${b}`),
    ],
    requirements: [
      check.mitigation,
      ...check.references.nist,
      ...Object.entries(check.references.cis ?? {}).flatMap(([b, ids]) => ids.map((id) => `CIS ${b} ${id}`)),
    ],
    attacks: [executionAttack(check.technique)],
    types: [`${check.mitigation}/${check.measure}`],
    remediation: { desc: check.remediation, ...(check.references.url ? { references: [check.references.url] } : {}) },
  };
}

/** One OCSF Compliance Finding (class 2003, category 2 Findings, activity 1 Create). */
export function ocsfFinding(
  report: Report,
  check: ReportCheck,
  r: ReportResult,
  parts: CheckParts = checkParts(check),
  notes: string[] = runNotes(report).map((n) => n.text),
): Record<string, unknown> {
  const time = Date.parse(report.generatedAt);
  const [complianceStatusId, complianceStatus] = COMPLIANCE_STATUS[r.status];
  const { standards, requirements, attacks, types, remediation } = parts;
  return {
    ...ocsfFindingHead({
      classUid: 2003,
      time,
      severity: check.severity,
      suppressed: r.status === 'waived',
      ...(r.waiver
        ? { statusDetail: `waived by ${r.waiver.owner} until ${r.waiver.expires}: ${r.waiver.reason}` }
        : {}),
      message: r.message,
      tool: report.tool,
      uid: r.fingerprint,
      loggedTime: time,
    }),
    finding_info: {
      uid: r.fingerprint,
      title: check.title,
      desc: check.description,
      types,
      created_time: time,
      attacks,
    },
    compliance: { standards, control: check.id, requirements, status_id: complianceStatusId, status: complianceStatus },
    resources: [
      {
        uid: r.resource.nativeId ?? r.resource.uid,
        name: r.resource.name ?? r.resource.uid,
        type: r.resource.kind,
        ...(ocsfCloudProviderOf(r.resource.provider) ? { cloud_partition: r.resource.provider } : {}),
        data: { cloudward_uid: r.resource.uid, scope: r.resource.scope },
      },
    ],
    ...ocsfCloud(r.resource.provider, {
      uid: r.resource.scope.id,
      ...(r.resource.scope.name ? { name: r.resource.scope.name } : {}),
    }),
    remediation,
    // Each finding travels alone into a SIEM: the run's warnings (unverified or stale snapshot) go with it.
    unmapped: {
      evidence: r.evidence,
      ...(r.baselineState ? { baseline_state: r.baselineState } : {}),
      ...(notes.length > 0 ? { run_notes: notes } : {}),
    },
  };
}

/** A JSON array of findings, streamed one finding at a time. Passing results are included: they are the denominator. */
function renderOcsf(report: Report): Iterable<string> {
  const checks = new Map(report.checks.map((c) => [c.id, { check: c, parts: checkParts(c) }]));
  const notes = runNotes(report).map((n) => n.text);
  return ocsfArray(
    (function* () {
      for (const r of report.results) {
        const { check, parts } = checks.get(r.checkId)!;
        yield ocsfFinding(report, check, r, parts, notes);
      }
    })(),
    'lines',
  );
}

export const ocsfFormatter: Formatter = {
  name: 'ocsf',
  extension: 'ocsf.json',
  description: 'OCSF 1.3 Compliance Findings (class 2003) for SIEMs and security lakes, one per result',
  needs: { passEvidence: true, fingerprints: true, filters: false },
  prepare: loadOcsfClouds,
  render: renderOcsf,
};
