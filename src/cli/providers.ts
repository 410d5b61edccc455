import { counted, safeText } from '../util/terminal.js';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { providers, getProvider } from '../providers/index.js';
import type { ProviderAdapter, RawBundle } from '../providers/types.js';
import { assembleSnapshot, writeSnapshot } from '../snapshot/load.js';
import { checkOutputs } from '../util/files.js';
import { createProgress } from './progress.js';

interface SnapshotOutFlags {
  output?: string;
  quiet?: boolean;
  collectedAt?: string;
  [key: string]: unknown;
}

function parseCollectedAt(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new UserError(`--collected-at "${value}" is not an ISO 8601 date-time`, { hint: 'e.g. 2026-11-01T09:00:00Z' });
  }
  return new Date(value).toISOString();
}

/** Writes the snapshot to --output (mode 0600) or stdout, and says what it holds on stderr. */
async function emitSnapshot(adapter: ProviderAdapter, bundles: RawBundle[], flags: SnapshotOutFlags): Promise<void> {
  const part = adapter.normalize(bundles);
  const collectedAt = parseCollectedAt(flags.collectedAt) ?? bundles.map((b) => b.collectedAt).sort().at(-1) ?? new Date().toISOString();
  const snapshot = assembleSnapshot([part], collectedAt);
  if (flags.output) await writeSnapshot(flags.output, snapshot);
  else process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  const gaps = snapshot.sources.reduce((n, s) => n + s.gaps.length, 0);
  if (!flags.quiet) {
    process.stderr.write(
      `cloudward: ${adapter.name}: ${counted(snapshot.sources.length, 'source')}, ${counted(snapshot.principals.length, 'principal')}, ${counted(snapshot.roles.length, 'role')}, ${counted(snapshot.controls.length, 'control')}, ${counted(snapshot.hosts.length, 'host')}, ${counted(gaps, 'gap')}${flags.output ? ` -> ${safeText(flags.output)}` : ''}\n`,
    );
  }
}

export function collectCommand(): Command {
  const command = new Command('collect')
    .description('take a read-only snapshot of a provider, live (see `cloudward permissions <provider>` for what it needs)')
    .addHelpText('after', `\nProviders: ${providers.filter((p) => p.collect).map((p) => p.name).join(', ') || 'none'}\n\nExamples:\n  $ cloudward collect aws --profile audit --output aws.json\n  $ cloudward collect linux --output host.json`);
  for (const adapter of providers.filter((p) => p.collect)) {
    const sub = new Command(adapter.name)
      .description(`collect ${adapter.title}`)
      .addHelpText('after', `\nExamples:\n  $ cloudward collect ${adapter.name} --output ${adapter.name}.json\n  $ cloudward collect ${adapter.name} --quiet > ${adapter.name}.json\n\nExit codes: 0 collected (gaps are recorded in the snapshot), 2 usage, input or tool error.`);
    for (const option of adapter.collectOptions) sub.option(option.flags, option.description, option.defaultValue);
    sub
      .option('-o, --output <file>', 'write the snapshot here (mode 0600) instead of stdout')
      .option('--raw-out <dir>', 'also keep the raw documents read, as evidence')
      .option('--collected-at <date-time>', 'override the snapshot time (default: now)')
      .option('-q, --quiet', 'no progress')
      .action(async (flags: SnapshotOutFlags) => {
        // A live collection can take minutes: refuse an output that cannot be written before it starts.
        if (flags.output) await checkOutputs([{ path: flags.output, flag: '--output', createParent: false }]);
        const progress = createProgress({ quiet: Boolean(flags.quiet) });
        const bundles = await adapter.collect!({ options: flags, progress, ...(typeof flags.rawOut === 'string' ? { rawOut: resolve(flags.rawOut) } : {}) });
        progress.done();
        await emitSnapshot(adapter, bundles, flags);
      });
    command.addCommand(sub);
  }
  return command;
}

export function importCommand(): Command {
  const command = new Command('import')
    .description("build a snapshot from a provider's exported files (offline; files are recognised by content)")
    .addHelpText('after', `\nProviders: ${providers.map((p) => p.name).join(', ') || 'none'}\n\nExamples:\n  $ cloudward import aws exports/*.json credential-report.csv --output aws.json\n  $ cloudward import windows jump-01.json --output hosts.json`);
  for (const adapter of providers) {
    const sub = new Command(adapter.name)
      .description(`import ${adapter.title} exports`)
      .argument('<file...>', 'exported files')
      .addHelpText('after', `\nExamples:\n  $ cloudward import ${adapter.name} exports/* --output ${adapter.name}.json\n\nExit codes: 0 imported, 2 usage or input error (e.g. a file that is not a recognised export).`);
    for (const option of adapter.importOptions ?? []) sub.option(option.flags, option.description, option.defaultValue);
    sub
      .option('-o, --output <file>', 'write the snapshot here (mode 0600) instead of stdout')
      .option('--collected-at <date-time>', 'the time the exports were taken (default: from the documents)')
      .option('-q, --quiet', 'no summary line')
      .action(async (files: string[], flags: SnapshotOutFlags) => {
        const progress = createProgress({ quiet: Boolean(flags.quiet) });
        const bundles = await adapter.importFiles(files, { options: flags, progress });
        progress.done();
        await emitSnapshot(adapter, bundles, flags);
      });
    command.addCommand(sub);
  }
  return command;
}

/** The AWS policy with the sts:AssumeRole statement naming the role given to --org-role. */
function withOrgRole(provider: string, text: string, role: string): string {
  if (provider !== 'aws') throw new UserError(`--org-role applies to aws only, not ${provider}`, { where: '--org-role' });
  // The same names `collect aws --org-role` accepts: an IAM role name, optionally with a path.
  if (!/^[\w+=,.@/-]{1,64}$/.test(role)) throw new UserError(`"${role}" is not an IAM role name`, { where: '--org-role', hint: 'letters, digits and + = , . @ _ - / only, at most 64 characters' });
  const policy = JSON.parse(text) as { Statement: Array<{ Action: string[]; Resource: string }> };
  for (const statement of policy.Statement) {
    if (statement.Action.includes('sts:AssumeRole')) statement.Resource = `arn:aws:iam::*:role/${role.replace(/^\//, '')}`;
  }
  return JSON.stringify(policy, null, 2);
}

export function permissionsCommand(): Command {
  return new Command('permissions')
    .description('print the least-privilege, read-only permissions collection needs for a provider')
    .argument('<provider>', `one of: ${providers.map((p) => p.name).join(', ') || 'none registered'}`)
    .option('--org-role <name>', 'aws: the role `collect aws --org-role` assumes in member accounts (the policy names CloudwardAudit otherwise)')
    .addHelpText('after', '\nExamples:\n  $ cloudward permissions aws > cloudward-readonly.json\n  $ cloudward permissions aws --org-role SecurityAuditRead')
    .action((name: string, flags: { orgRole?: string }) => {
      const text = getProvider(name).permissions().text;
      process.stdout.write(`${(flags.orgRole === undefined ? text : withOrgRole(name, text, flags.orgRole)).trimEnd()}\n`);
    });
}
