/**
 * Reads one account, read-only, in O(pages) calls: GetAccountAuthorizationDetails and the credential report carry
 * every user, so no call is ever made per user. Each read that fails becomes an error document (and so a gap);
 * nothing aborts the account.
 */
import { paginateListRegions } from '@aws-sdk/client-account';
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  GenerateCredentialReportCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListRoles,
  paginateListVirtualMFADevices,
} from '@aws-sdk/client-iam';
import {
  DescribePolicyCommand,
  paginateListParents,
  paginateListPolicies,
  paginateListTargetsForPolicy,
} from '@aws-sdk/client-organizations';
import pLimit from 'p-limit';
import type { RawDocument } from '../types.js';
import { MAX_OU_DEPTH } from './account-view.js';
import { decodeDocuments, toCliJson } from './cli-json.js';
import { errorBody, errorCode, type AwsClients } from './clients.js';
import {
  DocumentKind,
  OPERATIONS,
  type ParentsBody,
  type RegionsBody,
  type Trail,
  type TrailsBody,
} from './documents.js';

/** Timing of the credential report poll (tests shorten it). */
export interface ReportPolling {
  /** First wait between polls, doubled each time up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up (a gap) after this long. */
  timeoutMs: number;
}

export const DEFAULT_POLLING: ReportPolling = { initialDelayMs: 1000, maxDelayMs: 8000, timeoutMs: 180_000 };

const PAGE_SIZE = 1000;

function documentOf(operation: string, body: unknown): RawDocument {
  const info = OPERATIONS[operation]!;
  return { kind: info.kind!, origin: `${info.service}:${operation}`, body };
}

function errorDocument(operation: string, error: unknown, target?: string): RawDocument {
  const info = OPERATIONS[operation] ?? { service: 'sts' };
  return {
    kind: DocumentKind.error,
    origin: `${info.service}:${operation}`,
    body: errorBody(operation, error, target),
  };
}

/** Runs one read; a failure becomes an error document instead of an exception. */
async function attempt(
  operation: string,
  documents: RawDocument[],
  read: () => Promise<void>,
  target?: string,
): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    documents.push(errorDocument(operation, error, target));
    return false;
  }
}

/** Concatenates the list fields of several pages into one CLI-style document (as the CLI's auto-pagination does). */
function mergePages(pages: Array<Record<string, unknown>>, lists: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const list of lists) out[list] = pages.flatMap((p) => (p[list] as unknown[] | undefined) ?? []);
  return out;
}

