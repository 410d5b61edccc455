import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Gap } from '../../snapshot/model.js';
import { collectionTime } from '../cloud/scopes.js';
import { hostScopeId, writeHostBundle } from '../hosts/bundle.js';
import type { CollectContext, RawBundle, RawDocument } from '../types.js';
import { scanCloudCredentials } from './credentials.js';
import { describeReadError, LiveHostFiles, realPathUnder } from './host-files.js';
import { readSudoers } from './sudoers.js';
import { readPermitRootLogin } from './sshd.js';
import type { LinuxCollectOptions } from './index.js';

/** Cloud CLIs whose presence makes a host a place where cloud APIs are driven from. */
const CLOUD_TOOLS = ['aws', 'az', 'gcloud', 'pwsh'];

/** Where packages and installers put those CLIs. */
const STANDARD_BIN_DIRS = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
  '/snap/bin',
  '/opt/az/bin',
  '/usr/lib/google-cloud-sdk/bin',
];

/** Az PowerShell modules on Linux: machine-wide module folders (per-user ones are added per home). */
const PWSH_MODULE_DIRS = ['/usr/local/share/powershell/Modules', '/opt/microsoft/powershell/7/Modules'];

/** Every file the Linux collector may read, for `cloudward permissions linux`. */
export const LINUX_READ_PATHS = [
  '/proc/self/mounts',
  '/etc/fstab',
  '/etc/sudoers',
  '/etc/sudoers.d/ (and every #includedir / @includedir)',
  '/sys/fs/selinux/enforce',
  '/etc/selinux/config',
  '/sys/module/apparmor/parameters/enabled',
  '/etc/fapolicyd/fapolicyd.conf',
  '/proc/<pid>/comm (is fapolicyd running?)',
  '/etc/ssh/sshd_config',
  '/etc/ssh/sshd_config.d/*.conf (and every Include)',
  '/etc/group',
  '/etc/hostname',
  '/etc/os-release',
  `${STANDARD_BIN_DIRS.join(', ')} (and $PATH when --root is /)`,
  '/root and /home/*: .aws/credentials, .aws/config, .config/gcloud/application_default_credentials.json, .config/gcloud/credentials.db, .config/gcloud/legacy_credentials/*/adc.json, .azure/msal_token_cache.json, .azure/service_principal_entries.json, .azure/accessTokens.json',
];

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when a process named fapolicyd runs: /proc/<pid>/comm, read without recording (it names every process). */
function fapolicydRunning(root: string): boolean | undefined {
  let pids: string[];
  try {
    pids = readdirSync(join(root, '/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  return pids.some((pid) => {
    try {
      return readFileSync(join(root, '/proc', pid, 'comm'), 'utf8').trim() === 'fapolicyd';
    } catch {
      return false;
    }
  });
}

function findCloudTools(root: string, homes: string[]): Array<{ tool: string; path: string }> {
  const dirs = [...STANDARD_BIN_DIRS];
  if (root === '/')
    for (const dir of (process.env.PATH ?? '').split(delimiter))
      if (dir.startsWith('/') && !dirs.includes(dir)) dirs.push(dir);
  const found: Array<{ tool: string; path: string }> = [];
  for (const tool of CLOUD_TOOLS) {
    const dir = dirs.find((d) => exists(realPathUnder(root, `${d}/${tool}`)));
    if (dir) found.push({ tool, path: `${dir}/${tool}` });
  }
  const moduleDirs = [...PWSH_MODULE_DIRS, ...homes.map((h) => `${h}/.local/share/powershell/Modules`)];
  const az = moduleDirs.find((d) => exists(realPathUnder(root, `${d}/Az.Accounts`)));
  if (az) found.push({ tool: 'az-powershell', path: `${az}/Az.Accounts` });
  return found;
}

/** /root and /home/*; a /home that exists but cannot be listed is a credential gap. */
function listHomes(root: string, gaps: Gap[]): string[] {
  try {
    return [
      '/root',
      ...readdirSync(realPathUnder(root, '/home'))
        .sort()
        .map((n) => `/home/${n}`),
    ];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      gaps.push({
        what: 'linux.cloud-credentials',
        reason: `/home could not be listed: ${describeReadError(error)}`,
        call: '/home',
      });
    return ['/root'];
  }
}

/** The host's name: /etc/hostname under the root, else (for the live root) the kernel's. */
function hostName(files: LiveHostFiles, root: string): string {
  const read = files.read('/etc/hostname');
  const name = 'text' in read ? read.text.split(/\r?\n/)[0]?.trim() : undefined;
  if (name) return name;
  if (root === '/') return hostname();
  throw new UserError('cannot tell the host name: /etc/hostname is missing or empty under the root', {
    where: join(root, '/etc/hostname'),
    hint: 'pass --host-name NAME',
  });
}

/**
 * Reads the machine under `root` (default `/`): every configuration file read is kept as a raw document, so
 * normalization (and a later `import linux`) replays exactly what was seen. Nothing is written but the optional
 * bundle; no command is run.
 */
export async function collectLinux(context: CollectContext<LinuxCollectOptions>): Promise<RawBundle[]> {
  const root = context.options.root || '/';
  let info;
  try {
    info = statSync(root);
  } catch {
    throw new UserError('root directory not found', {
      where: root,
      hint: "pass --root DIR naming the folder that holds the host's /etc",
    });
  }
  if (!info.isDirectory())
    throw new UserError('root is not a directory', {
      where: root,
      hint: "pass --root DIR naming the folder that holds the host's /etc",
    });
  // `--collected-at` pins the time (reproducible bundles; the CLI parsed it, garbage was exit 2); otherwise it is now.
  const collectedAt = collectionTime(context);
  const files = new LiveHostFiles(root);
  const name = context.options.hostName?.trim() || hostName(files, root);
  context.progress.status(`linux: reading ${root === '/' ? 'this machine' : root} as ${name}`);

  files.read('/etc/os-release');
  files.read('/proc/self/mounts');
  files.read('/etc/fstab');
  readSudoers(files);
  files.read('/sys/fs/selinux/enforce');
  files.read('/etc/selinux/config');
  files.read('/sys/module/apparmor/parameters/enabled');
  files.read('/etc/fapolicyd/fapolicyd.conf');
  readPermitRootLogin(files);
  files.read('/etc/group');

  const gaps: Gap[] = [];
  const homes = listHomes(root, gaps);
  const documents: RawDocument[] = [...files.documents];
  const running = fapolicydRunning(root);
  documents.push({ kind: 'linux.processes', origin: '/proc/*/comm', body: { fapolicyd: running ?? null } });
  documents.push({ kind: 'linux.cloud-tools', origin: 'PATH', body: findCloudTools(root, homes) });
  const credentials = scanCloudCredentials(root, homes);
  documents.push({
    kind: 'linux.cloud-credentials',
    origin: '/root, /home/*',
    body: { files: credentials.findings, unreadable: credentials.unreadable },
  });

  const bundle: RawBundle = {
    provider: 'linux',
    scope: { kind: 'host', id: hostScopeId(name), name },
    method: 'live',
    collectedAt,
    documents,
    gaps,
  };
  const out = context.options.bundleOut;
  const collector = { name: 'cloudward collect linux', root, uid: process.getuid?.() ?? null };
  if (out) await writeHostBundle(out, bundle, collector);
  if (context.rawOut) await writeHostBundle(join(context.rawOut, `${bundle.scope.id}.linux.json`), bundle, collector);
  return [bundle];
}
