import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { displayPath, loadChecks, selectChecks } from '../engine/load-checks.js';
import type { Check } from '../engine/types.js';
import { complianceView, FRAMEWORK_IDS, getFramework, totalsText } from '../report/compliance.js';
import { describeCheck } from '../report/model.js';
import { addPolicyOptions } from './audit.js';
import { safeLines } from '../util/terminal.js';

interface ChecksFlags {
  policies: string[];
  builtinPolicies: boolean;
  checks: string[];
  skipChecks: string[];
  format: 'text' | 'json';
  mitigation?: string;
  provider?: string;
  compliance?: string;
}

/** `checks list --compliance`: the framework's controls and the checks that cover each, or "not covered". */
function complianceText(checks: Check[], framework: string): string {
  const view = complianceView(framework, checks.map(describeCheck));
  const width = Math.max(...view.controls.map((x) => x.id.length));
  const lines = view.controls.map(
    (x) =>
      `${x.id.padEnd(width)}  ${(x.checks.length > 0 ? 'covered' : 'not covered').padEnd(11)}  ${x.title}${x.checks.length > 0 ? `\n${' '.repeat(width + 15)}${x.checks.join(', ')}` : ''}`,
  );
  return `${view.title}\n${lines.join('\n')}\n${totalsText(view)}\n`;
}

async function load(flags: ChecksFlags): Promise<Check[]> {
  const all = await loadChecks({ paths: flags.policies, builtIn: flags.builtinPolicies });
  if (flags.provider !== undefined) {
    const known = [...new Set(all.flatMap((c) => c.providers ?? []))].sort();
    if (!known.includes(flags.provider))
      throw new UserError(`unknown provider "${flags.provider}"`, {
        where: '--provider',
        hint: `use one of: ${known.join(', ')}`,
      });
  }
  return selectChecks(all, flags.checks, flags.skipChecks).filter(
    (c) =>
      (!flags.mitigation || c.mitigation === flags.mitigation) &&
      (!flags.provider || (c.providers ?? []).includes(flags.provider)),
  );
}

function listText(checks: Check[]): string {
  const width = Math.max(10, ...checks.map((c) => c.id.length));
  const lines = checks.map(
    (c) => `${c.id.padEnd(width)}  ${c.severity.padEnd(8)}  ${`${c.mitigation}/${c.measure}`.padEnd(44)}  ${c.title}`,
  );
  return `${lines.join('\n')}\n${checks.length} checks\n`;
}

function showText(check: Check): string {
  const cis = Object.entries(check.references.cis ?? {}).map(([b, ids]) => `${b} ${ids.join(', ')}`);
  return [
    `${check.id} — ${check.title}`,
    '',
    `severity:    ${check.severity}`,
    `mitigation:  ${check.mitigation} / ${check.measure}`,
    `technique:   ${check.technique}`,
    `resource:    ${check.resource}${check.providers ? ` (${check.providers.join(', ')})` : ''}`,
    `needs:       ${(check.needs ?? []).join(', ') || '—'}`,
    `CIS:         ${cis.join('; ') || '—'}`,
    `NIST:        ${check.references.nist.join(', ')}`,
    ...(check.references.url ? [`more:        ${check.references.url}`] : []),
    ...Object.entries(check.parameters ?? {}).map(
      ([name, p]) =>
        `parameter:   ${name} (default: ${(p.default ?? []).join(', ') || 'none'}; set it under parameters: in cloudward.yaml) — ${p.description.trim()}`,
    ),
    `file:        ${displayPath(check.file)}:${check.line}`,
    `test cases:  ${check.tests.length}`,
    '',
    check.description.trim(),
    '',
    `Remediation: ${check.remediation.trim()}`,
    '',
  ].join('\n');
}

export function checksCommand(): Command {
  const command = new Command('checks')
    .description('list the loaded checks, or show one')
    .addHelpText(
      'after',
      '\nExamples:\n  $ cloudward checks\n  $ cloudward checks list --provider aws\n  $ cloudward checks show aws-root-mfa-enabled',
    );
  const formatOption = () => new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text');
  const list = addPolicyOptions(
    new Command('list').description('list every loaded check (id, severity, mitigation/measure, title)'),
  )
    .addOption(formatOption())
    .addOption(new Option('--mitigation <id>', 'only checks of this mitigation').choices(['M1026', 'M1038']))
    .option('--provider <name>', 'only checks pinned to this provider')
    .option(
      '--compliance <framework>',
      `list the framework's controls and the checks covering each (${FRAMEWORK_IDS.join(', ')})`,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ cloudward checks list\n  $ cloudward checks list --compliance cis-aws-v5.0.0\n  $ cloudward checks list --mitigation M1038 --format json\n  $ cloudward checks list --policies ./our-policies',
    )
    .action(async (flags: ChecksFlags) => {
      const checks = await load(flags);
      if (flags.compliance) {
        getFramework(flags.compliance);
        process.stdout.write(
          flags.format === 'json'
            ? `${JSON.stringify(complianceView(flags.compliance, checks.map(describeCheck)), null, 2)}\n`
            : safeLines(complianceText(checks, flags.compliance)),
        );
        return;
      }
      process.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify(checks.map(describeCheck), null, 2)}\n`
          : safeLines(listText(checks)),
      );
    });
  const show = addPolicyOptions(
    new Command('show').description('show one check: what it tests, why, how to fix, references'),
  )
    .argument('<id>', 'check id')
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ cloudward checks show aws-root-mfa-enabled\n  $ cloudward checks show azure-privileged-users-mfa-registered --format json',
    )
    .action(async (id: string, flags: ChecksFlags) => {
      const checks = await load({ ...flags, checks: [] });
      const check = selectChecks(checks, [id])[0];
      if (!check) throw new UserError(`unknown check id "${id}"`, { hint: 'run `cloudward checks list`' });
      process.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify({ ...describeCheck(check), where: check.where ?? {}, require: check.require, needs: check.needs ?? [], ...(check.parameters ? { parameters: check.parameters } : {}), tests: check.tests }, null, 2)}\n`
          : safeLines(showText(check)),
      );
    });
  command.addCommand(list, { isDefault: true });
  command.addCommand(show);
  return command;
}
