import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { judgeSnapshot, reportJudgement, type Judgement } from '../audit.js';
import { UserError } from '../errors.js';
import { loadReport } from '../report/read.js';
import { DEFAULT_MAX_WAIVER_DAYS, loadWaivers } from '../gate/waivers.js';
import type { GateConfig } from '../gate/decide.js';
import { reportTime } from '../report/model.js';
import { loadChecks, selectChecks } from '../engine/load-checks.js';
import { applyParameters } from '../engine/parameters.js';
import { SEVERITIES, type Severity, type Status } from '../engine/types.js';
import type { Report, ReportResult } from '../report/model.js';
import { complianceView, FRAMEWORK_IDS, getFramework } from '../report/compliance.js';
import { debug } from '../util/debug.js';
import { checkPlannedOutputs, formatters, planOutputs, writePlannedOutputs } from '../report/index.js';
import { needsOf, type FormatContext } from '../report/formatter.js';
import { textFormatter } from '../report/text.js';
import { declaredScopeKinds } from '../providers/index.js';
import { loadSnapshots, snapshotLineIndexes, verifyDigests } from '../snapshot/load.js';
import { resolveConfig, type ProjectConfig } from './config.js';
import {
  collectList,
  parseDays,
  parseSarifCategory,
  parseScore,
  parseSeverityThreshold,
  parseSizeMiB,
} from './options.js';
import { outcome } from './outcome.js';
import { assertNoBaselineWithPlan, auditWithPlan } from './whatif.js';
import { colorEnabled, createProgress } from './progress.js';
import { safeText } from '../util/terminal.js';

interface AuditFlags {
  policies: string[];
  builtinPolicies: boolean;
  checks: string[];
  skipChecks: string[];
  format: string[];
  output?: string;
  outputDir?: string;
  failOn?: Severity | 'none';
  minScore?: number;
  allowUnknown?: boolean;
  baseline?: string;
  failOnNewOnly?: boolean;
  waivers?: string;
  sarifCategory?: string;
  config?: string | false;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  maxInputSize?: number;
  plan?: string;
  raw: string[];
  planDir?: string;
  allowModified?: boolean;
  severity: string[];
  status: string[];
  compliance?: string;
  maxAge?: number;
  maxWaiverDays?: number;
}

const STATUSES: Status[] = ['fail', 'unknown', 'waived', 'pass'];

/** The show filters: which results human formats list. They never change the score, the summary or the gate. */
function resultFilter(
  severities: string[],
  statuses: string[],
): { keep: (r: ReportResult) => boolean; text: string } | undefined {
  const pick = <T extends string>(values: string[], allowed: readonly T[], flag: string): Set<T> | undefined => {
    if (values.length === 0) return undefined;
    const wanted = values.map((v) => v.toLowerCase());
    const bad = wanted.find((v) => !(allowed as readonly string[]).includes(v));
    if (bad !== undefined)
      throw new UserError(`unknown ${flag.slice(2)} "${bad}"`, {
        where: flag,
        hint: `use one or more of: ${allowed.join(', ')}`,
      });
    return new Set(wanted as T[]);
  };
  const severity = pick(severities, SEVERITIES, '--severity');
  const status = pick(statuses, STATUSES, '--status');
  if (!severity && !status) return undefined;
  const parts = [
    ...(severity ? [`severity ${[...severity].join(', ')}`] : []),
    ...(status ? [`status ${[...status].join(', ')}`] : []),
  ];
  return {
    keep: (r) => (!severity || severity.has(r.severity)) && (!status || status.has(r.status)),
    text: parts.join('; '),
  };
}

/** Base name of report files written to --output-dir. */
const REPORT_BASENAME = 'cloudward';

/** Options shared by commands that load checks (audit, checks, test). */
export function addPolicyOptions(command: Command): Command {
  return command
    .option('--policies <path>', 'extra policy folder or check file (repeatable)', collectList, [])
    .option('--no-builtin-policies', 'do not load the checks that ship with cloudward')
    .option('--checks <ids>', 'run only these check ids (comma-separated, repeatable)', collectList, [])
    .option('--skip-checks <ids>', 'never run these check ids (comma-separated, repeatable)', collectList, []);
}

/**
 * What the project file set that shapes this run's gate (and a flag did not override): a pull request that edits
 * cloudward.yaml changes the gate, so every format names the file and these settings.
 */
