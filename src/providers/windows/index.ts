import type { ProviderAdapter } from '../types.js';
import { importWindowsFiles } from './import.js';
import { normalizeWindows } from './normalize.js';
import { windowsPermissions } from './permissions.js';

/** Windows hosts, offline: bundles written by collectors/windows/Get-CloudwardHost.ps1, or raw PowerShell exports. */
export const windowsAdapter: ProviderAdapter = {
  name: 'windows',
  title: 'Windows hosts (AppLocker, WDAC, PowerShell, Defender ASR, local admins, cloud CLIs and credentials)',
  collectOptions: [],
  importOptions: [
    { flags: '--host <name>', description: 'host name for raw exports (a collector bundle names its host)' },
  ],
  importFiles: importWindowsFiles,
  normalize: normalizeWindows,
  permissions: windowsPermissions,
};
