import { Command, InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import type { Severity } from '../engine/types.js';
import { UserError } from '../errors.js';
import { runRuleCases, type RuleCaseOutcome } from '../detect/cases.js';
import { buildDetectReport, detectFormatters, reachesThreshold, renderText } from '../detect/report.js';
import { loadRules, parseDuration, selectRules } from '../detect/rules.js';
import { historyFile, historyNotice, runDetection } from '../detect/run.js';
import { loadRangeTable, rangesAgeWarning, SHIPPED_RANGES } from '../detect/ip-ranges.js';
import { reportTime } from '../report/model.js';
import { checkPlannedOutputs, planOutputs, writePlannedOutputs } from '../report/formatter.js';
import { debug } from '../util/debug.js';
import { safeText } from '../util/terminal.js';
import { resolveConfig, type DetectConfig } from './config.js';
import { collectList, parseSarifCategory, parseSeverityThreshold, parseSizeMiB } from './options.js';
import { outcome } from './outcome.js';
import { colorEnabled } from './progress.js';

interface DetectFlags {
  rules: string[];
  builtinRules: boolean;
  rule: string[];
  format: string[];
  output?: string;
  outputDir?: string;
  failOn?: Severity | 'none';
  since?: number;
  until?: number;
  state?: string;
  maxLateness?: number;
  maxDocumentSize?: number;
  skipBadRecords?: boolean;
  allowEmpty?: boolean;
  ipRanges?: string;
  test?: boolean;
  listRules?: boolean;
  sarifCategory?: string;
  config?: string | false;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * `2026-01-02T03:04:05Z`, `2026-01-02`, or a duration back from the report time (`24h`, `7d`): now, or
 * SOURCE_DATE_EPOCH, so that a pinned run reads the same window it reports.
 */
export function parseTimeBound(value: string): number {
  if (/^[1-9][0-9]*(s|m|h|d)$/.test(value)) return Date.parse(reportTime()) - parseDuration(value);
  const t = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)
    ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
    : NaN;
  if (Number.isNaN(t))
    throw new InvalidArgumentError(
      'use an ISO date-time with zone (2026-01-02T03:00:00Z), a date (2026-01-02) or a duration back from now (24h, 7d)',
    );
  return t;
}

function parseLateness(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError('use a duration such as 5m, 15m, 1h');
  }
}

/** Output files of a detection run are named cloudward-detect.<ext>. */
const BASENAME = 'cloudward-detect';

/** The flags with the `detect:` section of cloudward.yaml under them: a flag (or its variable) wins over the file. */
function withConfig(
  flags: DetectFlags,
  config: DetectConfig,
): DetectFlags & { failOn: Severity | 'none'; maxLateness: number } {
  const maxLateness =
    flags.maxLateness ?? (config.maxLateness ? parseDuration(config.maxLateness) : parseDuration('15m'));
  const outputDir = flags.outputDir ?? (flags.output ? undefined : config.outputDir);
  const sarifCategory = flags.sarifCategory ?? config.sarifCategory;
  const state = flags.state ?? config.state;
  const ipRanges = flags.ipRanges ?? config.ipRanges;
  return {
    ...flags,
    // Rule folders add up, as policy folders do for an audit.
    rules: [...(config.rules ?? []), ...flags.rules],
    builtinRules: flags.builtinRules && config.builtinRules !== false,
    rule: flags.rule.length > 0 ? flags.rule : (config.rule ?? []),
    format: flags.format.length > 0 ? flags.format : (config.formats ?? ['text']),
    failOn: flags.failOn ?? config.failOn ?? 'high',
    maxLateness,
    skipBadRecords: flags.skipBadRecords ?? config.skipBadRecords ?? false,
    allowEmpty: flags.allowEmpty ?? config.allowEmpty ?? false,
    ...(outputDir ? { outputDir } : {}),
    ...(sarifCategory ? { sarifCategory } : {}),
    ...(state ? { state } : {}),
    ...(ipRanges ? { ipRanges } : {}),
  };
}

