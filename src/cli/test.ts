import { Command, Option } from 'commander';
import pc from 'picocolors';
import { runCheckCases, type CaseOutcome } from '../engine/cases.js';
import { displayPath, loadChecks, selectChecks } from '../engine/load-checks.js';
import { outcome } from './outcome.js';
import { colorEnabled } from './progress.js';
import { safeText } from '../util/terminal.js';

interface TestFlags {
  checks: string[];
  format: 'text' | 'json';
  color?: boolean;
  verbose?: boolean;
}

export function testCommand(): Command {
  return new Command('test')
    .description('run the test cases embedded in checks: every case must get its expected status')
    .argument('[path...]', 'policy folders or check files (default: the built-in checks)')
    .option('--checks <ids>', 'only these check ids (comma-separated)', (v: string, p: string[] = []) => [...p, ...v.split(',')], [])
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .option('--no-color', 'no ANSI colour')
    .option('-v, --verbose', 'list passing cases too')
    .addHelpText('after', '\nExamples:\n  $ cloudward test\n  $ cloudward test ./our-policies\n  $ cloudward test policies/aws/aws-root-mfa-enabled.yaml\n\nExit codes: 0 all cases passed, 1 a case failed, 2 a check file is invalid.')
    .action(async (paths: string[], flags: TestFlags) => {
      const checks = selectChecks(await loadChecks(paths.length > 0 ? { paths, builtIn: false } : {}), flags.checks);
      const outcomes: CaseOutcome[] = checks.flatMap(runCheckCases);
      const failed = outcomes.filter((o) => !o.ok);
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ checks: checks.length, passed: outcomes.length - failed.length, failed: failed.length, cases: outcomes }, null, 2)}\n`);
      } else {
        const c = pc.createColors(colorEnabled(process.stdout, flags.color));
        for (const o of outcomes) {
          if (o.ok && !flags.verbose) continue;
          const mark = o.ok ? c.green('ok  ') : c.red('FAIL');
          process.stdout.write(`${mark} ${safeText(o.checkId)}: ${safeText(o.name)}\n`);
          if (!o.ok) {
            if (o.actual !== o.expected) process.stdout.write(c.dim(`     expected ${o.expected}, got ${o.actual} — ${safeText(o.detail)}\n`));
            for (const problem of o.problems ?? []) process.stdout.write(c.dim(`     ${safeText(problem)}\n`));
            process.stdout.write(c.dim(`     ${safeText(displayPath(o.file))}\n`));
          }
        }
        process.stdout.write(`${checks.length} checks, ${outcomes.length} cases\n${outcomes.length - failed.length} passed, ${failed.length} failed\n`);
      }
      outcome.code = failed.length > 0 ? 1 : 0;
    });
}