async function readAuthorizationDetails(clients: AwsClients, documents: RawDocument[]): Promise<void> {
  const pages: Array<Record<string, unknown>> = [];
  await attempt('GetAccountAuthorizationDetails', documents, async () => {
    for await (const page of paginateGetAccountAuthorizationDetails({ client: clients.iam, pageSize: PAGE_SIZE }, {})) {
      pages.push(decodeDocuments(toCliJson(page)) as Record<string, unknown>);
    }
    documents.push(
      documentOf(
        'GetAccountAuthorizationDetails',
        mergePages(pages, ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']),
      ),
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Generate, poll with doubling waits until COMPLETE, then get. IAM regenerates at most every 4 hours. */
async function readCredentialReport(
  clients: AwsClients,
  documents: RawDocument[],
  polling: ReportPolling,
  note: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  let delay = polling.initialDelayMs;
  const wait = async () => {
    if (Date.now() - started > polling.timeoutMs) return false;
    note(`waiting for the credential report (${Math.round((Date.now() - started) / 1000)} s so far)`);
    await sleep(delay);
    delay = Math.min(delay * 2, polling.maxDelayMs);
    return true;
  };
  for (;;) {
    let state: string | undefined;
    const generated = await attempt('GenerateCredentialReport', documents, async () => {
      state = (await clients.iam.send(new GenerateCredentialReportCommand({}))).State;
    });
    if (!generated) return;
    if (state !== 'COMPLETE') {
      if (await wait()) continue;
      documents.push({
        kind: DocumentKind.error,
        origin: 'iam:GenerateCredentialReport',
        body: {
          Operation: 'GenerateCredentialReport',
          Code: 'CredentialReportTimeout',
          Message: `the report was still ${state ?? 'in progress'} after ${Math.round(polling.timeoutMs / 1000)} s; run again later`,
        },
      });
      return;
    }
    try {
      const report = await clients.iam.send(new GetCredentialReportCommand({}));
      documents.push(documentOf('GetCredentialReport', toCliJson(report)));
      return;
    } catch (error) {
      const code = errorCode(error);
      // Not ready or expired between Generate and Get: generate again rather than record a gap.
      if (
        /^(CredentialReport(NotReady|NotPresent|Expired)|Report(InProgress|NotPresent|Expired))/.test(code) &&
        (await wait())
      )
        continue;
      documents.push(errorDocument('GetCredentialReport', error));
      return;
    }
  }
}

async function readIamSettings(clients: AwsClients, documents: RawDocument[]): Promise<void> {
  await Promise.all([
    attempt('GetAccountSummary', documents, async () => {
      documents.push(
        documentOf('GetAccountSummary', toCliJson(await clients.iam.send(new GetAccountSummaryCommand({})))),
      );
    }),
    attempt('ListVirtualMFADevices', documents, async () => {
      const pages: Array<Record<string, unknown>> = [];
      for await (const page of paginateListVirtualMFADevices(
        { client: clients.iam, pageSize: PAGE_SIZE },
        { AssignmentStatus: 'Assigned' },
      )) {
        pages.push(toCliJson(page) as Record<string, unknown>);
      }
      documents.push(documentOf('ListVirtualMFADevices', mergePages(pages, ['VirtualMFADevices'])));
    }),
    attempt('GetAccountPasswordPolicy', documents, async () => {
      documents.push(
        documentOf(
          'GetAccountPasswordPolicy',
          toCliJson(await clients.iam.send(new GetAccountPasswordPolicyCommand({}))),
        ),
      );
    }),
    attempt('ListRoles', documents, async () => {
      const pages: Array<Record<string, unknown>> = [];
      for await (const page of paginateListRoles({ client: clients.iam, pageSize: PAGE_SIZE }, {})) {
        pages.push(decodeDocuments(toCliJson(page)) as Record<string, unknown>);
      }
      documents.push(documentOf('ListRoles', mergePages(pages, ['Roles'])));
    }),
  ]);
}

/** Regions read at once per account; a region costs one DescribeTrails call (trails add two calls each, once). */
const REGION_CONCURRENCY = 4;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The regions enabled for the account (ENABLED and ENABLED_BY_DEFAULT). When they cannot be listed, CloudTrail is
 * read in the collector's region only, and the error document opens the aws.cloudtrail-regions gap.
 */
async function readRegions(clients: AwsClients, documents: RawDocument[], home: string): Promise<string[]> {
  let regions = [home];
  await attempt('ListRegions', documents, async () => {
    const pages: Array<Record<string, unknown>> = [];
    for await (const page of paginateListRegions(
      { client: clients.account },
      { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] },
    )) {
      pages.push(toCliJson(page) as Record<string, unknown>);
    }
    const merged = mergePages(pages, ['Regions']) as RegionsBody;
    documents.push(documentOf('ListRegions', merged));
    const listed = [
      ...new Set((merged.Regions ?? []).map((r) => r.RegionName ?? '').filter((r) => REGION_NAME.test(r))),
    ].sort();
    if (listed.length > 0) regions = listed;
  });
  return regions;
}

/**
 * DescribeTrails (shadow trails included) in every enabled region, so that single-region trails elsewhere and
 * multi-region or organization trails homed elsewhere are all seen; then the status and event selectors of each
 * distinct trail, once, by ARN, in its home region. Regions are read a few at a time.
 */
async function readTrails(clients: AwsClients, documents: RawDocument[], home: string): Promise<void> {
  const regions = await readRegions(clients, documents, home);
  const limit = pLimit(REGION_CONCURRENCY);
  const trails = new Map<string, Trail>();
  await Promise.all(
    regions.map((region) =>
      limit(() =>
        attempt(
          'DescribeTrails',
          documents,
          async () => {
            const output = toCliJson(
              await clients.cloudtrailIn(region).send(new DescribeTrailsCommand({ includeShadowTrails: true })),
            ) as TrailsBody;
            for (const trail of output.trailList ?? []) {
              const key = trail.TrailARN ?? trail.Name;
              if (key && !trails.has(key)) trails.set(key, trail);
            }
            documents.push(documentOf('DescribeTrails', { Region: region, ...output }));
          },
          region,
        ),
      ),
    ),
  );
  await Promise.all(
    [...trails.entries()].map(([name, trail]) =>
      limit(async () => {
        const client = clients.cloudtrailIn(
          trail.HomeRegion && REGION_NAME.test(trail.HomeRegion) ? trail.HomeRegion : home,
        );
        await attempt(
          'GetTrailStatus',
          documents,
          async () => {
            const status = toCliJson(await client.send(new GetTrailStatusCommand({ Name: name }))) as Record<
              string,
              unknown
            >;
            documents.push(documentOf('GetTrailStatus', { Name: name, ...status }));
          },
          name,
        );
        await attempt(
          'GetEventSelectors',
          documents,
          async () => {
            documents.push(
              documentOf(
                'GetEventSelectors',
                toCliJson(await client.send(new GetEventSelectorsCommand({ TrailName: name }))),
              ),
            );
          },
          name,
        );
      }),
    ),
  );
}

/** Organizations SCPs: the list, each policy's content, and its targets. O(policies) calls, independent of users. */
export async function readServiceControlPolicies(clients: AwsClients): Promise<RawDocument[]> {
  const documents: RawDocument[] = [];
  const policies: Array<{ Id?: string }> = [];
  const ok = await attempt('ListPolicies', documents, async () => {
    const pages: Array<Record<string, unknown>> = [];
    for await (const page of paginateListPolicies(
      { client: clients.organizations },
      { Filter: 'SERVICE_CONTROL_POLICY' },
    )) {
      pages.push(toCliJson(page) as Record<string, unknown>);
    }
    const merged = mergePages(pages, ['Policies']);
    policies.push(...(merged.Policies as Array<{ Id?: string }>));
    documents.push(documentOf('ListPolicies', merged));
  });
  if (!ok) return documents;
  for (const policy of policies) {
    const id = policy.Id;
    if (!id) continue;
    await attempt(
      'DescribePolicy',
      documents,
      async () => {
        documents.push(
          documentOf(
            'DescribePolicy',
            toCliJson(await clients.organizations.send(new DescribePolicyCommand({ PolicyId: id }))),
          ),
        );
      },
      id,
    );
    await attempt(
      'ListTargetsForPolicy',
      documents,
      async () => {
        const pages: Array<Record<string, unknown>> = [];
        for await (const page of paginateListTargetsForPolicy({ client: clients.organizations }, { PolicyId: id })) {
          pages.push(toCliJson(page) as Record<string, unknown>);
        }
        documents.push(documentOf('ListTargetsForPolicy', { PolicyId: id, ...mergePages(pages, ['Targets']) }));
      },
      id,
    );
  }
  return documents;
}

/**
 * Reads an account's place in the organization: ListParents of the account, then of each OU above it up to the root.
 * Each OU's parent is read once per run and shared by every account below it (the promise is cached, so accounts
 * read side by side wait for the one read), so N accounts under one OU cost N + 1 calls, not 2N. A failed read ends
 * the chain with an error document (a gap naming organizations:ListParents): the levels above stay unknown.
 */
export function parentChainReader(clients: AwsClients): (accountId: string) => Promise<RawDocument[]> {
  const cache = new Map<string, Promise<RawDocument>>();
  const read = (childId: string): Promise<RawDocument> => {
    let known = cache.get(childId);
    if (!known) {
      known = (async () => {
        try {
          const pages: Array<Record<string, unknown>> = [];
          for await (const page of paginateListParents({ client: clients.organizations }, { ChildId: childId }))
            pages.push(toCliJson(page) as Record<string, unknown>);
          return documentOf('ListParents', { ChildId: childId, ...mergePages(pages, ['Parents']) });
        } catch (error) {
          return errorDocument('ListParents', error, childId);
        }
      })();
      cache.set(childId, known);
    }
    return known;
  };
  return async (accountId) => {
    const documents: RawDocument[] = [];
    let child = accountId;
    for (let depth = 0; depth < MAX_OU_DEPTH; depth++) {
      const document = await read(child);
      documents.push(document);
      const parent = document.kind === DocumentKind.parents ? (document.body as ParentsBody).Parents?.[0] : undefined;
      if (!parent?.Id || parent.Type === 'ROOT') break;
      child = parent.Id;
    }
    return documents;
  };
}

/** Every document of one account except SCPs (read once per organization by the caller); `note` gets progress. */
export async function readAccount(
  clients: AwsClients,
  polling: ReportPolling,
  home: string,
  note: (line: string) => void = () => undefined,
): Promise<RawDocument[]> {
  const documents: RawDocument[] = [];
  await Promise.all([
    readAuthorizationDetails(clients, documents),
    readCredentialReport(clients, documents, polling, note),
    readIamSettings(clients, documents),
    readTrails(clients, documents, home),
  ]);
  return documents;
}
