import { Command, Option } from 'commander';
import pc from 'picocolors';
import { runRuleCases } from '../detect/cases.js';
import { loadRules } from '../detect/rules.js';
import { assertsWhatUsersRead, runCheckCases, type CaseOutcome } from '../engine/cases.js';
import { displayPath, loadChecks, selectChecks } from '../engine/load-checks.js';
import { outcome } from './outcome.js';
import { colorEnabled } from './progress.js';
import { safeText } from '../util/terminal.js';

/** One test case's outcome as printed: a check's expected status, or a detection rule's expected finding count. */
type CaseLine = Omit<CaseOutcome, 'expected' | 'actual'> & { expected: string; actual: string };

interface TestFlags {
  checks: string[];
  rules: string[];
  format: 'text' | 'json';
  color?: boolean;
  verbose?: boolean;
}

export function testCommand(): Command {
  return new Command('test')
    .description('run the test cases embedded in checks: every case must get its expected status')
    .argument('[path...]', 'policy folders or check files (default: the built-in checks)')
    .option(
      '--checks <ids>',
      'only these check ids (comma-separated)',
      (v: string, p: string[] = []) => [...p, ...v.split(',')],
      [],
    )
    .option(
      '--rules <path>',
      'detection rule folder or file whose test events to run as well (repeatable; default with no path: the built-in rules)',
      (v: string, p: string[] = []) => [...p, v],
      [],
    )
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .option('--no-color', 'no ANSI colour')
    .option('-v, --verbose', 'list passing cases too')
    .addHelpText(
      'after',
      '\nExamples:\n  $ cloudward test\n  $ cloudward test ./our-policies\n  $ cloudward test policies/aws/aws-root-mfa-enabled.yaml\n  $ cloudward test ./our-policies --rules ./our-detections\n\nA failing case can pin what users read: failed: [/json/pointer] (its failing JSON pointers) and message: "..." (the rendered message, exactly); every built-in check has one. A detection rule test can list findings: [{ actor, group, message }] (which findings it raises, for whom).\n\nWith no path and no --checks, the test events of the built-in detection rules run too (each must raise its expected number of findings).\n\nExit codes: 0 all cases passed, 1 a case failed, 2 a check file is invalid.',
    )
    .action(async (paths: string[], flags: TestFlags) => {
      const checks = selectChecks(await loadChecks(paths.length > 0 ? { paths, builtIn: false } : {}), flags.checks);
      // Detection rules carry test events too: the built-in ones run with the built-in checks, a user's with --rules.
      const builtInRules = paths.length === 0 && flags.checks.length === 0;
      const rules =
        builtInRules || flags.rules.length > 0 ? await loadRules({ paths: flags.rules, builtIn: builtInRules }) : [];
      const ruleOutcomes: CaseLine[] = rules.flatMap(runRuleCases).map((o) => ({
        checkId: o.ruleId,
        file: o.file,
        name: o.name,
        expected: `${o.expected} finding${o.expected === 1 ? '' : 's'}`,
        actual: o.actual < 0 ? 'an unreadable test record' : `${o.actual} finding${o.actual === 1 ? '' : 's'}`,
        ok: o.ok,
        detail: o.detail,
        ...(o.problems ? { problems: o.problems } : {}),
      }));
      const outcomes: CaseLine[] = [...checks.flatMap(runCheckCases), ...ruleOutcomes];
      const failed = outcomes.filter((o) => !o.ok);
      if (flags.format === 'json') {
        process.stdout.write(
          `${JSON.stringify({ checks: checks.length, rules: rules.length, passed: outcomes.length - failed.length, failed: failed.length, cases: outcomes }, null, 2)}\n`,
        );
      } else {
        const c = pc.createColors(colorEnabled(process.stdout, flags.color));
        for (const o of outcomes) {
          if (o.ok && !flags.verbose) continue;
          const mark = o.ok ? c.green('ok  ') : c.red('FAIL');
          process.stdout.write(`${mark} ${safeText(o.checkId)}: ${safeText(o.name)}\n`);
          if (!o.ok) {
            if (o.actual !== o.expected)
              process.stdout.write(c.dim(`     expected ${o.expected}, got ${o.actual} — ${safeText(o.detail)}\n`));
            for (const problem of o.problems ?? []) process.stdout.write(c.dim(`     ${safeText(problem)}\n`));
            process.stdout.write(c.dim(`     ${safeText(displayPath(o.file))}\n`));
          }
        }
        // Not a failure (a user's checks may predate it), but every built-in check pins what users read; say how.
        const unpinned = checks.filter((check) => !assertsWhatUsersRead(check)).map((check) => safeText(check.id));
        if (unpinned.length > 0) {
          const shown =
            unpinned.length > 5
              ? `${unpinned.slice(0, 5).join(', ')} and ${unpinned.length - 5} more`
              : unpinned.join(', ');
          process.stdout.write(
            c.dim(
              `note: ${unpinned.length} check${unpinned.length === 1 ? ' has' : 's have'} no failing case that pins its message and failing pointers (add failed: and message: to one; docs/checks.md, "Test cases"): ${shown}\n`,
            ),
          );
        }
        process.stdout.write(
          `${checks.length} checks${rules.length > 0 ? `, ${rules.length} detection rules` : ''}, ${outcomes.length} cases\n${outcomes.length - failed.length} passed, ${failed.length} failed\n`,
        );
      }
      outcome.code = failed.length > 0 ? 1 : 0;
    });
}
