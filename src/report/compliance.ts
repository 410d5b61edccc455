import type { Status } from '../engine/types.js';
import { UserError } from '../errors.js';
import { providers } from '../providers/index.js';
import type { ReportCheck, ReportResult } from './model.js';

/**
 * A framework's controls in cloudward's scope (T1059.009: privileged accounts, credentials, MFA, logging, execution
 * control), with the reference each check's `references` uses. A control listed here that no loaded check maps to is
 * "not covered": the view says so instead of leaving it out, as Prowler's and Trivy's compliance reports do.
 */
interface Framework {
  id: string;
  title: string;
  /** Which references a check maps through: a CIS benchmark key (`references.cis[key]`) or NIST SP 800-53. */
  source: { cis: string } | { nist: true };
  controls: Record<string, string>;
}

/** NIST SP 800-53, which every provider's checks map to; the CIS benchmarks come from the provider adapters. */
const NIST: Framework = {
  id: 'nist-800-53',
  title: 'NIST SP 800-53 Rev. 5 (controls T1059.009 maps to)',
  source: { nist: true },
  controls: {
    'AC-2': 'Account Management',
    'AC-3': 'Access Enforcement',
    'AC-6': 'Least Privilege',
    'AC-6(1)': 'Least Privilege | Authorize Access to Security Functions',
    'AC-6(2)': 'Least Privilege | Non-privileged Access for Nonsecurity Functions',
    'AC-6(5)': 'Least Privilege | Privileged Accounts',
    'AC-6(7)': 'Least Privilege | Review of User Privileges',
    'AC-6(9)': 'Least Privilege | Log Use of Privileged Functions',
    'AC-6(10)': 'Least Privilege | Prohibit Non-privileged Users from Executing Privileged Functions',
    'AU-2': 'Event Logging',
    'AU-12': 'Audit Record Generation',
    'CM-7': 'Least Functionality',
    'CM-7(2)': 'Least Functionality | Prevent Program Execution',
    'CM-7(5)': 'Least Functionality | Authorized Software — Allow-by-exception',
    'CM-11': 'User-installed Software',
    'IA-2': 'Identification and Authentication (Organizational Users)',
    'IA-2(1)': 'Multi-factor Authentication to Privileged Accounts',
    'IA-2(2)': 'Multi-factor Authentication to Non-privileged Accounts',
    'SI-4': 'System Monitoring',
  },
};

/** Every provider's CIS benchmarks (registry order), then NIST. */
const FRAMEWORKS: Framework[] = [
  ...providers.flatMap((p) =>
    (p.benchmarks ?? []).map(
      (b): Framework => ({ id: b.id, title: b.title, source: { cis: b.cis }, controls: b.controls }),
    ),
  ),
  NIST,
];

export const FRAMEWORK_IDS = FRAMEWORKS.map((f) => f.id);

export function getFramework(id: string): Framework {
  const framework = FRAMEWORKS.find((f) => f.id === id.toLowerCase());
  if (!framework)
    throw new UserError(`unknown compliance framework "${id}"`, {
      where: '--compliance',
      hint: `use one of: ${FRAMEWORK_IDS.join(', ')}`,
    });
  return framework;
}

/** pass: every result of its checks passes; fail: one fails or is waived (the risk is accepted, the control not met). */
type ControlStatus = 'pass' | 'fail' | 'unknown' | 'no-resources' | 'not-covered';

interface ControlView {
  id: string;
  title: string;
  /** The loaded checks that map to the control. */
  checks: string[];
  /** Only in an audit: the control's state from its checks' results, and their counts. */
  status?: ControlStatus;
  counts?: Record<Status, number>;
}

export interface ComplianceView {
  framework: string;
  title: string;
  controls: ControlView[];
  /** Controls per status (audit) or covered / not covered (`checks list`). */
  totals: Record<string, number>;
}

function referencesOf(check: Pick<ReportCheck, 'references'>, framework: Framework): string[] {
  return 'cis' in framework.source ? (check.references.cis?.[framework.source.cis] ?? []) : check.references.nist;
}

/** Orders "1.10" after "1.9" and "AC-6(10)" after "AC-6(9)". */
const byControlId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The framework's controls with the checks that cover them, and, given results, each control's status. Controls the
 * checks map to but the catalogue lacks are listed too, titled by their checks.
 */
export function complianceView(frameworkId: string, checks: ReportCheck[], results?: ReportResult[]): ComplianceView {
  const framework = getFramework(frameworkId);
  const byControl = new Map<string, string[]>(Object.keys(framework.controls).map((id) => [id, []]));
  const titles = new Map(checks.map((c) => [c.id, c.title]));
  for (const check of checks) {
    for (const control of referencesOf(check, framework)) {
      const list = byControl.get(control);
      if (list) list.push(check.id);
      else byControl.set(control, [check.id]);
    }
  }
  const countsByCheck = new Map<string, Record<Status, number>>();
  for (const r of results ?? []) {
    let counts = countsByCheck.get(r.checkId);
    if (!counts) countsByCheck.set(r.checkId, (counts = { pass: 0, fail: 0, unknown: 0, waived: 0 }));
    counts[r.status]++;
  }
  const controls = [...byControl.entries()]
    .sort(([a], [b]) => byControlId(a, b))
    .map(([id, ids]): ControlView => {
      const control: ControlView = {
        id,
        title: framework.controls[id] ?? ids.map((c) => titles.get(c)).join('; '),
        checks: ids.sort(),
      };
      if (!results) return control;
      const counts: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, waived: 0 };
      for (const c of ids) for (const [s, n] of Object.entries(countsByCheck.get(c) ?? {})) counts[s as Status] += n;
      const total = counts.pass + counts.fail + counts.unknown + counts.waived;
      control.counts = counts;
      control.status =
        ids.length === 0
          ? 'not-covered'
          : total === 0
            ? 'no-resources'
            : counts.fail + counts.waived > 0
              ? 'fail'
              : counts.unknown > 0
                ? 'unknown'
                : 'pass';
      return control;
    });
  const totals: Record<string, number> = {};
  for (const c of controls) {
    const key = c.status ?? (c.checks.length > 0 ? 'covered' : 'not-covered');
    totals[key] = (totals[key] ?? 0) + 1;
  }
  return { framework: framework.id, title: framework.title, controls, totals };
}

/** `5 pass, 7 fail, 1 not covered`: the controls per status, in a fixed order. */
export function totalsText(view: ComplianceView): string {
  const order = ['pass', 'fail', 'unknown', 'no-resources', 'covered', 'not-covered'];
  return order
    .filter((k) => view.totals[k])
    .map((k) => `${view.totals[k]} ${k.replace('-', ' ')}`)
    .join(', ');
}

/** `1 fail, 2 pass`: a control's results, the non-zero counts only. */
export function countsText(counts: Record<string, number> | undefined): string {
  return Object.entries(counts ?? {})
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

export const CONTROL_STATUS_TEXT: Record<ControlStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  unknown: 'unknown',
  'no-resources': 'no resources',
  'not-covered': 'not covered',
};
