/**
 * The Azure and Entra ID provider: live collection (ARM through the Azure SDK, Microsoft Graph over REST with the
 * same credential), import of `az` and Graph exports, and the normalizer both share.
 */
import type { TokenCredential } from '@azure/core-auth';
import { azureAuditLogs } from './audit-logs/index.js';
import { AZURE_BENCHMARKS } from './benchmarks.js';
import type { CallStats } from './clients.js';
import type { OperationDeclaration, OptionValues, ProviderAdapter, ProviderOption } from '../types.js';
import { GAP_TOPICS, OPERATIONS } from './documents.js';
import { importAzureFiles } from './import.js';
import { normalizeAzureBundles } from './normalize.js';
import { azurePermissionsText } from './permissions.js';

/** Every read the collector makes, with the permission (and licence) it needs and the gap topic it opens. */
const AZURE_OPERATIONS: OperationDeclaration[] = OPERATIONS.map((o) => ({
  id: o.id,
  kind: 'api',
  topic: o.topic,
  permission: o.permission,
  ...(o.licence ? { licence: o.licence } : {}),
  level: o.level,
  purpose: o.purpose,
}));

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const HTTPS = {
  type: 'string',
  pattern: '^https://[^\\s/]+(/\\S*)?$',
  description: 'an https URL (Azure SDKs send tokens only over TLS)',
};

const COLLECT_OPTIONS = [
  {
    flags: '--tenant <id>',
    description: "the Entra tenant to read (default: the credential's home tenant)",
    schema: { type: 'string', pattern: `${GUID}|^[a-z0-9.-]+\\.[a-z]{2,}$` },
    hint: 'a tenant id or its domain, e.g. contoso.onmicrosoft.com',
  },
  {
    flags: '--subscription <id...>',
    description: 'read only these subscriptions (default: every subscription the credential can read)',
  },
  {
    flags: '--management-group <id>',
    description: 'read only the subscriptions under this management group',
    schema: { type: 'string', pattern: '^[\\w().-]{1,90}$' },
  },
  {
    flags: '--concurrency <n>',
    description: 'subscriptions read at once',
    defaultValue: '8',
    schema: { type: 'integer', minimum: 1, maximum: 64 },
  },
  {
    flags: '--max-attempts <n>',
    description: 'attempts per call on throttling (429, honouring Retry-After) or 5xx',
    defaultValue: '7',
    schema: { type: 'integer', minimum: 1, maximum: 21 },
  },
  // The name before retry flags were one across providers: N retries are N + 1 attempts.
  {
    flags: '--max-retries <n>',
    description: 'retries per call (deprecated: use --max-attempts, one more)',
    schema: { type: 'integer', minimum: 0, maximum: 20 },
    deprecated: { use: '--max-attempts <n>', value: (retries) => Number(retries) + 1 },
  },
  {
    flags: '--arm-endpoint <url>',
    description: 'Azure Resource Manager endpoint (sovereign clouds, test servers)',
    defaultValue: 'https://management.azure.com',
    schema: HTTPS,
    hint: 'e.g. --arm-endpoint https://management.usgovcloudapi.net',
  },
  {
    flags: '--graph-endpoint <url>',
    description: 'Microsoft Graph endpoint (sovereign clouds, test servers)',
    defaultValue: 'https://graph.microsoft.com',
    schema: HTTPS,
    hint: 'e.g. --graph-endpoint https://graph.microsoft.us',
  },
  {
    flags: '--ca-file <pem>',
    description:
      'also trust these CA certificates (a TLS-inspecting proxy, Azure Stack Hub); NODE_EXTRA_CA_CERTS works too',
  },
] as const satisfies readonly ProviderOption[];

const IMPORT_OPTIONS = [
  {
    flags: '--tenant <id>',
    description: 'the tenant id the files belong to (default: from `az account list` or the raw-out note)',
    schema: { type: 'string', pattern: GUID },
  },
  {
    flags: '--subscription <id>',
    description: 'the subscription an export belongs to when neither its content nor its path says',
    schema: { type: 'string', pattern: GUID },
  },
] as const satisfies readonly ProviderOption[];

/** `cloudward collect azure`'s options, as the collector receives them. */
export type AzureCollectOptions = OptionValues<typeof COLLECT_OPTIONS>;
/** `cloudward import azure`'s options. */
export type AzureImportOptions = OptionValues<typeof IMPORT_OPTIONS>;
/** What tests hand the collector: a credential for the fake servers, shorter retry delays, shared call counters. */
export interface AzureTestHooks {
  credential?: TokenCredential;
  retryDelayMs?: number;
  stats?: CallStats;
}

export const azureProvider: ProviderAdapter<AzureCollectOptions, AzureImportOptions, AzureTestHooks> = {
  name: 'azure',
  title: 'Microsoft Azure and Entra ID',
  scopeKinds: ['tenant', 'subscription'],
  gapTopics: { ...GAP_TOPICS },
  operations: AZURE_OPERATIONS,
  ocsfCloudProvider: 'Azure',
  collectOptions: COLLECT_OPTIONS,
  importOptions: IMPORT_OPTIONS,
  // Loaded on first use: the Azure SDKs stay out of `audit` and `import`.
  collect: async (context) => (await import('./collect.js')).collectAzure(context),
  importFiles: importAzureFiles,
  normalize: normalizeAzureBundles,
  permissions: () => ({ format: 'json', text: azurePermissionsText() }),
  projector: async () => (await import('./whatif/index.js')).azureProjector,
  auditLogs: azureAuditLogs,
  benchmarks: AZURE_BENCHMARKS,
};
