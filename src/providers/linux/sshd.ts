import type { Gap } from '../../snapshot/model.js';
import { compileGlob } from '../../util/glob.js';
import { hostPath, type HostFiles } from './host-files.js';

/** The permitRootLogin sshd applies when nothing sets it (OpenSSH 7.0 and later). */
export const SSHD_DEFAULT_PERMIT_ROOT_LOGIN = 'prohibit-password';

/** The files an Include names, in the sorted order sshd reads them. */
function expandInclude(files: HostFiles, pattern: string, gaps: Gap[]): string[] {
  const path = hostPath('/etc/ssh', pattern);
  if (!/[*?]/.test(path)) return [path];
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash) || '/';
  const listing = files.list(dir);
  if ('error' in listing) {
    gaps.push({ what: 'linux.sshd', reason: `${dir} could not be listed: ${listing.error}`, call: dir });
    return [];
  }
  if ('missing' in listing) return [];
  // sshd's Include glob: `*` and `?` stop at `/`, matched in linear time over full paths.
  const glob = compileGlob(path, { questionMark: true, separator: '/' });
  return listing.names
    .map((n) => hostPath(dir, n))
    .filter((p) => glob.test(p))
    .sort();
}

/**
 * The global PermitRootLogin of sshd_config and its Includes: sshd keeps the first value it reads, and Match blocks
 * apply only to some connections, so they are skipped. `without-password` is the old name of prohibit-password.
 */
export function readPermitRootLogin(
  files: HostFiles,
  main = '/etc/ssh/sshd_config',
): { value?: string; source?: string; gaps: Gap[]; present: boolean } {
  const gaps: Gap[] = [];
  let found: { value: string; source: string } | undefined;
  const visit = (path: string, depth: number, inMatch: boolean): boolean => {
    if (depth > 16) return inMatch;
    const result = files.read(path);
    if ('error' in result) {
      gaps.push({ what: 'linux.sshd', reason: `${path} could not be read: ${result.error}`, call: path });
      return inMatch;
    }
    if ('missing' in result) return inMatch;
    let matching = inMatch;
    for (const raw of result.text.split(/\r?\n/)) {
      const line = raw.replace(/#.*$/, '').trim();
      const kv = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
      if (!kv) continue;
      const keyword = kv[1]!.toLowerCase();
      const value = kv[2]!.trim().replace(/^"(.*)"$/, '$1');
      if (keyword === 'match') matching = !/^all$/i.test(value);
      else if (keyword === 'include') {
        for (const pattern of value.split(/\s+/))
          for (const file of expandInclude(files, pattern, gaps)) matching = visit(file, depth + 1, matching);
      } else if (keyword === 'permitrootlogin' && !matching && !found) {
        const normalized = value.toLowerCase() === 'without-password' ? 'prohibit-password' : value.toLowerCase();
        found = { value: normalized, source: path };
      }
    }
    return matching;
  };
  const present = !('missing' in files.read(main));
  visit(main, 0, false);
  return { ...(found ?? {}), gaps, present };
}