function gateConfig(config: ProjectConfig, flags: AuditFlags): GateConfig {
  const settings: GateConfig['settings'] = [];
  const add = (key: string, value: GateConfig['settings'][number]['value'] | undefined, overridden: boolean) => {
    if (value !== undefined && !overridden && !(Array.isArray(value) && value.length === 0))
      settings.push({ key, value });
  };
  const shown = (path: string) => relative(process.cwd(), path) || path;
  add('fail-on', config.failOn, flags.failOn !== undefined);
  add('min-score', config.minScore, flags.minScore !== undefined);
  add('allow-unknown', config.allowUnknown, flags.allowUnknown !== undefined);
  add('fail-on-new-only', config.failOnNewOnly, flags.failOnNewOnly !== undefined);
  add('checks', config.checks, flags.checks.length > 0);
  // Skipped checks add up: the file's are skipped whatever the flags say.
  add('skip-checks', config.skipChecks, false);
  add('policies', config.policies?.map(shown), false);
  add('builtin-policies', config.builtinPolicies === false ? false : undefined, !flags.builtinPolicies);
  add('waivers', config.waivers ? shown(config.waivers) : undefined, flags.waivers !== undefined);
  add(
    'baseline',
    config.baseline ? shown(config.baseline) : undefined,
    flags.baseline !== undefined || flags.plan !== undefined,
  );
  add('max-waiver-days', config.maxWaiverDays, flags.maxWaiverDays !== undefined);
  return { file: shown(config.file!), settings };
}

