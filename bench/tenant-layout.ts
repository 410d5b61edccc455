import { Prng } from './prng.js';

/** What a generated tenant looks like before any resource is written: its scopes and the posture of each. */
export interface TenantLayout {
  principals: number;
  seed: number;
  collectedAt: string;
  aws: { accounts: Array<{ id: string; principals: number }> };
  azure: {
    tenantId: string;
    principals: number;
    /** An enabled Conditional Access policy requires MFA for everyone on Azure management. */
    caEnforcesMfa: boolean;
    subscriptions: Array<{ id: string; name: string; diagnostics: 'full' | 'partial' | 'disabled' | 'none' | 'gap' }>;
  };
  gcp: {
    orgId: string;
    /** Principals held at the organization: Cloud Identity users and groups. */
    orgPrincipals: number;
    orgAudit: 'full' | 'partial' | 'none';
    orgPolicyEnforced: boolean;
    /** Cloud Shell access per organizational unit. */
    cloudShell: Array<{ unit: string; access: 'enabled' | 'disabled' | 'admins-only' | 'unreadable' }>;
    projects: Array<{ id: string; serviceAccounts: number; audit: 'full' | 'partial' | 'none' | 'gap' }>;
  };
  hosts: Array<{ name: string; os: 'windows' | 'linux' }>;
}

/** Principals per AWS account, per Azure subscription and per GCP project: the density of a mid-size estate. */
const AWS_PRINCIPALS_PER_ACCOUNT = 400;
const AZURE_PRINCIPALS_PER_SUBSCRIPTION = 1000;
const GCP_SERVICE_ACCOUNTS_PER_PROJECT = 150;
/** One managed host per this many principals. */
const PRINCIPALS_PER_HOST = 100;

/** Spreads `total` over `parts` buckets as evenly as integers allow. */
function spread(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Plans the tenant: 40% of the principals in AWS, 35% in one Azure tenant, 25% in one GCP organization, plus one
 * Windows or Linux host per hundred principals. Every decision is drawn from the seeded PRNG.
 */
export function planLayout(principals: number, seed: number, collectedAt: string): TenantLayout {
  if (!Number.isInteger(principals) || principals < 10) throw new Error('a tenant needs at least 10 principals');
  const rng = new Prng(seed, 1);
  const awsTotal = Math.round(principals * 0.4);
  const azureTotal = Math.round(principals * 0.35);
  const gcpTotal = principals - awsTotal - azureTotal;

  const accountCount = Math.max(1, Math.ceil(awsTotal / AWS_PRINCIPALS_PER_ACCOUNT));
  const accounts = spread(awsTotal, accountCount).map((n, i) => ({
    id: String(210_000_000_000 + i * 7919),
    principals: n,
  }));

  const subscriptionCount = Math.max(1, Math.ceil(azureTotal / AZURE_PRINCIPALS_PER_SUBSCRIPTION));
  const subscriptions = Array.from({ length: subscriptionCount }, (_, i) => {
    const roll = rng.next();
    // Every 50th subscription could not be read (a gap), so its check is unknown, never pass.
    const diagnostics =
      i % 50 === 49 ? 'gap' : roll < 0.65 ? 'full' : roll < 0.8 ? 'partial' : roll < 0.9 ? 'disabled' : 'none';
    return { id: rng.guid(), name: `sub-${String(i).padStart(4, '0')}`, diagnostics } as const;
  });

  const gcpOrgPrincipals = Math.round(gcpTotal * 0.64);
  const serviceAccounts = gcpTotal - gcpOrgPrincipals;
  const projectCount = Math.max(1, Math.ceil(serviceAccounts / GCP_SERVICE_ACCOUNTS_PER_PROJECT));
  const projects = spread(serviceAccounts, projectCount).map((n, i) => {
    const roll = rng.next();
    const audit = i % 40 === 39 ? 'gap' : roll < 0.4 ? 'full' : roll < 0.7 ? 'partial' : 'none';
    return { id: `proj-${String(i).padStart(5, '0')}-${rng.hex(4)}`, serviceAccounts: n, audit } as const;
  });
  const units = 3 + Math.floor(projectCount / 20);
  const cloudShell = Array.from({ length: units }, (_, i) => {
    const roll = rng.next();
    const access = roll < 0.4 ? 'enabled' : roll < 0.65 ? 'disabled' : roll < 0.95 ? 'admins-only' : 'unreadable';
    return { unit: i === 0 ? '/' : `/ou-${String(i).padStart(3, '0')}`, access } as const;
  });

  const hostCount = Math.max(2, Math.round(principals / PRINCIPALS_PER_HOST));
  const hosts = Array.from({ length: hostCount }, (_, i) => {
    const os = i % 5 < 3 ? 'windows' : 'linux';
    return { name: `${os === 'windows' ? 'WIN' : 'lnx'}-${String(i).padStart(6, '0')}`, os } as const;
  });

  return {
    principals,
    seed,
    collectedAt,
    aws: { accounts },
    azure: { tenantId: rng.guid(), principals: azureTotal, caEnforcesMfa: rng.chance(0.6), subscriptions },
    gcp: {
      orgId: String(400_000_000_000 + rng.int(0, 99_999_999)),
      orgPrincipals: gcpOrgPrincipals,
      orgAudit: rng.pick(['full', 'partial', 'none'] as const),
      orgPolicyEnforced: rng.chance(0.5),
      cloudShell,
      projects,
    },
    hosts,
  };
}
