import type { ComplianceBenchmark } from '../types.js';

/** The CIS benchmarks checks map to through `references.cis` (`--compliance`), with their controls in cloudward's scope. */
export const AWS_BENCHMARKS: ComplianceBenchmark[] = [
  {
    id: 'cis-aws-v5.0.0',
    title: 'CIS Amazon Web Services Foundations Benchmark v5.0.0',
    cis: 'aws-v5.0.0',
    controls: {
      '1.3': 'Ensure no root user account access key exists',
      '1.4': 'Ensure MFA is enabled for the root user account',
      '1.5': 'Ensure hardware MFA is enabled for the root user account',
      '1.6': 'Eliminate use of the root user for administrative and daily tasks',
      '1.7': 'Ensure IAM password policy requires minimum length of 14 or greater',
      '1.8': 'Ensure IAM password policy prevents password reuse',
      '1.9': 'Ensure MFA is enabled for all IAM users that have a console password',
      '1.11': 'Ensure credentials unused for 45 days or more are disabled',
      '1.12': 'Ensure there is only one active access key for any single IAM user',
      '1.13': 'Ensure access keys are rotated every 90 days or less',
      '1.14': 'Ensure IAM users receive permissions only through groups',
      '1.15': 'Ensure IAM policies that allow full "*:*" administrative privileges are not attached',
      '1.20': 'Ensure identities are managed centrally (identity federation or AWS Organizations)',
      '1.21': 'Ensure access to AWSCloudShellFullAccess is restricted',
    },
  },
  {
    id: 'cis-aws-v3.0.0',
    title: 'CIS Amazon Web Services Foundations Benchmark v3.0.0',
    cis: 'aws-v3.0.0',
    controls: {
      '1.4': 'Ensure no root user account access key exists',
      '1.5': 'Ensure MFA is enabled for the root user account',
      '1.6': 'Ensure hardware MFA is enabled for the root user account',
      '1.7': 'Eliminate use of the root user for administrative and daily tasks',
      '1.8': 'Ensure IAM password policy requires minimum length of 14 or greater',
      '1.9': 'Ensure IAM password policy prevents password reuse',
      '1.10': 'Ensure MFA is enabled for all IAM users that have a console password',
      '1.12': 'Ensure credentials unused for 45 days or more are disabled',
      '1.13': 'Ensure there is only one active access key for any single IAM user',
      '1.14': 'Ensure access keys are rotated every 90 days or less',
      '1.15': 'Ensure IAM users receive permissions only through groups',
      '1.16': 'Ensure IAM policies that allow full "*:*" administrative privileges are not attached',
      '1.21': 'Ensure identities are managed centrally (identity federation or AWS Organizations)',
      '1.22': 'Ensure access to AWSCloudShellFullAccess is restricted',
      '3.1': 'Ensure CloudTrail is enabled in all regions',
      '3.2': 'Ensure CloudTrail log file validation is enabled',
    },
  },
];
