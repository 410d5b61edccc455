/**
 * A what-if run evaluates only what it must (the "before" audit without the evidence of passes no output shows, the
 * projected scopes alone again, fingerprints of findings only). Its reports must be exactly those of the plain way:
 * both audits evaluated in full, with every piece of evidence and every fingerprint.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import test from 'ava';
import { judgeSnapshot, reportJudgement, type AuditInput } from '../../src/audit.js';
import { auditWithPlan } from '../../src/cli/whatif.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Result } from '../../src/engine/types.js';
import { loadWaivers } from '../../src/gate/waivers.js';
import { auditBefore, whatIfBlock } from '../../src/whatif/report-block.js';
import { getFormatter } from '../../src/report/index.js';
import type { Report } from '../../src/report/model.js';
import { loadSnapshots } from '../../src/snapshot/load.js';
import { loadPlan, projectPlan, type WhatIfProjection } from '../../src/whatif/index.js';
import { sourceLocator } from '../../src/whatif/locate.js';
import { EXAMPLE, fixture, ROOT, tempDir } from '../helpers/cli.js';
import { ADMIN_POLICY, planDocument } from './plan-shape.js';
import { loadOcsfClouds } from '../../src/report/ocsf.js';

// OCSF renders read the adapters' cloud names, which the CLI loads before writing (a formatter's prepare).
await loadOcsfClouds();

/** Every provider's raw documents side by side: each projector takes its own. */
const RAW = join(ROOT, 'examples', 'acme', 'raw');
const GENERATED_AT = '2026-11-29T12:00:00.000Z';
const GATE = { failOn: 'high', minScore: null, allowUnknown: false, failOnNewOnly: true } as const;
/** Formats that show no evidence of passes, none that show no fingerprints, and one that shows both. */
const LEAN: Array<{ formats: string[]; omit: NonNullable<AuditInput['omit']> }> = [
  { formats: ['text', 'markdown'], omit: { passEvidence: true, fingerprints: true } },
  { formats: ['text', 'markdown'], omit: { passEvidence: true, evidence: true, fingerprints: true } },
  { formats: ['html'], omit: { passEvidence: false, fingerprints: true } },
  { formats: ['csv'], omit: { passEvidence: true, fingerprints: false } },
];
const ALL_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html', 'ocsf', 'csv'];

/** The plain way, as a reference: both audits in full, each pass the plan leaves open found by going through every gap. */
async function referenceReport(planFile: string, input: Omit<AuditInput, 'baseline' | 'results'>): Promise<Report> {
  const plan = await loadPlan(planFile);
  const projection = await projectPlan(plan, input.loaded.snapshot, [RAW]);
  const before = auditBefore({
    snapshot: input.loaded.snapshot,
    files: input.loaded.files,
    checks: input.checks,
    results: evaluate(input.loaded.snapshot, input.checks),
    ...(input.waivers ? { waivers: input.waivers } : {}),
    generatedAt: GENERATED_AT,
    name: `${EXAMPLE} (before the plan)`,
  });
  const judgement = judgeSnapshot({
    ...input,
    generatedAt: GENERATED_AT,
    loaded: { ...input.loaded, snapshot: projection.snapshot },
    baseline: before.baseline,
    results: markOpen(evaluate(projection.snapshot, input.checks), projection),
  });
  await projection.verified;
  const locate = await sourceLocator(plan, dirname(planFile));
  const report = reportJudgement(judgement, input.loaded.files);
  nameCauses(report, projection, locate);
  report.whatif = whatIfBlock(plan, projection, before, locate);
  return report;
}

/** Each new finding's causes, found by going through every effect, note and gap. */
function nameCauses(
  report: Report,
  projection: WhatIfProjection,
  locate: (address: string) => { file: string; line: number } | undefined,
): void {
  for (const result of report.results as Array<Report['results'][number] & { causes?: unknown[] }>) {
    if (result.baselineState !== 'new') continue;
    const key = `${result.resource.provider}:${result.resource.scope.kind}/${result.resource.scope.id}`;
    const direct = projection.effects.filter((e) => e.uids.includes(result.resource.uid)).map((e) => e.address);
    const gapScoped = projection.gaps.filter((g) => g.scopes.includes(key)).map((g) => g.address);
    const provider = projection.gaps.filter((g) => g.scopes.includes(result.resource.provider)).map((g) => g.address);
    const noted = projection.notes
      .filter((n) => n.scope === key && n.outcome !== 'no-op' && n.outcome !== 'not-projected')
      .map((n) => n.address);
    const addresses = [...new Set(direct.length > 0 ? direct : [...gapScoped, ...provider, ...noted])].sort();
    if (addresses.length > 0) result.causes = addresses.map((address) => ({ address, ...(locate(address) ?? {}) }));
  }
}

