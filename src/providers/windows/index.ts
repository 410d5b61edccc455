import type { OptionValues, ProviderAdapter, ProviderOption } from '../types.js';
import { importWindowsFiles } from './import.js';
import { normalizeWindows } from './normalize.js';
import { windowsPermissions } from './permissions.js';

const IMPORT_OPTIONS = [
  {
    flags: '--host <name>',
    description: 'host name for raw exports (a collector bundle names its host)',
    schema: { type: 'string', pattern: '\\S', maxLength: 253, description: 'a host name' },
  },
] as const satisfies readonly ProviderOption[];

/** `cloudward import windows`'s options, as the importer receives them. */
export type WindowsImportOptions = OptionValues<typeof IMPORT_OPTIONS>;

/** Windows hosts, offline: bundles written by collectors/windows/Get-CloudwardHost.ps1, or raw PowerShell exports. */
export const windowsAdapter: ProviderAdapter<Record<string, never>, WindowsImportOptions> = {
  name: 'windows',
  title: 'Windows hosts (AppLocker, WDAC, PowerShell, Defender ASR, local admins, cloud CLIs and credentials)',
  scopeKinds: ['host'],
  gapTopics: {
    'windows.host-info': 'host name, OS and domain',
    'windows.applocker': 'the effective AppLocker policy and the AppID service',
    'windows.execution-policy': 'PowerShell execution policy per scope',
    'windows.language-mode': 'the PowerShell language mode of a standard user',
    'windows.wdac': 'WDAC / code integrity status',
    'windows.defender': 'Defender attack surface reduction rules',
    'windows.local-admins': 'members of the local Administrators group',
    'windows.cloud-tools': 'cloud CLIs and Az modules on the host',
    'windows.cloud-credentials': 'cloud credential files in user profiles',
  },
  // Import only: the reads are Get-CloudwardHost.ps1's, listed by `cloudward permissions windows`.
  operations: [],
  collectOptions: [],
  importOptions: IMPORT_OPTIONS,
  importFiles: importWindowsFiles,
  normalize: normalizeWindows,
  permissions: windowsPermissions,
};
