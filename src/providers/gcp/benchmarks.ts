import type { ComplianceBenchmark } from '../types.js';

/** The CIS benchmarks checks map to through `references.cis` (`--compliance`), with their controls in cloudward's scope. */
export const GCP_BENCHMARKS: ComplianceBenchmark[] = [
  {
    id: 'cis-gcp-v3.0.0',
    title: 'CIS Google Cloud Platform Foundation Benchmark v3.0.0',
    cis: 'gcp-v3.0.0',
    controls: {
      '1.1': 'Ensure that corporate login credentials are used',
      '1.2': 'Ensure that multi-factor authentication is enabled for all non-service accounts',
      '1.3': 'Ensure that security key enforcement is enabled for all admin accounts',
      '1.4': 'Ensure that there are only GCP-managed service account keys for each service account',
      '1.5': 'Ensure that service account has no admin privileges',
      '1.6': 'Ensure that IAM users are not assigned Service Account User or Token Creator roles at project level',
      '1.7': 'Ensure user-managed/external keys for service accounts are rotated every 90 days or fewer',
      '1.8': 'Ensure that separation of duties is enforced while assigning service account related roles',
      '2.1': 'Ensure that Cloud Audit Logging is configured properly across all services and all users',
    },
  },
];
