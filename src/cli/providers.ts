import { counted, safeText } from '../util/terminal.js';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { validateOptions, type OptionRun } from '../providers/cloud/options.js';
import { parseShard } from '../providers/cloud/shard.js';
import { declaredScopeKinds, getProvider, registeredProviders } from '../providers/index.js';
import type { CollectContext, ProviderAdapter, ProviderOption, RawBundle } from '../providers/types.js';
import type { SnapshotPart } from '../snapshot/model.js';
import { assembleSnapshot, writeSnapshot } from '../snapshot/load.js';
import { SnapshotSpool, type SpoolCounts } from '../snapshot/spool.js';
import { parseCollectedAt } from './options.js';
import { checkOutputs } from '../util/files.js';
import { createProgress } from './progress.js';
import { accountsByOrigin, dropsOf, itemLine, relativeItemOrigins } from '../providers/cloud/ledger.js';

interface SnapshotOutFlags {
  output?: string;
  quiet?: boolean;
  /** Already parsed by parseCollectedAt (commander runs it as the option's parser). */
  collectedAt?: string;
  shard?: string;
  rawOut?: string;
  strict?: boolean;
  [key: string]: unknown;
}

/** Whether an adapter reads several cloud scopes (accounts, subscriptions, projects), so `--shard` applies. */
function multiScope(adapter: ProviderAdapter): boolean {
  return adapter.scopeKinds.some((kind) => kind !== 'host');
}

function addOptions(command: Command, options: readonly ProviderOption[]): void {
  for (const option of options) {
    const flag = new Option(option.flags, option.description);
    if (option.defaultValue !== undefined) flag.default(option.defaultValue);
    // A deprecated name still works (with a warning) but is no longer offered.
    if (option.deprecated) flag.hideHelp();
    command.addOption(flag);
  }
}

/** Where validateOptions says a deprecated flag was used, and which flags the user set rather than left at default. */
function optionRun(command: Command): OptionRun {
  return {
    warn: (line) => process.stderr.write(`${line}\n`),
    given: (key) => ![undefined, 'default'].includes(command.getOptionValueSource(key)),
  };
}

/** Says what a snapshot holds, on stderr. */
function summarize(adapter: ProviderAdapter, counts: SpoolCounts, flags: SnapshotOutFlags): void {
  if (flags.quiet) return;
  process.stderr.write(
    `cloudward: ${adapter.name}: ${counted(counts.sources, 'source')}, ${counted(counts.principals, 'principal')}, ${counted(counts.roles, 'role')}, ${counted(counts.controls, 'control')}, ${counted(counts.hosts, 'host')}, ${counted(counts.gaps, 'gap')}${flags.output ? ` -> ${safeText(flags.output)}` : ''}\n`,
  );
}

/** Writes the snapshot to --output (mode 0600) or stdout, and says what it holds on stderr. */
async function emitSnapshot(
  adapter: ProviderAdapter,
  parts: SnapshotPart[],
  bundleTimes: string[],
  flags: SnapshotOutFlags,
): Promise<void> {
  const collectedAt = flags.collectedAt ?? bundleTimes.sort().at(-1) ?? new Date().toISOString();
  const snapshot = assembleSnapshot(parts, collectedAt, declaredScopeKinds());
  if (flags.output) await writeSnapshot(flags.output, snapshot);
  else process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  const count = (kind: 'sources' | 'principals' | 'roles' | 'controls' | 'hosts') => snapshot[kind].length;
  summarize(
    adapter,
    {
      sources: count('sources'),
      principals: count('principals'),
      roles: count('roles'),
      controls: count('controls'),
      hosts: count('hosts'),
      gaps: snapshot.sources.reduce((n, s) => n + s.gaps.length, 0),
    },
    flags,
  );
}

/**
 * One line per file given (stderr): items read, used, skipped and dropped with the reasons. A file the adapter does
 * not itemise says so rather than nothing.
 */
