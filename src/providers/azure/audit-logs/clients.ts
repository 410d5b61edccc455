import { userAgentToken, type UserAgentMarker } from '../../../events/audit-logs.js';
import type { ClientKind } from '../../../events/event.js';

/** Application ids of Microsoft's first-party clients (azure-cli identity.py, azure-powershell AuthenticationHelpers.cs). */
export const AZURE_APP_IDS: Record<string, { kind: ClientKind; tool: string }> = {
  '04b07795-8ddb-461a-bbee-02f9e1bf7b46': { kind: 'cli', tool: 'azure-cli' },
  '1950a258-227b-4e31-a9cf-717495945fc2': { kind: 'powershell', tool: 'azure-powershell' },
  'c44b4083-3bb0-49c1-b47d-974e53cbdf3c': { kind: 'console', tool: 'azure-portal' },
};

/** Azure PowerShell (its Az modules and PowerShell Core's agent), the Azure CLI and the Azure SDKs. */
export const AZURE_USER_AGENTS: UserAgentMarker[] = [
  { pattern: /PowerShellCore\/|AzurePowershell\//, kind: 'powershell', tool: 'azure-powershell' },
  { pattern: /^AZURECLI\//, kind: 'cli', tool: 'azure-cli' },
  { pattern: /^azsdk-/, kind: 'sdk', tool: userAgentToken, late: true },
];
