import type { Severity, Status } from '../engine/types.js';
import type { Formatter } from './formatter.js';
import { runNotes, type Report, type ReportCheck, type ReportResult } from './model.js';

/** OCSF schema version the events follow. */
export const OCSF_VERSION = '1.3.0';
const SEVERITY_ID: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
/** compliance.status_id: 0 Unknown, 1 Pass, 3 Fail (a waived result still fails the control; the finding is Suppressed). */
const COMPLIANCE_STATUS: Record<Status, [number, string]> = { pass: [1, 'Pass'], fail: [3, 'Fail'], unknown: [0, 'Unknown'], waived: [3, 'Fail'] };
const CLOUD_PROVIDER: Record<string, string> = { aws: 'AWS', azure: 'Azure', gcp: 'GCP' };

/** What every finding of one check shares: built once per check, not once per finding. */
interface CheckParts {
  standards: string[];
  requirements: string[];
  attacks: Array<Record<string, unknown>>;
  types: string[];
  remediation: Record<string, unknown>;
}

function checkParts(check: ReportCheck): CheckParts {
  const [technique, sub] = check.technique.split('.');
  return {
    standards: ['MITRE ATT&CK', 'NIST SP 800-53 Rev. 5', ...Object.keys(check.references.cis ?? {}).map((b) => `CIS ${b}`)],
    requirements: [check.mitigation, ...check.references.nist, ...Object.entries(check.references.cis ?? {}).flatMap(([b, ids]) => ids.map((id) => `CIS ${b} ${id}`))],
    attacks: [
      {
        tactic: { uid: 'TA0002', name: 'Execution' },
        technique: { uid: technique, name: 'Command and Scripting Interpreter' },
        ...(sub ? { sub_technique: { uid: check.technique, name: 'Cloud API' } } : {}),
        version: '18',
      },
    ],
    types: [`${check.mitigation}/${check.measure}`],
    remediation: { desc: check.remediation, ...(check.references.url ? { references: [check.references.url] } : {}) },
  };
}

/** One OCSF Compliance Finding (class 2003, category 2 Findings, activity 1 Create). */
export function ocsfFinding(report: Report, check: ReportCheck, r: ReportResult, parts: CheckParts = checkParts(check), notes: string[] = runNotes(report).map((n) => n.text)): Record<string, unknown> {
  const time = Date.parse(report.generatedAt);
  const [complianceStatusId, complianceStatus] = COMPLIANCE_STATUS[r.status];
  const { standards, requirements, attacks, types, remediation } = parts;
  return {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2003,
    class_name: 'Compliance Finding',
    type_uid: 200301,
    type_name: 'Compliance Finding: Create',
    time,
    severity_id: SEVERITY_ID[check.severity],
    severity: SEVERITY_NAME[check.severity],
    status_id: r.status === 'waived' ? 3 : 1,
    status: r.status === 'waived' ? 'Suppressed' : 'New',
    ...(r.waiver ? { status_detail: `waived by ${r.waiver.owner} until ${r.waiver.expires}: ${r.waiver.reason}` } : {}),
    message: r.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: report.tool.name, vendor_name: report.tool.name, version: report.tool.version, url_string: report.tool.informationUri },
      uid: r.fingerprint,
      logged_time: time,
    },
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
        ...(CLOUD_PROVIDER[r.resource.provider] ? { cloud_partition: r.resource.provider } : {}),
        data: { cloudward_uid: r.resource.uid, scope: r.resource.scope },
      },
    ],
    ...(CLOUD_PROVIDER[r.resource.provider]
      ? { cloud: { provider: CLOUD_PROVIDER[r.resource.provider], account: { uid: r.resource.scope.id, ...(r.resource.scope.name ? { name: r.resource.scope.name } : {}) } } }
      : {}),
    remediation,
    // Each finding travels alone into a SIEM: the run's warnings (unverified or stale snapshot) go with it.
    unmapped: { evidence: r.evidence, ...(r.baselineState ? { baseline_state: r.baselineState } : {}), ...(notes.length > 0 ? { run_notes: notes } : {}) },
  };
}

/** A JSON array of findings, streamed one finding at a time. Passing results are included: they are the denominator. */
function* renderOcsf(report: Report): Iterable<string> {
  const checks = new Map(report.checks.map((c) => [c.id, { check: c, parts: checkParts(c) }]));
  const notes = runNotes(report).map((n) => n.text);
  yield '[';
  let first = true;
  for (const r of report.results) {
    const { check, parts } = checks.get(r.checkId)!;
    yield `${first ? '\n' : ',\n'}${JSON.stringify(ocsfFinding(report, check, r, parts, notes))}`;
    first = false;
  }
  yield '\n]\n';
}

export const ocsfFormatter: Formatter = {
  name: 'ocsf',
  extension: 'ocsf.json',
  description: 'OCSF 1.3 Compliance Findings (class 2003) for SIEMs and security lakes, one per result',
  needs: { passEvidence: true, fingerprints: true, filters: false },
  render: renderOcsf,
};
