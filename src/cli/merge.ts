import { Command } from 'commander';
import { declaredScopeKinds } from '../providers/index.js';
import { snapshotDigest } from '../snapshot/digest.js';
import { loadSnapshots, verifyDigests, writeSnapshot } from '../snapshot/load.js';
import { assertSnapshot } from '../snapshot/validate.js';
import { safeText } from '../util/terminal.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('merge snapshots of different scopes into one (validated, with a fresh digest)')
    .argument('<snapshot...>', 'snapshot files')
    .requiredOption('-o, --output <file>', 'the merged snapshot (mode 0600)')
    .option(
      '--allow-modified',
      'merge inputs whose content no digest vouches for (edited, or with none); the merged snapshot records them, so audits report it unverified',
    )
    .addHelpText('after', '\nExamples:\n  $ cloudward merge aws.json azure.json hosts.json --output tenant.json')
    .action(async (files: string[], flags: { output: string; allowModified?: boolean }) => {
      const loaded = await loadSnapshots(files, undefined, { verifyDigest: true, scopeKinds: declaredScopeKinds() });
      // A fresh digest must not launder an edit: an input its digest does not vouch for is refused, or (with
      // --allow-modified) named in the merged snapshot, so that auditing it still says unverified.
      const verified = await verifyDigests(loaded, flags.allowModified ?? false);
      const unverifiedInputs = verified.flatMap((f) =>
        f.modified ? [{ file: f.path, reason: f.modified.reason }] : [],
      );
      const snapshot = { ...loaded.snapshot };
      delete snapshot.digest;
      delete snapshot.unverifiedInputs;
      if (unverifiedInputs.length > 0) snapshot.unverifiedInputs = unverifiedInputs;
      snapshot.digest = snapshotDigest(snapshot);
      await writeSnapshot(flags.output, assertSnapshot(snapshot, flags.output, declaredScopeKinds()));
      process.stderr.write(
        `cloudward: merged ${files.length} snapshot${files.length === 1 ? '' : 's'} -> ${safeText(flags.output)}\n`,
      );
      if (unverifiedInputs.length > 0)
        process.stderr.write(
          `cloudward: warning: ${safeText(`${flags.output} records ${unverifiedInputs.length} unverified input${unverifiedInputs.length === 1 ? '' : 's'} (${unverifiedInputs.map((i) => i.file).join(', ')}); audits will report it unverified`)}\n`,
        );
    });
}
