import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Command } from 'commander';
import { isUserError, UserError } from '../errors.js';
import { loadCheckFile, loadChecks } from '../engine/load-checks.js';
import { loadReport } from '../report/read.js';
import { loadWaivers } from '../gate/waivers.js';
import { readInputText } from '../util/files.js';
import { declaredScopeKinds } from '../providers/index.js';
import { loadSnapshots, verifyDigests } from '../snapshot/load.js';
import { CONFIG_FILE_NAMES, loadConfig } from './config.js';
import { outcome } from './outcome.js';
import { safeText } from '../util/terminal.js';

/** Validates one file by what it is: a snapshot (.json), a project file (cloudward.yaml) or a check (.yaml). */
async function validateFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UserError('file not found', { where: path, hint: 'check the path' });
  if (info.isDirectory())
    throw new UserError('is a directory, not a file', { where: path, hint: 'name the files inside it (e.g. a glob)' });
  const ext = extname(path).toLowerCase();
  if (CONFIG_FILE_NAMES.includes(basename(path))) {
    await loadConfig(path);
    return `${path}: valid project file`;
  }
  const head = (await readInputText(path, 'file')).slice(0, 4096);
  if ((ext === '.yaml' || ext === '.yml') && /^waivers\s*:/m.test(head)) {
    const checks = await loadChecks();
    const waivers = await loadWaivers(
      path,
      checks.map((c) => c.id),
    );
    return `${path}: valid waivers file (${waivers.length} waivers)`;
  }
  if (ext === '.yaml' || ext === '.yml') {
    const check = await loadCheckFile(path);
    return `${path}: valid check ${check.id} (${check.severity}, ${check.mitigation}/${check.measure}, ${check.tests.length} test cases)`;
  }
  if (ext === '.json' && /"reportVersion"\s*:/.test(head)) {
    const { report } = await loadReport(path, 'report');
    return `${path}: valid report ${report.reportVersion} (${report.results.length} results, generated ${report.generatedAt})`;
  }
  if (ext === '.json') {
    const loaded = await loadSnapshots([path], undefined, { verifyDigest: true, scopeKinds: declaredScopeKinds() });
    // What audit and merge would refuse is not valid: an edit, no digest, or a merge of such files.
    await verifyDigests(loaded, false);
    const { snapshot } = loaded;
    const counts = (['sources', 'principals', 'roles', 'controls', 'hosts'] as const)
      .map((k) => `${snapshot[k].length} ${k}`)
      .join(', ');
    return `${path}: valid snapshot ${snapshot.schemaVersion} (${counts}; digest verified)`;
  }
  throw new UserError('cannot tell what this file is from its extension', {
    where: path,
    hint: 'validate takes .json snapshots or reports, .yaml checks or waivers files, or cloudward.yaml',
  });
}

export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'check snapshots and reports (.json), checks and waivers files (.yaml) and cloudward.yaml against their schemas',
    )
    .argument('<file...>', 'files to validate')
    .addHelpText(
      'after',
      '\nExamples:\n  $ cloudward validate snapshot.json\n  $ cloudward validate policies/aws/*.yaml cloudward.yaml\n\nExit codes: 0 all valid, 2 a file is invalid (one line per invalid file on stderr).',
    )
    .action(async (files: string[]) => {
      let invalid = 0;
      for (const file of files) {
        try {
          process.stdout.write(`${safeText(await validateFile(file))}\n`);
        } catch (error) {
          if (!isUserError(error)) throw error;
          invalid++;
          process.stderr.write(`cloudward: ${safeText(error.oneLine())}\n`);
        }
      }
      outcome.code = invalid > 0 ? 2 : 0;
    });
}
