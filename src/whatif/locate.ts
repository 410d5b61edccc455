/**
 * Where a plan resource is written. The plan's `configuration` names each module's source folder but not the file
 * and line of a resource block, so the `.tf` files of the root module (the plan file's folder, or `--plan-dir`) and
 * of each local module are read and each `resource "TYPE" "NAME" {` header is indexed. Nothing found: no location.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { configAddress, type Plan } from '../providers/whatif/plan.js';

/** At most this many .tf files are read per module folder (a vendored tree is not a module). */
const MAX_FILES_PER_MODULE = 500;
const HEADER = /^\s*resource\s+"([^"]+)"\s+"([^"]+)"/;

async function headersIn(dir: string, base: string): Promise<Map<string, { file: string; line: number }>> {
  const out = new Map<string, { file: string; line: number }>();
  let entries: string[];
  try {
    entries = (await readdir(dir))
      .filter((name) => name.endsWith('.tf'))
      .sort()
      .slice(0, MAX_FILES_PER_MODULE);
  } catch {
    return out;
  }
  for (const name of entries) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    const file = relative(base, join(dir, name)).split(sep).join('/');
    text.split('\n').forEach((line, index) => {
      const match = HEADER.exec(line);
      if (match && !out.has(`${match[1]}.${match[2]}`)) out.set(`${match[1]}.${match[2]}`, { file, line: index + 1 });
    });
  }
  return out;
}

/**
 * A lookup from a plan address to its `.tf` file (relative to the working directory) and line. Module sources that
 * are not local paths (registry, git) are skipped.
 */
export async function sourceLocator(
  plan: Plan,
  rootDir: string,
  base = process.cwd(),
): Promise<(address: string) => { file: string; line: number } | undefined> {
  const dirs = new Map<string, string>([['', resolve(rootDir)]]);
  const modules = [...plan.moduleSources.keys()].sort((a, b) => a.split('.').length - b.split('.').length);
  for (const path of modules) {
    const source = plan.moduleSources.get(path)!;
    if (!source.startsWith('./') && !source.startsWith('../')) continue;
    const parent = path.replace(/\.?module\.[^.]+$/, '');
    const parentDir = dirs.get(parent);
    if (parentDir) dirs.set(path, resolve(parentDir, source));
  }
  const headers = new Map<string, Map<string, { file: string; line: number }>>();
  for (const [path, dir] of dirs) headers.set(path, await headersIn(dir, base));
  return (address) => {
    const config = configAddress(address);
    const match = /^((?:module\.[^.]+\.)*)([a-z0-9_]+\.[A-Za-z0-9_-]+)$/.exec(config);
    if (!match) return undefined;
    return headers.get(match[1]!.replace(/\.$/, ''))?.get(match[2]!);
  };
}
