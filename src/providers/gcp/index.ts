/**
 * The GCP provider: organization-wide collection through Cloud Asset Inventory (with a resource-manager fallback),
 * IAM deny policies, roles, service accounts and keys, effective org policies and Workspace users; import of gcloud
 * exports; and the normalizer both share. The client libraries are loaded only when collecting.
 */
import type { OptionValues, ProviderAdapter, ProviderOption } from '../types.js';
import { gcpAuditLogs } from './audit-logs/index.js';
import { GCP_BENCHMARKS } from './benchmarks.js';
import { importGcpFiles } from './import.js';
import { normalizeGcpBundles } from './normalize.js';
import { GCP_GAP_TOPICS, GCP_OPERATIONS } from './operations.js';
import { gcpPermissionsText } from './permissions.js';

const COLLECT_OPTIONS = [
  {
    flags: '--organization <id>',
    description: 'the numeric organization id to read in full (Cloud Asset Inventory in pages)',
    schema: { type: 'string', pattern: '^\\d+$', description: 'a numeric organization id' },
    hint: 'find it with `gcloud organizations list`',
  },
  { flags: '--project <id...>', description: 'read these projects (repeatable); without --organization, only them' },
  {
    flags: '--workspace-customer <id>',
    description: 'Workspace / Cloud Identity customer id for the users list',
    defaultValue: 'my_customer',
    schema: {
      type: 'string',
      pattern: '^(my_customer|C[0-9a-z]+)$',
      description: 'my_customer or a customer id like C03xacme1',
    },
  },
  { flags: '--no-workspace', description: 'skip the Workspace users list (2-Step Verification is then a gap)' },
  {
    flags: '--concurrency <n>',
    description: 'projects read at once',
    defaultValue: '8',
    schema: { type: 'integer', minimum: 1, maximum: 64 },
  },
  {
    flags: '--max-attempts <n>',
    description: 'attempts per call on 429 and 5xx (honouring Retry-After)',
    defaultValue: '5',
    schema: { type: 'integer', minimum: 1, maximum: 20 },
  },
  {
    flags: '--endpoint <url>',
    description: 'send every Google API call to this base URL (an emulator, a proxy, a test server)',
    schema: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' },
    hint: 'e.g. --endpoint http://127.0.0.1:8085',
  },
] as const satisfies readonly ProviderOption[];

const IMPORT_OPTIONS = [
  {
    flags: '--organization <id>',
    description: 'the organization the files belong to (default: from the files)',
    schema: { type: 'string', pattern: '^\\d+$', description: 'a numeric organization id' },
  },
  { flags: '--project <id>', description: 'the project the files belong to, when there is no organization' },
] as const satisfies readonly ProviderOption[];

/** `cloudward collect gcp`'s options, as the collector receives them. */
export type GcpCollectOptions = OptionValues<typeof COLLECT_OPTIONS>;
/** `cloudward import gcp`'s options, as the importer receives them. */
export type GcpImportOptions = OptionValues<typeof IMPORT_OPTIONS>;

export const gcpProvider: ProviderAdapter<GcpCollectOptions, GcpImportOptions> = {
  name: 'gcp',
  title: 'Google Cloud and Google Workspace',
  scopeKinds: ['project', 'organization'],
  gapTopics: GCP_GAP_TOPICS,
  operations: GCP_OPERATIONS,
  ocsfCloudProvider: 'GCP',
  collectOptions: COLLECT_OPTIONS,
  importOptions: IMPORT_OPTIONS,
  collect: async (context) => (await import('./collect.js')).collectGcp(context),
  importFiles: importGcpFiles,
  normalize: normalizeGcpBundles,
  permissions: () => ({ format: 'text', text: gcpPermissionsText() }),
  projector: async () => (await import('./whatif/index.js')).gcpProjector,
  auditLogs: gcpAuditLogs,
  benchmarks: GCP_BENCHMARKS,
};
