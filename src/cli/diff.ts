import { Command, Option } from 'commander';
import { loadReport } from '../report/read.js';
import { diffReports } from '../report/compare.js';
import { DIFF_FORMATS, renderDiff, type DiffFormat } from '../report/diff.js';
import { writeFileAtomic } from '../util/files.js';
import { outcome } from './outcome.js';

/** Compares two JSON reports and prints what changed; exit 0 whatever changed (the gate is `audit`'s job). */
async function runDiff(older: string, newer: string, flags: { format: DiffFormat; output?: string }): Promise<number> {
  const diff = diffReports(await loadReport(older, 'report'), await loadReport(newer, 'report'));
  const text = renderDiff(diff, flags.format);
  if (flags.output) await writeFileAtomic(flags.output, text, 0o644, { flag: '--output', createParent: false });
  else process.stdout.write(text);
  return 0;
}

export function diffCommand(): Command {
  return new Command('diff')
    .description(
      'show what changed between two JSON reports: new and fixed findings, status changes, score deltas per mitigation and measure',
    )
    .argument('<older>', 'the earlier report (cloudward audit --format json)')
    .argument('<newer>', 'the later report')
    .addOption(new Option('-f, --format <name>', 'output format').choices([...DIFF_FORMATS]).default('text'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      `
Findings are matched by check id and resource uid. "new": failing, unknown or waived now, absent or passing before;
"fixed": the other way round; "status changes": a finding in both whose status changed (e.g. waived -> fail).

Examples:
  $ cloudward diff reports/main.json reports/cloudward.json
  $ cloudward diff last-week.json today.json --format markdown --output diff.md

Exit codes: 0 compared (whatever changed), 2 usage or input error (e.g. a file that is not a cloudward JSON report).`,
    )
    .action(async (older: string, newer: string, flags: { format: DiffFormat; output?: string }) => {
      outcome.code = await runDiff(older, newer, flags);
    });
}