async function runAudit(snapshotArgs: string[], flags: AuditFlags): Promise<number> {
  const config = await resolveConfig(flags.config);
  const progress = createProgress({ quiet: Boolean(flags.quiet), ttyOnly: true });
  const snapshots = snapshotArgs.length > 0 ? snapshotArgs : (config.snapshots ?? []);
  if (config.file) debug(`project file ${config.file}`);
  if (snapshots.filter((s) => s === '-').length > 1)
    throw new UserError('stdin (-) can be read only once', { where: 'snapshot arguments' });
  const framework = flags.compliance ?? config.compliance;
  if (framework) getFramework(framework);
  const filter = resultFilter(
    flags.severity.length > 0 ? flags.severity : (config.severity ?? []),
    flags.status.length > 0 ? flags.status : (config.status ?? []),
  );
  if (snapshots.length === 0) {
    throw new UserError('no snapshot to audit', {
      hint: 'pass a snapshot file (`cloudward audit snapshot.json`) or list `snapshots` in cloudward.yaml',
    });
  }
  const formats = flags.format.length > 0 ? flags.format : (config.formats ?? ['text']);
  const outputDir = flags.outputDir ?? (flags.output ? undefined : config.outputDir);
  const plan = planOutputs(formatters, {
    formats,
    ...(flags.output ? { output: flags.output } : {}),
    ...(outputDir ? { outputDir } : {}),
    basename: REPORT_BASENAME,
  });
  // Refuse an output that cannot be written before the (possibly long) evaluation, not after it.
  await checkPlannedOutputs(plan);
  // What none of the run's outputs show is not made (at 100k principals: an evidence summary per pass, a hash per
  // result).
  const needs = plan.outputs.map(({ formatter }) => needsOf(formatter));

  // Loading and evaluating happen in a function of their own, so that the parsed snapshot (the largest thing in
  // memory) can be collected while the reports are written: only the results, which hold no reference to it, remain.
  const { report, lineIndexes, summary } = await (async () => {
    progress.status(`loading ${snapshots.length} snapshot file${snapshots.length === 1 ? '' : 's'}`);
    const locates = needs.some((n) => n.snapshotLines);
    const loaded = await loadSnapshots(snapshots, flags.maxInputSize, {
      lineIndex: locates,
      verifyDigest: true,
      scopeKinds: declaredScopeKinds(),
    });
    debug(
      `loaded ${snapshots.join(', ')}: ${loaded.snapshot.principals.length} principals, ${loaded.snapshot.roles.length} roles, ${loaded.snapshot.controls.length} controls, ${loaded.snapshot.hosts.length} hosts`,
    );
    progress.status('loading checks');
    // The project's parameter values (the named administrators) are bound to every check that declares them.
    const all = applyParameters(
      await loadChecks({
        paths: [...(config.policies ?? []), ...flags.policies],
        builtIn: flags.builtinPolicies && config.builtinPolicies !== false,
      }),
      config.parameters,
      config.file,
    );
    const checks = selectChecks(all, flags.checks.length > 0 ? flags.checks : (config.checks ?? []), [
      ...(config.skipChecks ?? []),
      ...flags.skipChecks,
    ]);
    const waiversFile = flags.waivers ?? config.waivers;
    if (flags.plan) assertNoBaselineWithPlan(flags.baseline);
    else if (flags.raw.length > 0 || flags.planDir)
      throw new UserError(`${flags.raw.length > 0 ? '--raw' : '--plan-dir'} only applies with --plan`, {
        hint: 'add --plan PLAN.json (the output of `terraform show -json PLANFILE`)',
      });
    // With --plan the baseline is the snapshot before the plan; a project file's baseline does not apply.
    const baselineFile = flags.plan ? undefined : (flags.baseline ?? config.baseline);
    // One report time for the whole run: waiver lifetimes and expiry, and the data's age, are judged against it.
    const generatedAt = reportTime();
    // Waivers may name any loaded check, also one left out by --checks/--skip-checks this time.
    const maxWaiverDays = flags.maxWaiverDays ?? config.maxWaiverDays ?? DEFAULT_MAX_WAIVER_DAYS;
    const waivers = waiversFile
      ? await loadWaivers(
          waiversFile,
          all.map((c) => c.id),
          { now: generatedAt, maxDays: maxWaiverDays },
        )
      : undefined;
    const baseline = baselineFile ? await loadReport(baselineFile) : undefined;
    debug(
      `${all.length} checks loaded, ${checks.length} selected${waivers ? `, ${waivers.length} waivers` : ''}${baseline ? `, baseline ${baseline.file}` : ''}`,
    );
    progress.status(`evaluating ${checks.length} checks`);
    const input = {
      loaded,
      checks,
      gate: {
        failOn: flags.failOn ?? config.failOn ?? 'high',
        minScore: flags.minScore ?? config.minScore ?? null,
        allowUnknown: flags.allowUnknown ?? config.allowUnknown ?? false,
        failOnNewOnly: flags.failOnNewOnly ?? config.failOnNewOnly ?? false,
        ...(config.file ? { config: gateConfig(config, flags) } : {}),
      },
      generatedAt,
      ...((flags.maxAge ?? config.maxAge) !== undefined ? { maxAgeDays: flags.maxAge ?? config.maxAge } : {}),
      ...(waivers ? { waivers } : {}),
      // A what-if audit compares findings by fingerprint, so it fingerprints its findings anyway.
      omit: {
        passEvidence: needs.every((n) => !n.passEvidence),
        // Formats without passing evidence show a failure's only in text's --verbose.
        evidence: !flags.verbose && needs.every((n) => !n.passEvidence),
        fingerprints: needs.every((n) => !n.fingerprints),
      },
    };
    const audited: { judgement: Judgement; annotate?: (report: Report) => void } = flags.plan
      ? await auditWithPlan(
          input,
          {
            plan: flags.plan,
            raw: flags.raw,
            ...(flags.planDir ? { planDir: flags.planDir } : {}),
            snapshotNames: snapshots,
          },
          (line) => progress.status(line),
        )
      : { judgement: judgeSnapshot({ ...input, ...(baseline ? { baseline } : {}) }) };
    const { judgement } = audited;
    progress.done();
    debug(`evaluated: ${judgement.results.length} results`);
    // Both made on another thread while this one evaluated (a large file's digest too): a modified snapshot stops the
    // audit here, before anything is written, unless --allow-modified.
    const files = await verifyDigests(loaded, flags.allowModified ?? false);
    const indexes = locates ? await snapshotLineIndexes(loaded) : undefined;
    const audit = reportJudgement(judgement, files);
    audited.annotate?.(audit);
    return { report: audit, lineIndexes: indexes, summary: judgement.verdict.summary };
  })();

  const context: Omit<FormatContext, 'color'> = {
    ...(lineIndexes ? { lineIndexes } : {}),
    verbose: Boolean(flags.verbose),
    quiet: Boolean(flags.quiet),
    sarifCategory: flags.sarifCategory ?? config.sarifCategory ?? 'cloudward',
    warn: (message: string) => process.stderr.write(`cloudward: warning: ${safeText(message)}\n`),
  };
  // A compliance view is drawn from every result, before any show filter.
  if (framework) report.compliance = complianceView(framework, report.checks, report.results);
  // The show filters trim what human formats list; the scorecard, summary and gate stay those of every result.
  const shown = filter ? { ...report, results: report.results.filter(filter.keep) } : report;
  if (filter) context.filter = filter.text;
  await writePlannedOutputs(plan, {
    render: (formatter, path) => {
      const view = needsOf(formatter).filters ? shown : report;
      // Files never depend on -q: they are the record; -q only trims what reaches the terminal.
      if (path) return formatter.render(view, { ...context, quiet: false, color: false, outputPath: path });
      return formatter.render(view, {
        ...context,
        color: formatter.name === 'text' && colorEnabled(process.stdout, flags.color),
      });
    },
    quiet: Boolean(flags.quiet),
    // With --output-dir the scorecard still goes to the terminal; the files hold the full reports.
    summary: () =>
      textFormatter.render(shown, { ...context, color: colorEnabled(process.stdout, flags.color) }) as string,
  });
  process.stderr.write(`${safeText(summary)}\n`);
  return report.gate!.passed ? 0 : 1;
}