async function runRuleTests(flags: DetectFlags): Promise<number> {
  const rules = selectRules(await loadRules({ paths: flags.rules, builtIn: flags.builtinRules }), flags.rule);
  const outcomes: RuleCaseOutcome[] = rules.flatMap(runRuleCases);
  const failed = outcomes.filter((o) => !o.ok);
  const c = pc.createColors(colorEnabled(process.stdout, flags.color));
  for (const o of outcomes) {
    if (o.ok && !flags.verbose) continue;
    process.stdout.write(`${o.ok ? c.green('ok  ') : c.red('FAIL')} ${safeText(o.ruleId)}: ${safeText(o.name)}\n`);
    if (!o.ok)
      process.stdout.write(
        c.dim(
          `     expected ${o.expected} finding(s), got ${o.actual} — ${safeText(o.detail)}\n     ${safeText(o.file)}\n`,
        ),
      );
  }
  process.stdout.write(
    `${rules.length} rules, ${outcomes.length} cases\n${outcomes.length - failed.length} passed, ${failed.length} failed\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

async function runDetect(logs: string[], given: DetectFlags): Promise<number> {
  const config = await resolveConfig(given.config);
  if (config.file) debug(`project file ${config.file}`);
  const flags = withConfig(given, config.detect ?? {});
  if (flags.test) return runRuleTests(flags);
  const rules = selectRules(await loadRules({ paths: flags.rules, builtIn: flags.builtinRules }), flags.rule);
  if (flags.listRules) {
    for (const r of rules)
      process.stdout.write(`${safeText(r.id)}  ${r.definition.severity.padEnd(8)}  ${safeText(r.definition.title)}\n`);
    return 0;
  }
  if (logs.length === 0)
    throw new UserError('no log file or folder to read', {
      hint: 'pass CloudTrail, Azure Activity Log, Entra sign-in or GCP audit log exports: `cloudward detect logs/`',
    });
  if (rules.length === 0)
    throw new UserError('no detection rules loaded', { hint: 'drop --no-builtin-rules or add --rules DIR' });
  if (flags.since !== undefined && flags.until !== undefined && flags.since >= flags.until)
    throw new UserError('--since is not before --until', { where: '--since', hint: 'swap the two bounds' });
  const plan = planOutputs(detectFormatters, {
    formats: flags.format,
    ...(flags.output ? { output: flags.output } : {}),
    ...(flags.outputDir ? { outputDir: flags.outputDir } : {}),
    basename: BASENAME,
  });
  // Refuse an output that cannot be written before reading the logs, not after.
  await checkPlannedOutputs(plan);

  // Every run says which ranges it places addresses with (the shipped, dated file unless --ip-ranges names another).
  const ranges = loadRangeTable(flags.ipRanges ?? SHIPPED_RANGES);
  const stale = rangesAgeWarning(ranges, Date.parse(reportTime()), flags.ipRanges);
  const result = await runDetection(logs, rules, {
    ranges,
    ...(stale ? { warnings: [stale] } : {}),
    lateness: flags.maxLateness,
    maxDocumentBytes: flags.maxDocumentSize ?? 1024 * 1024 * 1024,
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.until !== undefined ? { until: flags.until } : {}),
    ...(flags.state ? { stateDir: flags.state } : {}),
  });
  if (result.badCount > 0 && !flags.skipBadRecords) {
    const first = result.bad[0]!;
    const where = `${first.file}:${first.line}${first.index !== undefined ? ` (record ${first.index + 1})` : ''}`;
    throw new UserError(
      `${first.message}${result.badCount > 1 ? `; ${result.badCount} unreadable records in all` : ''}`,
      { where, hint: 'fix or re-export the log, or pass --skip-bad-records to count them and go on' },
    );
  }
  // A scheduled run over logs whose delivery stalled must not pass quietly.
  if (result.stats.events === 0 && !flags.allowEmpty) {
    const read = result.files.reduce((n, f) => n + f.records, 0);
    throw new UserError(
      read > 0
        ? `no events to examine: all ${read} record(s) are outside --since/--until`
        : 'no events to examine: the logs hold no records',
      {
        where: logs.join(', '),
        hint: 'check that the logs are still delivered and the --since/--until window, or pass --allow-empty',
      },
    );
  }
  // Said once the run has a report to put it in (bad input stays one line).
  if (stale) process.stderr.write(`cloudward: warning: ${safeText(stale)}\n`);
  const unkept = historyNotice(rules, result.stats, flags.state);
  if (unkept) process.stderr.write(`cloudward: warning: ${safeText(unkept)}\n`);
  if (!flags.quiet) {
    for (const f of result.files) {
      const dropped = Object.entries(f.dropped);
      const total = dropped.reduce((n, [, c]) => n + c, 0);
      process.stderr.write(
        `cloudward: ${safeText(f.file)}: ${f.used + total} records read, ${f.used} used, ${total} dropped${total > 0 ? ` (${dropped.map(([why, c]) => `${c} ${safeText(why)}`).join(', ')})` : ''}\n`,
      );
    }
    for (const file of result.notLogs)
      process.stderr.write(
        `cloudward: ${safeText(file)}: not read, its name says it is not a log (name it to read it)\n`,
      );
  }
  const report = buildDetectReport({
    rules,
    ...result,
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.until !== undefined ? { until: flags.until } : {}),
  });

  const context = {
    color: false,
    quiet: Boolean(flags.quiet),
    verbose: Boolean(flags.verbose),
    ...(flags.sarifCategory ? { sarifCategory: flags.sarifCategory } : {}),
  };
  await writePlannedOutputs(plan, {
    render: (formatter, path) => formatter.render(report, { ...context, ...(path ? { outputPath: path } : {}) }),
    // The reports and the first-seen history are written together or not at all.
    ...(flags.state ? { also: [historyFile(flags.state, result.history)] } : {}),
    quiet: Boolean(flags.quiet),
    summary: () => renderText(report, { verbose: Boolean(flags.verbose) }),
  });
  const failing = reachesThreshold(report, flags.failOn);
  process.stderr.write(
    `cloudward: ${report.summary.events} events, ${report.summary.findings} finding(s)${flags.failOn === 'none' ? '' : failing ? `; at or above ${flags.failOn}: fail` : `; none at or above ${flags.failOn}: pass`}\n`,
  );
  return failing ? 1 : 0;
}

export function detectCommand(): Command {
  return new Command('detect')
    .description(
      'detect scripted cloud API abuse (ATT&CK T1059.009, DET0078/AN0215) in CloudTrail, Azure Activity Log, Entra sign-in and GCP audit log exports',
    )
    .argument('[logs...]', 'log files or folders (gzip or plain JSON, JSON lines or wrapped; recognised by content)')
    .option('--rules <path>', 'extra detection rule folder or file (repeatable)', collectList, [])
    .option('--no-builtin-rules', 'do not load the rules that ship with cloudward')
    .option('--rule <ids>', 'run only these rule ids (comma-separated, repeatable)', collectList, [])
    .option(
      '-f, --format <names>',
      `output format(s): ${detectFormatters.map((f) => f.name).join(', ')} (default: text)`,
      collectList,
      [],
    )
    .option('-o, --output <file>', 'write the (single) format to this file instead of stdout')
    .option('--output-dir <dir>', `write every format to DIR/${BASENAME}.<ext> (and print the text report)`)
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when a finding is at or above this severity: critical, high, medium, low, none (default: high)',
      ).argParser(parseSeverityThreshold),
    )
    .option(
      '--since <time>',
      'only events at or after this time (ISO date-time, date, or a duration back from now or SOURCE_DATE_EPOCH: 30m, 24h, 7d)',
      parseTimeBound,
    )
    .option('--until <time>', 'only events before this time (the same forms as --since)', parseTimeBound)
    .option('--state <dir>', 'keep first-seen history in DIR between runs (read at start, written with the reports)')
    .addOption(
      new Option(
        '--max-lateness <duration>',
        'how far out of time order events may arrive and still be ordered: a number with s (seconds), m (minutes), h (hours) or d (days) (default: 15m)',
      ).argParser(parseLateness),
    )
    .option(
      '--max-document-size <MiB>',
      'largest file, in MiB, that is one JSON document rather than JSON lines (default: 1024)',
      parseSizeMiB,
    )
    .option('--skip-bad-records', 'count and list unreadable records in the report instead of failing')
    .option(
      '--ip-ranges <file>',
      'cloud address ranges written by `cloudward ranges refresh` (default: the dated file shipped in data/)',
    )
    .option('--allow-empty', 'exit 0 when no event falls in range (by default that is an input error, exit 2)')
    .option('--test', "run the rules' embedded test events instead of reading logs (exit 1 if a case fails)")
    .option('--list-rules', 'list the loaded rules and exit')
    .option('--sarif-category <name>', 'SARIF automation category (default: cloudward-detect)', parseSarifCategory)
    .option(
      '-c, --config <file>',
      'project file whose `detect:` section sets defaults (default: cloudward.yaml found from the working directory upward)',
    )
    .option('--no-config', 'ignore any cloudward.yaml')
    .option('--no-color', 'no ANSI colour (also: NO_COLOR)')
    .option('-q, --quiet', 'no text report when writing --output-dir')
    .option('-v, --verbose', 'every triggering event and unreadable record')
    .addHelpText(
      'after',
      `
Examples:
  $ cloudward detect cloudtrail/ --format sarif --output detect.sarif
  $ cloudward detect activity.json signins.json.gz gcp-audit.jsonl --output-dir reports --format text,json,ocsf
  $ cloudward detect logs/ --since 24h --state .cloudward-state --fail-on medium
  $ cloudward detect --test --rules ./our-detections

Every flag can also be set as CLOUDWARD_DETECT_<FLAG> (e.g. CLOUDWARD_DETECT_FAIL_ON=medium), or in the detect:
section of cloudward.yaml; the command line wins. SOURCE_DATE_EPOCH pins the report time.

Exit codes: 0 no finding at or above --fail-on (default high), 1 there is one (or a rule test failed), 2 usage, input or tool error.`,
    )
    .action(async (logs: string[], flags: DetectFlags) => {
      outcome.code = await runDetect(logs, flags);
    });
}
