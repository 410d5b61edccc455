/**
 * The AWS provider: live collection (IAM, credential report, Organizations SCPs, CloudTrail; one account or a whole
 * organization through a read-only role), import of AWS CLI exports, and the normalizer both share. The SDK clients
 * are loaded only when collecting.
 */
import type { ProviderAdapter } from '../types.js';
import { importAwsFiles } from './import.js';
import { normalizeAwsBundles } from './normalize.js';
import { AWS_GAP_TOPICS, AWS_OPERATIONS } from './operations.js';
import { awsPermissionsPolicy } from './permissions.js';

export const awsProvider: ProviderAdapter = {
  name: 'aws',
  title: 'Amazon Web Services',
  scopeKinds: ['account'],
  gapTopics: AWS_GAP_TOPICS,
  operations: AWS_OPERATIONS,
  ocsfCloudProvider: 'AWS',
  collectOptions: [
    { flags: '--profile <name>', description: 'named profile from ~/.aws/config (default: the SDK credential chain)', schema: { type: 'string', minLength: 1 } },
    { flags: '--region <region>', description: 'region of the SDK clients; CloudTrail is read in every enabled region (default: AWS_REGION, else us-east-1)', schema: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$', description: 'an AWS region name' }, hint: 'e.g. --region eu-west-1' },
    { flags: '--endpoint-url <url>', description: 'send every AWS call to this endpoint (LocalStack, a proxy, a test server)', schema: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' }, hint: 'e.g. --endpoint-url http://127.0.0.1:4566' },
    { flags: '--org-role <name>', description: 'read every active account of the organization by assuming this read-only role', schema: { type: 'string', pattern: '^[\\w+=,.@/-]{1,64}$', description: 'an IAM role name' }, hint: 'e.g. --org-role CloudwardAudit' },
    { flags: '--concurrency <n>', description: 'accounts read at once with --org-role', defaultValue: '4', schema: { type: 'integer', minimum: 1, maximum: 64 } },
    { flags: '--max-attempts <n>', description: 'attempts per API call on throttling or 5xx (adaptive retry)', defaultValue: '8', schema: { type: 'integer', minimum: 1, maximum: 20 } },
  ],
  importOptions: [
    { flags: '--account <id>', description: 'the 12-digit account id the files belong to (default: from their ARNs)', schema: { type: 'string', pattern: '^\\d{12}$', description: 'a 12-digit account id' } },
  ],
  collect: async (context) => (await import('./collect.js')).collectAws(context),
  importFiles: importAwsFiles,
  normalize: normalizeAwsBundles,
  permissionsOptions: [{ flags: '--org-role <name>', description: 'the role `collect aws --org-role` assumes in member accounts (the policy names CloudwardAudit otherwise)' }],
  permissions: (options) => ({ format: 'json', text: awsPermissionsPolicy(options?.orgRole as string | undefined) }),
};
