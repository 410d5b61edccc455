/**
 * Loads AWS CLI export folders (test/fixtures/aws/<account>/, examples/acme/raw/aws/<account>/) as fake-server data,
 * so a test can collect live from the same account it imports.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { RawBundle } from '../../src/providers/types.js';
import type { FakeAccountData, FakeOrganization } from './fake-aws.js';

export const FIXTURES = new URL('../fixtures/aws/', import.meta.url).pathname;

export const quietProgress = { status: () => undefined, warn: () => undefined };

/** Every file of a folder, sorted. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
}

export async function importFolder(dir: string, options: Record<string, unknown> = {}): Promise<RawBundle[]> {
  return awsProvider.importFiles(filesIn(dir), { options, progress: quietProgress });
}

function bodies<T>(bundle: RawBundle, kind: string): T[] {
  return bundle.documents.filter((d) => d.kind === kind).map((d) => d.body as T);
}

/** One imported account as the data the fake server answers with. */
export function fakeAccountFrom(bundle: RawBundle): FakeAccountData {
  const report = bodies<{ Content: string; GeneratedTime?: string }>(bundle, 'aws.iam.GetCredentialReport')[0];
  const roles = bodies<{ Roles: Array<{ RoleName: string; MaxSessionDuration: number }> }>(
    bundle,
    'aws.iam.ListRoles',
  )[0];
  const regions = bodies<{ Regions?: Array<{ RegionName: string }> }>(bundle, 'aws.account.ListRegions')[0];
  const statuses = bodies<Record<string, unknown> & { Name: string }>(bundle, 'aws.cloudtrail.GetTrailStatus');
  const selectors = bodies<Record<string, unknown> & { TrailARN: string }>(bundle, 'aws.cloudtrail.GetEventSelectors');
  return {
    authorizationDetails:
      bodies<FakeAccountData['authorizationDetails']>(bundle, 'aws.iam.GetAccountAuthorizationDetails')[0] ?? {},
    credentialReport: report ? Buffer.from(report.Content, 'base64').toString('utf8') : '',
    ...(report?.GeneratedTime ? { reportGeneratedTime: report.GeneratedTime } : {}),
    summaryMap:
      bodies<{ SummaryMap: Record<string, number> }>(bundle, 'aws.iam.GetAccountSummary')[0]?.SummaryMap ?? {},
    virtualMfaDevices:
      bodies<{ VirtualMFADevices: unknown[] }>(bundle, 'aws.iam.ListVirtualMFADevices')[0]?.VirtualMFADevices ?? [],
    passwordPolicy:
      bodies<{ PasswordPolicy: Record<string, unknown> }>(bundle, 'aws.iam.GetAccountPasswordPolicy')[0]
        ?.PasswordPolicy ?? null,
    maxSessionDuration: Object.fromEntries((roles?.Roles ?? []).map((r) => [r.RoleName, r.MaxSessionDuration])),
    // Every region's export (shadow trails repeat): each trail once.
    trails: [
      ...new Map(
        bodies<{ trailList: Array<Record<string, unknown>> }>(bundle, 'aws.cloudtrail.DescribeTrails')
          .flatMap((d) => d.trailList ?? [])
          .map((t) => [t.TrailARN, t]),
      ).values(),
    ],
    ...(regions ? { regions: (regions.Regions ?? []).map((r) => r.RegionName) } : {}),
    trailStatus: Object.fromEntries(statuses.map(({ Name, ...status }) => [Name, status])),
    eventSelectors: Object.fromEntries(selectors.map(({ TrailARN, ...rest }) => [TrailARN, rest])),
  };
}

/** The organization (SCPs with content and targets) an imported bundle describes, if any. */
export function fakeOrganizationFrom(
  bundle: RawBundle,
  accounts: Array<{ Id: string; Name: string }>,
): FakeOrganization | undefined {
  const list = bodies<{ Policies: Array<Record<string, unknown>> }>(bundle, 'aws.organizations.ListPolicies')[0];
  if (!list) return undefined;
  const details = bodies<{ Policy: { PolicySummary: { Id: string }; Content: string } }>(
    bundle,
    'aws.organizations.DescribePolicy',
  );
  const targets = bodies<{ PolicyId: string; Targets: Array<Record<string, unknown>> }>(
    bundle,
    'aws.organizations.ListTargetsForPolicy',
  );
  const parents = bodies<{ ChildId: string; Parents: Array<{ Id: string; Type: string }> }>(
    bundle,
    'aws.organizations.ListParents',
  );
  return {
    accounts,
    ...(parents.length > 0 ? { parents: Object.fromEntries(parents.map((p) => [p.ChildId, p.Parents[0]!])) } : {}),
    scps: list.Policies.map((summary) => ({
      summary,
      content: details.find((d) => d.Policy.PolicySummary.Id === summary.Id)?.Policy.Content ?? '{}',
      targets: targets.find((t) => t.PolicyId === summary.Id)?.Targets ?? [],
    })),
  };
}