export function auditCommand(): Command {
  const command = new Command('audit')
    .description('evaluate the checks against one or more snapshots, score them and apply the gate')
    .argument(
      '[snapshot...]',
      'snapshot files, several are merged; - reads one from stdin (default: `snapshots` in cloudward.yaml)',
    );
  addPolicyOptions(command)
    .option(
      '-f, --format <names>',
      `output format(s), comma-separated or repeated: ${formatters.map((f) => f.name).join(', ')} (default: text)`,
      collectList,
      [],
    )
    .option('-o, --output <file>', 'write the (single) format to this file instead of stdout')
    .option('--output-dir <dir>', 'write every format to DIR/cloudward.<ext> (and print the scorecard)')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'fail the gate on results at or above this severity: critical, high, medium, low, none (default: high)',
      ).argParser(parseSeverityThreshold),
    )
    .option('--min-score <n>', 'fail the gate when the overall score is below N (0-100)', parseScore)
    .option('--allow-unknown', 'do not fail the gate on results that could not be assessed (collection gaps)')
    .option(
      '--baseline <report.json>',
      'a previous JSON report: mark results new or unchanged against it and list the fixed ones',
    )
    .option(
      '--fail-on-new-only',
      'fail the gate only on results that are new against --baseline (or, with --plan, against the snapshot before the plan)',
    )
    .option(
      '--plan <plan.json>',
      'what-if: apply this Terraform/OpenTofu plan (`terraform show -json PLANFILE`) to the snapshot, audit the result and compare it with the snapshot as it is',
    )
    .option(
      '--raw <path>',
      'with --plan: the raw documents the snapshot was made from (a `collect --raw-out` folder or the exports `import` read); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
      [],
    )
    .option(
      '--plan-dir <dir>',
      "with --plan: the Terraform root module folder, to locate resources in .tf files (default: the plan file's folder)",
    )
    .option(
      '--waivers <file>',
      'accepted risks (YAML, schemas/waivers.schema.json): matching results become waived until the waiver expires',
    )
    .option(
      '--sarif-category <name>',
      'SARIF automation category, one per analysis (default: cloudward)',
      parseSarifCategory,
    )
    .option(
      '--allow-modified',
      'audit a snapshot no digest vouches for (edited after collection, without a digest, or merged from such files); the reports say it is unverified',
    )
    .option(
      '--max-age <days>',
      "warn in every report when the snapshot's data is older than this many days at the report time (default: 7; the gate is not changed)",
      parseDays,
    )
    .option(
      '--max-waiver-days <days>',
      'refuse waivers that expire more than this many days after the report time (default: 365)',
      parseDays,
    )
    .option('--max-input-size <MiB>', 'refuse snapshot files larger than this many MiB (default: 1024)', parseSizeMiB)
    .option('-c, --config <file>', 'project file (default: cloudward.yaml found from the working directory upward)')
    .option('--no-config', 'ignore any cloudward.yaml')
    .option('--no-color', 'no ANSI colour (also: NO_COLOR)')
    .option(
      '--severity <list>',
      'list only results of these severities in text, markdown, html and csv (comma-separated); the score and the gate still count every result',
      collectList,
      [],
    )
    .option(
      '--status <list>',
      'list only results of these statuses (fail, unknown, waived, pass) in text, markdown, html and csv; the score and the gate still count every result',
      collectList,
      [],
    )
    .option(
      '--compliance <framework>',
      `add a compliance view: per control pass, fail, unknown or not covered (${FRAMEWORK_IDS.join(', ')})`,
    )
    .option(
      '-q, --quiet',
      'terminal only: the scorecard and failing results, no not-assessed, gaps or waived lists, no progress (files are unaffected)',
    )
    .option('-v, --verbose', 'every result with its evidence; stack traces for internal errors')
    .addHelpText(
      'after',
      `
Examples:
  $ cloudward audit snapshot.json
  $ cloudward audit snapshot.json --format sarif --output cloudward.sarif
  $ cloudward audit aws.json azure.json --output-dir reports --format text,json,sarif,html
  $ cloudward audit snapshot.json --fail-on critical --min-score 80
  $ cloudward audit snapshot.json --policies ./our-policies --skip-checks aws-root-hardware-mfa
  $ cloudward audit snapshot.json --baseline main-report.json --fail-on-new-only --waivers waivers.yaml
  $ cloudward audit aws.json --plan plan.json --raw raw/aws --fail-on-new-only --format markdown
  $ cloudward audit snapshot.json --severity critical,high --status fail
  $ cloudward audit snapshot.json --compliance cis-aws-v5.0.0 --format html --output cis.html
  $ cloudward collect aws | cloudward audit - --format csv --output findings.csv

Every flag can also be set as CLOUDWARD_<FLAG> (e.g. CLOUDWARD_FAIL_ON=critical), in every command; the command line wins.

Exit codes: 0 gate passed (or not applied), 1 gate failed, 2 usage, input or tool error.`,
    )
    .action(async (snapshots: string[], flags: AuditFlags) => {
      outcome.code = await runAudit(snapshots, flags);
    });
  return command;
}