function importedItemLines(adapter: ProviderAdapter, files: string[], part: SnapshotPart): string[] {
  const accounts = accountsByOrigin(part.sources);
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    const account = accounts.get(file);
    lines.push(
      `cloudward: ${adapter.name}: ${safeText(account ? itemLine(account) : `${file}: no items accounted for (an empty export, or an importer that does not count its items yet)`)}`,
    );
  }
  // Inputs named inside a file (a collector bundle's documents) are listed after the files.
  for (const [origin, account] of accounts)
    if (!seen.has(origin)) lines.push(`cloudward: ${adapter.name}: ${safeText(itemLine(account))}`);
  return lines;
}

export function collectCommand(): Command {
  const command = new Command('collect')
    .description(
      'take a read-only snapshot of a provider, live (see `cloudward permissions <provider>` for what it needs)',
    )
    .addHelpText(
      'after',
      `\nProviders: ${
        registeredProviders()
          .filter((p) => p.collect)
          .map((p) => p.name)
          .join(', ') || 'none'
      }\n\nExamples:\n  $ cloudward collect aws --profile audit --output aws.json\n  $ cloudward collect aws --org-role CloudwardAudit --shard 2/8 --output aws-2.json\n  $ cloudward collect linux --output host.json`,
    );
  for (const adapter of registeredProviders().filter((p) => p.collect)) {
    const sub = new Command(adapter.name)
      .description(`collect ${adapter.title}`)
      .addHelpText(
        'after',
        `\nExamples:\n  $ cloudward collect ${adapter.name} --output ${adapter.name}.json\n  $ cloudward collect ${adapter.name} --quiet > ${adapter.name}.json\n\nExit codes: 0 collected (gaps are recorded in the snapshot), 2 usage, input or tool error.`,
      );
    addOptions(sub, adapter.collectOptions);
    sub
      .option('-o, --output <file>', 'write the snapshot here (mode 0600) instead of stdout')
      .option('--raw-out <dir>', 'also keep the raw documents read, as evidence')
      .option('--collected-at <date-time>', 'pin the snapshot time (default: now)', parseCollectedAt);
    if (multiScope(adapter))
      sub.option(
        '--shard <K/N>',
        'read only shard K of N of the scopes (by stable id); `cloudward merge` the N snapshots',
      );
    sub.option('-q, --quiet', 'no progress').action(async (flags: SnapshotOutFlags) => {
      // Everything the user typed is checked before the first call is made.
      const options = validateOptions(adapter.collectOptions, flags, optionRun(sub));
      const shard = parseShard(flags.shard);
      // A live collection can take minutes: refuse an output that cannot be written before it starts.
      if (flags.output) await checkOutputs([{ path: flags.output, flag: '--output', createParent: false }]);
      const progress = createProgress({ quiet: Boolean(flags.quiet) });
      // Each scope is normalized as it arrives and spooled to disk: memory does not grow with the scopes read.
      const spool = new SnapshotSpool(declaredScopeKinds());
      let latest = '';
      const sink = async (bundle: RawBundle) => {
        spool.add(`${bundle.scope.kind}:${bundle.scope.id}`, adapter.normalize([bundle]));
        if (bundle.collectedAt > latest) latest = bundle.collectedAt;
      };
      try {
        const context: CollectContext = {
          options,
          progress,
          sink,
          ...(typeof flags.rawOut === 'string' ? { rawOut: resolve(flags.rawOut) } : {}),
          ...(flags.collectedAt ? { collectedAt: flags.collectedAt } : {}),
          ...(shard ? { shard } : {}),
        };
        const returned = await adapter.collect!(context);
        progress.done();
        // Adapters that do not stream return their bundles; they are spooled the same way.
        for (const bundle of returned) await sink(bundle);
        await spool.write(flags.output, flags.collectedAt ?? (latest || new Date().toISOString()));
        summarize(adapter, spool.counts, flags);
      } finally {
        spool.dispose();
      }
    });
    command.addCommand(sub);
  }
  return command;
}

