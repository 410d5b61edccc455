/**
 * The GCP provider: organization-wide collection through Cloud Asset Inventory (with a resource-manager fallback),
 * IAM deny policies, roles, service accounts and keys, effective org policies and Workspace users; import of gcloud
 * exports; and the normalizer both share.
 */
import type { ProviderAdapter } from '../types.js';
import { collectGcp } from './collect.js';
import { importGcpFiles } from './import.js';
import { normalizeGcpBundles } from './normalize.js';
import { gcpPermissionsText } from './permissions.js';

export const gcpProvider: ProviderAdapter = {
  name: 'gcp',
  title: 'Google Cloud and Google Workspace',
  collectOptions: [
    { flags: '--organization <id>', description: 'the numeric organization id to read in full (Cloud Asset Inventory in pages)' },
    { flags: '--project <id...>', description: 'read these projects (repeatable); without --organization, only them' },
    { flags: '--workspace-customer <id>', description: 'Workspace / Cloud Identity customer id for the users list', defaultValue: 'my_customer' },
    { flags: '--no-workspace', description: 'skip the Workspace users list (2-Step Verification is then a gap)' },
    { flags: '--shard <k/n>', description: 'read only shard K of N of the projects (by stable id); merge the shards afterwards' },
    { flags: '--concurrency <n>', description: 'projects read at once', defaultValue: '8' },
    { flags: '--max-attempts <n>', description: 'attempts per call on 429 and 5xx (honouring Retry-After)', defaultValue: '5' },
    { flags: '--endpoint <url>', description: 'send every Google API call to this base URL (an emulator, a proxy, a test server)' },
  ],
  importOptions: [
    { flags: '--organization <id>', description: 'the organization the files belong to (default: from the files)' },
    { flags: '--project <id>', description: 'the project the files belong to, when there is no organization' },
  ],
  collect: collectGcp,
  importFiles: importGcpFiles,
  normalize: normalizeGcpBundles,
  permissions: () => ({ format: 'text', text: gcpPermissionsText() }),
};
