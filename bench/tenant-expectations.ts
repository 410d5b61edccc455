/** How many results of each status a check should report on a generated tenant. */
export interface ExpectedCounts {
  pass: number;
  fail: number;
  unknown: number;
}

/**
 * The checks in policies/ whose outcome the generator plants on purpose, resource by resource: 46 of the 49. The
 * other three (AWS admin roles assumable by IAM principals, the AWSCloudShellFullAccess policy, full-admin customer
 * policies) select nothing the generator writes; the tests and the benchmark fail if a check outside this list
 * reports anything.
 */
export const TARGETED_CHECKS = [
  'aws-access-keys-rotated-90-days',
  'aws-cloudtrail-log-file-validation',
  'aws-cloudtrail-management-events',
  'aws-cloudtrail-multi-region-logging',
  'aws-cloudtrail-trails-logging',
  'aws-console-users-mfa',
  'aws-credentials-unused-45-days-disabled',
  'aws-no-privilege-escalation-groups',
  'aws-no-privilege-escalation-users',
  'aws-no-standing-admin-users',
  'aws-one-active-access-key',
  'aws-password-policy-strong',
  'aws-permissions-through-groups',
  'aws-privileged-users-mfa',
  'aws-root-hardware-mfa',
  'aws-root-mfa-enabled',
  'aws-root-no-access-keys',
  'aws-root-not-used-recently',
  'aws-scp-denies-cloudshell',
  'azure-activity-log-diagnostic-setting',
  'azure-all-users-mfa-registered',
  'azure-ca-mfa-admin-roles',
  'azure-ca-mfa-all-users',
  'azure-ca-mfa-azure-management',
  'azure-global-admins-two-to-four',
  'azure-no-custom-owner-roles',
  'azure-no-custom-wildcard-role-at-subscription',
  'azure-no-escalation-to-admin',
  'azure-no-guest-privileged-roles',
  'azure-no-standing-role-assignment-writers',
  'azure-privileged-roles-just-in-time',
  'azure-privileged-users-mfa-registered',
  'azure-service-principals-no-standing-access-grant',
  'gcp-admins-2sv-enforced',
  'gcp-audit-logging-all-services',
  'gcp-cloud-shell-restricted',
  'gcp-domain-restricted-sharing',
  'gcp-no-basic-roles-for-users',
  'gcp-no-escalation-to-admin',
  'gcp-no-sa-user-or-token-creator-on-hierarchy',
  'gcp-org-policy-disable-sa-key-creation',
  'gcp-privileged-bindings-time-bound',
  'gcp-sa-admin-separation-of-duties',
  'gcp-service-account-keys-rotated',
  'gcp-service-accounts-no-user-managed-keys',
  'gcp-service-accounts-not-admin',
  'gcp-users-2sv-enrolled',
  'linux-mac-enforcing',
  'linux-no-long-lived-cloud-credentials',
  'linux-sshd-root-login-restricted',
  'linux-sudo-group-small',
  'linux-sudo-no-nopasswd-all',
  'linux-sudo-no-wildcard-commands',
  'linux-user-writable-mounts-noexec',
  'windows-applocker-blocks-user-writable-executables',
  'windows-applocker-blocks-user-writable-scripts',
  'windows-applocker-enforced',
  'windows-asr-obfuscated-scripts-blocked',
  'windows-local-admins-few',
  'windows-no-long-lived-cloud-credentials',
  'windows-powershell-constrained-language',
  'windows-powershell-execution-policy-gpo',
  'windows-wdac-enforced',
] as const;

export type TargetedCheck = (typeof TARGETED_CHECKS)[number];

/** Counts the statuses the generator planted, per targeted check. */
export class ExpectationTally {
  readonly counts: Record<TargetedCheck, ExpectedCounts>;

  constructor() {
    this.counts = Object.fromEntries(TARGETED_CHECKS.map((id) => [id, { pass: 0, fail: 0, unknown: 0 }])) as Record<
      TargetedCheck,
      ExpectedCounts
    >;
  }

  add(check: TargetedCheck, status: keyof ExpectedCounts): void {
    this.counts[check][status]++;
  }
}