export function importCommand(): Command {
  const command = new Command('import')
    .description("build a snapshot from a provider's exported files (offline; files are recognised by content)")
    .addHelpText(
      'after',
      `\nProviders: ${
        registeredProviders()
          .map((p) => p.name)
          .join(', ') || 'none'
      }\n\nExamples:\n  $ cloudward import aws exports/*.json credential-report.csv --output aws.json\n  $ cloudward import windows jump-01.json --output hosts.json`,
    );
  for (const adapter of registeredProviders()) {
    const sub = new Command(adapter.name)
      .description(`import ${adapter.title} exports`)
      .argument('<file...>', 'exported files')
      .addHelpText(
        'after',
        `\nExamples:\n  $ cloudward import ${adapter.name} exports/* --output ${adapter.name}.json\n\nExit codes: 0 imported, 2 usage or input error (e.g. a file that is not a recognised export).`,
      );
    addOptions(sub, adapter.importOptions ?? []);
    sub
      .option('-o, --output <file>', 'write the snapshot here (mode 0600) instead of stdout')
      .option(
        '--collected-at <date-time>',
        'the time the exports were taken (default: from the documents)',
        parseCollectedAt,
      )
      .option('--strict', 'exit 2 (and write nothing) when any item read could not be used')
      .option('-q, --quiet', 'no summary or per-file lines')
      .action(async (files: string[], flags: SnapshotOutFlags) => {
        const options = validateOptions(adapter.importOptions ?? [], flags, optionRun(sub));
        const progress = createProgress({ quiet: Boolean(flags.quiet) });
        const bundles = await adapter.importFiles(files, {
          options,
          progress,
          ...(flags.collectedAt ? { collectedAt: flags.collectedAt } : {}),
        });
        progress.done();
        const part = adapter.normalize(bundles);
        if (!flags.quiet) for (const line of importedItemLines(adapter, files, part)) process.stderr.write(`${line}\n`);
        const drops = dropsOf(part.sources);
        if (flags.strict && drops.length > 0) {
          throw new UserError(
            `--strict: ${counted(drops.length, 'drop')} in the imported files: ${safeText(drops[0]!)}${drops.length > 1 ? ` (and ${drops.length - 1} more)` : ''}`,
            {
              hint: 'see the per-file lines above (without --quiet); fix or complete the exports, or import without --strict to record the drops as gaps and warnings',
            },
          );
        }
        relativeItemOrigins(part.sources, files);
        await emitSnapshot(
          adapter,
          [part],
          bundles.map((b) => b.collectedAt),
          flags,
        );
      });
    command.addCommand(sub);
  }
  return command;
}

export function permissionsCommand(): Command {
  const adapters = registeredProviders();
  // Every adapter's own flags; each applies to the providers that declare it only.
  const flags = new Map<string, { option: Option; providers: string[] }>();
  for (const adapter of adapters) {
    for (const declared of adapter.permissionsOptions ?? []) {
      const option = new Option(declared.flags, `${adapter.name}: ${declared.description}`);
      const known =
        flags.get(option.attributeName()) ??
        flags.set(option.attributeName(), { option, providers: [] }).get(option.attributeName())!;
      known.providers.push(adapter.name);
    }
  }
  const command = new Command('permissions')
    .description('print the least-privilege, read-only permissions collection needs for a provider')
    .argument('<provider>', `one of: ${adapters.map((p) => p.name).join(', ') || 'none registered'}`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ cloudward permissions aws > cloudward-readonly.json\n  $ cloudward permissions aws --org-role SecurityAuditRead',
    );
  for (const { option } of flags.values()) command.addOption(option);
  return command.action((name: string, given: Record<string, unknown>) => {
    const adapter = getProvider(name);
    for (const [key, value] of Object.entries(given)) {
      const known = flags.get(key);
      if (value !== undefined && known && !known.providers.includes(name)) {
        const flag = known.option.long ?? known.option.flags;
        throw new UserError(`${flag} applies to ${known.providers.join(', ')} only, not ${name}`, { where: flag });
      }
    }
    process.stdout.write(`${adapter.permissions(given).text.trimEnd()}\n`);
  });
}
