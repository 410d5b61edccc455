/**
 * The AWS provider: live collection (IAM, credential report, Organizations SCPs, CloudTrail; one account or a whole
 * organization through a read-only role), import of AWS CLI exports, and the normalizer both share. The SDK clients
 * are loaded only when collecting.
 */
import type { OptionValues, ProviderAdapter, ProviderOption } from '../types.js';
import { awsAuditLogs } from './audit-logs/index.js';
import { AWS_BENCHMARKS } from './benchmarks.js';
import type { ClientSettings } from './clients.js';
import type { ReportPolling } from './collect-account.js';
import { importAwsFiles } from './import.js';
import { normalizeAwsBundles } from './normalize.js';
import { AWS_GAP_TOPICS, AWS_OPERATIONS } from './operations.js';
import { awsPermissionsPolicy } from './permissions.js';

const COLLECT_OPTIONS = [
  {
    flags: '--profile <name>',
    description: 'named profile from ~/.aws/config (default: the SDK credential chain)',
    schema: { type: 'string', minLength: 1 },
  },
  {
    flags: '--region <region>',
    description:
      'region of the SDK clients; CloudTrail is read in every enabled region (default: AWS_REGION, else us-east-1)',
    schema: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$', description: 'an AWS region name' },
    hint: 'e.g. --region eu-west-1',
  },
  {
    flags: '--endpoint-url <url>',
    description: 'send every AWS call to this endpoint (LocalStack, a proxy, a test server)',
    schema: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' },
    hint: 'e.g. --endpoint-url http://127.0.0.1:4566',
  },
  {
    flags: '--org-role <name>',
    description: 'read every active account of the organization by assuming this read-only role',
    schema: { type: 'string', pattern: '^[\\w+=,.@/-]{1,64}$', description: 'an IAM role name' },
    hint: 'e.g. --org-role CloudwardAudit',
  },
  {
    flags: '--concurrency <n>',
    description: 'accounts read at once with --org-role',
    defaultValue: '4',
    schema: { type: 'integer', minimum: 1, maximum: 64 },
  },
  {
    flags: '--max-attempts <n>',
    description: 'attempts per API call on throttling or 5xx (adaptive retry)',
    defaultValue: '8',
    schema: { type: 'integer', minimum: 1, maximum: 20 },
  },
] as const satisfies readonly ProviderOption[];

const IMPORT_OPTIONS = [
  {
    flags: '--account <id>',
    description: 'the 12-digit account id the files belong to (default: from their ARNs)',
    schema: { type: 'string', pattern: '^\\d{12}$', description: 'a 12-digit account id' },
  },
] as const satisfies readonly ProviderOption[];

/** `cloudward collect aws`'s options, as the collector receives them. */
export type AwsCollectOptions = OptionValues<typeof COLLECT_OPTIONS>;
/** `cloudward import aws`'s options, as the importer receives them. */
export type AwsImportOptions = OptionValues<typeof IMPORT_OPTIONS>;
/** What tests hand the collector: the caller's credentials for the fake servers, and faster report polling. */
export interface AwsTestHooks {
  credentials?: ClientSettings['credentials'];
  polling?: Partial<ReportPolling>;
}

export const awsProvider: ProviderAdapter<AwsCollectOptions, AwsImportOptions, AwsTestHooks> = {
  name: 'aws',
  title: 'Amazon Web Services',
  scopeKinds: ['account'],
  gapTopics: AWS_GAP_TOPICS,
  operations: AWS_OPERATIONS,
  ocsfCloudProvider: 'AWS',
  collectOptions: COLLECT_OPTIONS,
  importOptions: IMPORT_OPTIONS,
  collect: async (context) => (await import('./collect.js')).collectAws(context),
  importFiles: importAwsFiles,
  normalize: normalizeAwsBundles,
  permissionsOptions: [
    {
      flags: '--org-role <name>',
      description:
        'the role `collect aws --org-role` assumes in member accounts (the policy names CloudwardAudit otherwise)',
    },
  ],
  permissions: (options) => ({ format: 'json', text: awsPermissionsPolicy(options?.orgRole as string | undefined) }),
  projector: async () => (await import('./whatif/index.js')).awsProjector,
  auditLogs: awsAuditLogs,
  benchmarks: AWS_BENCHMARKS,
};
