/**
 * The AWS provider: live collection (IAM, credential report, Organizations SCPs, CloudTrail; one account or a whole
 * organization through a read-only role), import of AWS CLI exports, and the normalizer both share.
 */
import type { ProviderAdapter } from '../types.js';
import { collectAws } from './collect.js';
import { importAwsFiles } from './import.js';
import { normalizeAwsBundles } from './normalize.js';
import { awsPermissionsPolicy } from './permissions.js';

export const awsProvider: ProviderAdapter = {
  name: 'aws',
  title: 'Amazon Web Services',
  collectOptions: [
    { flags: '--profile <name>', description: 'named profile from ~/.aws/config (default: the SDK credential chain)' },
    { flags: '--region <region>', description: 'region for CloudTrail and the SDK (default: AWS_REGION, else us-east-1)' },
    { flags: '--endpoint-url <url>', description: 'send every AWS call to this endpoint (LocalStack, a proxy, a test server)' },
    { flags: '--org-role <name>', description: 'read every active account of the organization by assuming this read-only role' },
    { flags: '--concurrency <n>', description: 'accounts read at once with --org-role', defaultValue: '4' },
    { flags: '--max-attempts <n>', description: 'attempts per API call on throttling or 5xx (adaptive retry)', defaultValue: '8' },
  ],
  importOptions: [
    { flags: '--account <id>', description: 'the 12-digit account id the files belong to (default: from their ARNs)' },
  ],
  collect: collectAws,
  importFiles: importAwsFiles,
  normalize: normalizeAwsBundles,
  permissions: () => ({ format: 'json', text: awsPermissionsPolicy() }),
};
