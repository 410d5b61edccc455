/** How many results of each status a check should report on a generated tenant. */
export interface ExpectedCounts {
  pass: number;
  fail: number;
  unknown: number;
}

/**
 * The checks in policies/ whose outcome the generator plants on purpose, resource by resource. Checks not listed here
 * may still select generated resources (their counts are reported, not compared).
 */
export const TARGETED_CHECKS = [
  'azure-activity-log-diagnostic-setting',
  'azure-ca-mfa-azure-management',
  'azure-global-admins-two-to-four',
  'azure-no-custom-owner-roles',
  'azure-privileged-roles-just-in-time',
  'azure-privileged-users-mfa-registered',
  'gcp-audit-logging-all-services',
  'gcp-cloud-shell-restricted',
  'gcp-org-policy-disable-sa-key-creation',
  'gcp-service-accounts-no-user-managed-keys',
  'gcp-service-accounts-not-admin',
  'gcp-users-2sv-enrolled',
] as const;

export type TargetedCheck = (typeof TARGETED_CHECKS)[number];

/** Counts the statuses the generator planted, per targeted check. */
export class ExpectationTally {
  readonly counts: Record<TargetedCheck, ExpectedCounts>;

  constructor() {
    this.counts = Object.fromEntries(TARGETED_CHECKS.map((id) => [id, { pass: 0, fail: 0, unknown: 0 }])) as Record<TargetedCheck, ExpectedCounts>;
  }

  add(check: TargetedCheck, status: keyof ExpectedCounts): void {
    this.counts[check][status]++;
  }
}
