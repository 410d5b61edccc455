import type { OperationDeclaration, OptionValues, ProviderAdapter, ProviderOption } from '../types.js';
import { collectLinux, LINUX_READ_PATHS } from './collect.js';
import { importLinuxFiles } from './import.js';
import { normalizeLinux } from './normalize.js';
import { linuxPermissions } from './permissions.js';

/** The gap topic each read feeds (by the start of its path in LINUX_READ_PATHS). */
const READ_TOPICS: Array<[RegExp, string]> = [
  [/^\/proc\/self\/mounts|^\/etc\/fstab/, 'linux.mounts'],
  [/^\/etc\/sudoers/, 'linux.sudoers'],
  [/selinux|apparmor|fapolicyd|^\/proc\/<pid>/, 'linux.mac'],
  [/^\/etc\/ssh\//, 'linux.sshd'],
  [/^\/etc\/group/, 'linux.groups'],
  [/^\/root and \/home/, 'linux.cloud-credentials'],
  [/bin/, 'linux.cloud-tools'],
];

const LINUX_OPERATIONS: OperationDeclaration[] = LINUX_READ_PATHS.map((path) => {
  const topic = READ_TOPICS.find(([pattern]) => pattern.test(path))?.[1];
  return {
    id: path,
    kind: 'file',
    ...(topic ? { topic } : {}),
    permission: "read (root for /etc/sudoers and other users' homes)",
  };
});

const COLLECT_OPTIONS = [
  {
    flags: '--root <dir>',
    description: 'read the host whose / is this folder (a mounted image, a container root)',
    defaultValue: '/',
    schema: { type: 'string', minLength: 1, description: 'a folder' },
  },
  {
    flags: '--host-name <name>',
    description: 'host name to record (default: /etc/hostname under the root)',
    schema: { type: 'string', pattern: '\\S', maxLength: 253, description: 'a host name' },
  },
  {
    flags: '--bundle-out <file>',
    description: 'also write the raw host bundle, for a later `cloudward import linux FILE`',
    schema: { type: 'string', minLength: 1, description: 'a file path' },
  },
] as const satisfies readonly ProviderOption[];

/** `cloudward collect linux`'s options, as the collector receives them. */
export type LinuxCollectOptions = OptionValues<typeof COLLECT_OPTIONS>;

/** Linux hosts: read live under a root directory, or imported from a bundle an earlier collect wrote. */
export const linuxAdapter: ProviderAdapter<LinuxCollectOptions, Record<string, never>> = {
  name: 'linux',
  title:
    'Linux hosts (noexec mounts, sudoers, SELinux/AppArmor/fapolicyd, sshd, sudo groups, cloud CLIs and credentials)',
  scopeKinds: ['host'],
  gapTopics: {
    'linux.mounts': 'the mount table (/proc/self/mounts, /etc/fstab)',
    'linux.sudoers': '/etc/sudoers and its includes',
    'linux.mac': 'SELinux, AppArmor and fapolicyd state',
    'linux.sshd': 'sshd_config and its includes',
    'linux.groups': '/etc/group (sudo and wheel members)',
    'linux.cloud-tools': 'cloud CLIs on the host',
    'linux.cloud-credentials': 'cloud credential files in home folders',
  },
  operations: LINUX_OPERATIONS,
  collectOptions: COLLECT_OPTIONS,
  collect: collectLinux,
  importFiles: importLinuxFiles,
  normalize: normalizeLinux,
  permissions: linuxPermissions,
};