function markOpen(results: Result[], projection: WhatIfProjection): Result[] {
  const effects = new Map(projection.effects.map((e) => [e.address, new Set(e.uids)]));
  return results.map((result) => {
    if (result.status !== 'pass') return result;
    const key = `${result.resource.provider}:${result.resource.scope.kind}/${result.resource.scope.id}`;
    const gaps = projection.gaps.filter(
      (g) =>
        g.scopes.includes(result.resource.provider) ||
        g.scopes.includes(key) ||
        (result.resource.kind !== 'scopes' && effects.get(g.address)?.has(result.resource.uid) === true),
    );
    if (gaps.length === 0) return result;
    return {
      ...result,
      status: 'unknown',
      message: `Not assessed: the plan leaves it open — ${gaps.map((g) => `${g.address}${g.attribute ? ` (${g.attribute})` : ''}: ${g.reason}`).join('; ')}`,
      evidence: {
        ...result.evidence,
        gaps: gaps.map((g) => ({
          what: 'whatif.plan',
          reason: `${g.address}${g.attribute ? ` ${g.attribute}` : ''}: ${g.reason}`,
        })),
      },
    };
  });
}

async function whatIfReport(planFile: string, input: Omit<AuditInput, 'baseline' | 'results'>): Promise<Report> {
  const { judgement, annotate } = await auditWithPlan(
    { ...input, generatedAt: GENERATED_AT },
    { plan: planFile, raw: [RAW], snapshotNames: [EXAMPLE] },
  );
  const report = reportJudgement(judgement, input.loaded.files);
  annotate(report);
  return report;
}

function render(format: string, report: Report, verbose = true): string {
  const out = getFormatter(format).render(report, {
    color: false,
    verbose,
    quiet: false,
    sarifCategory: 'cloudward',
    warn: () => {},
  });
  return typeof out === 'string' ? out : [...out].join('');
}

async function plans(): Promise<Array<[string, string]>> {
  const dir = await tempDir();
  const gaps = join(dir, 'gaps.plan.json');
  // Unknowns that reach a few principals, one that leaves a projected account open, and a grant that is known.
  await writeFile(
    gaps,
    JSON.stringify(
      planDocument([
        {
          address: 'aws_iam_user_policy.kim',
          actions: ['create'],
          after: { user: 'kim.nguyen', name: 'x' },
          unknown: { id: true, policy: true },
        },
        {
          address: 'aws_iam_group_policy.devs',
          actions: ['create'],
          after: { group: 'Developers', name: 'y', policy: ADMIN_POLICY },
          unknown: { id: true },
          sensitive: { policy: true },
        },
        {
          address: 'aws_iam_user_policy_attachment.who',
          actions: ['create'],
          after: { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
          unknown: { id: true, user: true },
          expressions: { user: { references: ['var.user'] } },
        },
      ]),
    ),
  );
  return [
    ['admin without MFA', fixture('whatif', 'acme-tf', 'admin-no-mfa.plan.json')],
    ['tags only', fixture('whatif', 'acme-tf', 'tags-only.plan.json')],
    ['every AWS type', fixture('whatif', 'every-aws-type.plan.json')],
    // A gap on an account the projection leaves as it is: its passes are evaluated again with evidence.
    ['an unsupported IAM type', fixture('whatif', 'unsupported-iam.plan.json')],
    ['unknown and sensitive values', gaps],
    // Projections that replace several scopes at once: an Azure tenant and its subscriptions, a Google organization
    // and its projects.
    ['Azure: Owner to a user without MFA', fixture('whatif', 'acme-azure-tf', 'owner-no-mfa.plan.json')],
    ['every Azure type', fixture('whatif', 'every-azure-type.plan.json')],
    ['Google: Owner to a user without 2SV', fixture('whatif', 'acme-gcp-tf', 'owner-no-2sv.plan.json')],
    ['Azure and Google together', fixture('whatif', 'azure-google.plan.json')],
  ];
}

test('what-if reports are byte-identical to those of both audits evaluated in full, in every format', async (t) => {
  const loaded = await loadSnapshots([EXAMPLE]);
  const all = await loadChecks();
  const waivers = await loadWaivers(
    join(ROOT, 'examples', 'acme', 'waivers.yaml'),
    all.map((c) => c.id),
  );
  for (const [name, planFile] of await plans()) {
    for (const waived of [false, true]) {
      const input = { loaded, checks: all, gate: GATE, ...(waived ? { waivers } : {}) };
      const label = `${name}${waived ? ', with waivers' : ''}`;
      const reference = await referenceReport(planFile, input);
      t.true(reference.results.length > 0, label);
      const full = await whatIfReport(planFile, input);
      for (const format of ALL_FORMATS) t.is(render(format, full), render(format, reference), `${label}: ${format}`);
      for (const { formats, omit } of LEAN) {
        const lean = await whatIfReport(planFile, { ...input, omit });
        // Evidence is left out only where no output shows it: text without --verbose, markdown.
        const verbose = !omit.evidence;
        for (const format of formats)
          t.is(render(format, lean, verbose), render(format, reference, verbose), `${label}: ${format} alone`);
        // Whatever a format may show of a finding (a pass the plan leaves open included) is there in full.
        if (omit.evidence) continue;
        const findings = (report: Report) =>
          report.results.filter((r) => r.status !== 'pass').map((r) => JSON.stringify(r));
        const [have, want] = [findings(lean), findings(reference)];
        t.is(have.length, want.length, label);
        const differs = have.findIndex((r, i) => r !== want[i]);
        t.is(
          differs < 0 ? undefined : have[differs],
          differs < 0 ? undefined : want[differs],
          `${label}: a finding, ${formats.join(', ')}`,
        );
      }
    }
  }
});
