import type { ComplianceBenchmark } from '../types.js';

/** The CIS benchmarks checks map to through `references.cis` (`--compliance`), with their controls in cloudward's scope. */
export const AZURE_BENCHMARKS: ComplianceBenchmark[] = [
  {
    id: 'cis-azure-v3.0.0',
    title: 'CIS Microsoft Azure Foundations Benchmark v3.0.0',
    cis: 'azure-v3.0.0',
    controls: {
      '2.1.1': 'Ensure security defaults are enabled (where Conditional Access is not used)',
      '2.1.2': 'Ensure multifactor authentication is enabled for all privileged users',
      '2.1.3': 'Ensure multifactor authentication is enabled for all non-privileged users',
      '2.2.4': 'Ensure a Conditional Access policy requires MFA for administrative groups',
      '2.2.5': 'Ensure a Conditional Access policy requires MFA for all users',
      '2.2.7': 'Ensure multifactor authentication is required for Windows Azure Service Management API',
      '2.2.8': 'Ensure multifactor authentication is required to access Microsoft Admin Portals',
      '2.4': 'Ensure guest users are reviewed on a regular basis',
      '2.23': 'Ensure no custom subscription administrator roles exist',
      '2.26': 'Ensure fewer than 5 users have global administrator assignment',
      '6.1.1': 'Ensure that a diagnostic setting exists for subscription activity logs',
      '6.1.2': 'Ensure diagnostic setting captures appropriate categories',
    },
  },
];
