import { Command } from 'commander';
import { snapshotDigest } from '../snapshot/digest.js';
import { loadSnapshots, writeSnapshot } from '../snapshot/load.js';
import { assertSnapshot } from '../snapshot/validate.js';
import { safeText } from '../util/terminal.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('merge snapshots of different scopes into one (validated, with a fresh digest)')
    .argument('<snapshot...>', 'snapshot files')
    .requiredOption('-o, --output <file>', 'the merged snapshot (mode 0600)')
    .addHelpText('after', '\nExamples:\n  $ cloudward merge aws.json azure.json hosts.json --output tenant.json')
    .action(async (files: string[], flags: { output: string }) => {
      const loaded = await loadSnapshots(files);
      const snapshot = { ...loaded.snapshot };
      delete snapshot.digest;
      snapshot.digest = snapshotDigest(snapshot);
      await writeSnapshot(flags.output, assertSnapshot(snapshot, flags.output));
      process.stderr.write(`cloudward: merged ${files.length} snapshot${files.length === 1 ? '' : 's'} -> ${safeText(flags.output)}\n`);
    });
}
