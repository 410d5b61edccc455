import { UserError } from '../../errors.js';
import { readInputText } from '../../util/files.js';
import { parseJsonText } from '../../util/json.js';
import { assertDistinctHosts, hostBundleFromJson, looksLikeHostBundle } from '../hosts/bundle.js';
import type { ImportContext, RawBundle } from '../types.js';

const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
const KNOWN_KINDS = new Set([
  'linux.file',
  'linux.dir',
  'linux.unreadable',
  'linux.processes',
  'linux.cloud-tools',
  'linux.cloud-credentials',
]);

/** Reads bundles written by `cloudward collect linux --bundle-out FILE`, one host each. */
export async function importLinuxFiles(paths: string[], context: ImportContext): Promise<RawBundle[]> {
  if (paths.length === 0)
    throw new UserError('no files given', {
      hint: 'pass bundles written by `cloudward collect linux --bundle-out FILE`',
    });
  const bundles: RawBundle[] = [];
  for (const path of paths) {
    const text = await readInputText(path, 'Linux host bundle', MAX_BUNDLE_BYTES);
    if (!/^\s*\{/.test(text))
      throw new UserError('not a Linux host bundle (not a JSON object)', {
        where: path,
        hint: 'write one with `cloudward collect linux --bundle-out FILE`',
      });
    const value = parseJsonText(text, path, 'Linux host bundle JSON');
    if (!looksLikeHostBundle(value))
      throw new UserError('not a Linux host bundle: no "format": "cloudward-host-bundle"', {
        where: path,
        hint: 'write one with `cloudward collect linux --bundle-out FILE`',
      });
    const bundle = hostBundleFromJson(value, path, 'linux');
    const unknown = bundle.documents.find((d) => !KNOWN_KINDS.has(d.kind));
    if (unknown)
      throw new UserError(`unknown document kind "${unknown.kind}" in a Linux bundle`, {
        where: path,
        hint: 'write the bundle with the cloudward that reads it',
      });
    bundles.push(bundle);
  }
  assertDistinctHosts(bundles, paths);
  context.progress.status(`linux: read ${bundles.length} host bundle(s)`);
  return bundles;
}
