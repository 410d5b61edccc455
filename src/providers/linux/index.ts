import type { ProviderAdapter } from '../types.js';
import { collectLinux } from './collect.js';
import { importLinuxFiles } from './import.js';
import { normalizeLinux } from './normalize.js';
import { linuxPermissions } from './permissions.js';

/** Linux hosts: read live under a root directory, or imported from a bundle an earlier collect wrote. */
export const linuxAdapter: ProviderAdapter = {
  name: 'linux',
  title: 'Linux hosts (noexec mounts, sudoers, SELinux/AppArmor/fapolicyd, sshd, sudo groups, cloud CLIs and credentials)',
  collectOptions: [
    { flags: '--root <dir>', description: 'read the host whose / is this folder (a mounted image, a container root)', defaultValue: '/' },
    { flags: '--host-name <name>', description: 'host name to record (default: /etc/hostname under the root)' },
    { flags: '--bundle-out <file>', description: 'also write the raw host bundle, for a later `cloudward import linux FILE`' },
  ],
  collect: collectLinux,
  importFiles: importLinuxFiles,
  normalize: normalizeLinux,
  permissions: linuxPermissions,
};
