/**
 * The Azure and Entra ID provider: live collection (ARM through the Azure SDK, Microsoft Graph over REST with the
 * same credential), import of `az` and Graph exports, and the normalizer both share.
 */
import type { ProviderAdapter } from '../types.js';
import { collectAzure } from './collect.js';
import { importAzureFiles } from './import.js';
import { normalizeAzureBundles } from './normalize.js';
import { azurePermissionsText } from './permissions.js';


export const azureProvider: ProviderAdapter = {
  name: 'azure',
  title: 'Microsoft Azure and Entra ID',
  collectOptions: [
    { flags: '--tenant <id>', description: 'the Entra tenant to read (default: the credential\'s home tenant)' },
    { flags: '--subscription <id...>', description: 'read only these subscriptions (default: every subscription the credential can read)' },
    { flags: '--management-group <id>', description: 'read every subscription under this management group' },
    { flags: '--concurrency <n>', description: 'subscriptions read at once', defaultValue: '8' },
    { flags: '--max-retries <n>', description: 'retries per call on throttling (429, honouring Retry-After) or 5xx', defaultValue: '6' },
    { flags: '--arm-endpoint <url>', description: 'Azure Resource Manager endpoint (sovereign clouds, test servers)', defaultValue: 'https://management.azure.com' },
    { flags: '--graph-endpoint <url>', description: 'Microsoft Graph endpoint (sovereign clouds, test servers)', defaultValue: 'https://graph.microsoft.com' },
  ],
  importOptions: [
    { flags: '--tenant <id>', description: 'the tenant id the files belong to (default: from `az account list` or the raw-out note)' },
    { flags: '--subscription <id>', description: 'the subscription an export belongs to when neither its content nor its path says' },
  ],
  collect: collectAzure,
  importFiles: importAzureFiles,
  normalize: normalizeAzureBundles,
  permissions: () => ({ format: 'json', text: azurePermissionsText() }),
};
