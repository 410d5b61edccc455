/**
 * Live, read-only collection of a GCP organization (or of single projects): the hierarchy; every allow policy of the
 * organization in pages through Cloud Asset Inventory (falling back to resource-manager getIamPolicy per
 * organization, folder and project when the Asset API is off or denied); deny policies, custom roles, service
 * accounts and keys, effective org policies per project; Workspace users. Responses are converted to what gcloud
 * prints, failures become error documents (gaps), so `--raw-out` followed by import gives the same snapshot.
 */
import pLimit from 'p-limit';
import { toProto3JSON } from 'proto3-json-serializer';
import { UserError } from '../../errors.js';
import {
  collectionTime,
  createRawWriter,
  createStats,
  wholeNumber,
  withRetries,
  type CallStats,
} from '../cloud/index.js';
import { HttpError } from '../cloud/retry.js';
import type { CollectContext, RawBundle, RawDocument } from '../types.js';
import { createClients, toHttpError, type GcpClients } from './clients.js';
import {
  CONSTRAINTS,
  DocumentKind,
  type CollectionBody,
  type ErrorBody,
  type Folder,
  type OperationName,
  type Organization,
  type Project,
} from './documents.js';
import { sortDocuments } from './import.js';
import { rawFile, COLLECTION_FILE } from './raw-files.js';
import type { GcpCollectOptions } from './index.js';

/** A protobuf message from a GAPIC client as the REST JSON gcloud prints (enums as names, bytes as base64). */
function json<T>(message: unknown): T {
  if (message && typeof message === 'object' && '$type' in message) return toProto3JSON(message as never) as T;
  return JSON.parse(JSON.stringify(message ?? {})) as T;
}

interface Run {
  clients: GcpClients;
  stats: CallStats;
  documents: RawDocument[];
  maxAttempts: number;
  context: CollectContext<GcpCollectOptions>;
}

/** One call with retries; a failure that remains becomes an error document (a gap) and `undefined`. */
async function read<T>(
  run: Run,
  operation: OperationName,
  target: string,
  call: () => Promise<T>,
  answers: number[] = [],
): Promise<T | undefined> {
  try {
    return await withRetries(
      async () => {
        try {
          return await call();
        } catch (error) {
          throw toHttpError(error);
        }
      },
      {
        maxAttempts: run.maxAttempts,
        stats: run.stats,
        baseDelayMs: 200,
        maxDelayMs: 10_000,
        onRetry: ({ delayMs, status }) =>
          run.context.progress.status(`gcp: ${operation} ${target}: ${status ?? 'error'}, retrying in ${delayMs} ms`),
      },
    );
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) throw error;
    const http = error instanceof HttpError ? error : undefined;
    if (http && answers.includes(http.status)) return undefined;
    const body: ErrorBody = {
      operation,
      target,
      error: {
        code: http?.status ?? 0,
        ...(http ? { status: http.code } : {}),
        message: (error as Error).message ?? String(error),
      },
    };
    run.documents.push({ kind: DocumentKind.error, origin: `${operation} ${target}`, body });
    return undefined;
  }
}

/** Pages of a GAPIC list call (autoPaginate off: one counted, retried call per page). */
async function pages<Req extends object, Item>(
  run: Run,
  operation: OperationName,
  target: string,
  request: Req,
  call: (request: Req) => Promise<[Item[], unknown, { nextPageToken?: string | null } | undefined]>,
): Promise<Item[] | undefined> {
  const all: Item[] = [];
  let token: string | undefined;
  do {
    const page = await read(run, operation, target, () =>
      call({ ...request, ...(token ? { pageToken: token } : {}) } as Req),
    );
    if (!page) return undefined;
    all.push(...page[0]);
    token = page[2]?.nextPageToken || undefined;
  } while (token);
  return all;
}

/** Pages of a googleapis list call. */
async function restPages<Item>(
  run: Run,
  operation: OperationName,
  target: string,
  call: (
    pageToken: string | undefined,
  ) => Promise<{ data: { nextPageToken?: string | null } & Record<string, unknown> }>,
  field: string,
): Promise<Item[] | undefined> {
  const all: Item[] = [];
  let token: string | undefined;
  do {
    const response = await read(run, operation, target, () => call(token));
    if (!response) return undefined;
    all.push(...((response.data[field] as Item[] | undefined) ?? []));
    token = response.data.nextPageToken || undefined;
  } while (token);
  return all;
}

const NO_GAX_RETRY = { autoPaginate: false, retry: { retryCodes: [], backoffSettings: { maxRetries: 0 } } } as never;

function parentRef(parent: string | undefined): Project['parent'] {
  const [type, id] = (parent ?? '').split('/');
  return type && id ? { type: type === 'organizations' ? 'organization' : 'folder', id } : undefined;
}

/** The organization, its folders, and its projects (searchProjects sees every project the caller may get). */
async function readHierarchy(run: Run, org: string): Promise<{ folders: Folder[]; projects: Project[] }> {
  const { clients } = run;
  const orgName = `organizations/${org}`;
  const got = await read(run, 'cloudresourcemanager.organizations.get', orgName, () =>
    clients.organizations.getOrganization({ name: orgName }, NO_GAX_RETRY),
  );
  if (got) {
    const o = json<{ name: string; displayName?: string; directoryCustomerId?: string; state?: string }>(got[0]);
    const organization: Organization = {
      name: o.name,
      ...(o.displayName ? { displayName: o.displayName } : {}),
      owner: { ...(o.directoryCustomerId ? { directoryCustomerId: o.directoryCustomerId } : {}) },
      lifecycleState: o.state ?? 'ACTIVE',
    };
    run.documents.push({
      kind: DocumentKind.organizations,
      origin: 'cloudresourcemanager.organizations.get',
      body: [organization],
    });
  }
  const rawFolders = await pages(
    run,
    'cloudresourcemanager.folders.search',
    orgName,
    { query: '', pageSize: 500 },
    (r) => clients.folders.searchFolders(r, NO_GAX_RETRY) as never,
  );
  const rawProjects = await pages(
    run,
    'cloudresourcemanager.projects.search',
    orgName,
    { query: '', pageSize: 500 },
    (r) => clients.projects.searchProjects(r, NO_GAX_RETRY) as never,
  );
  const folders = (rawFolders ?? [])
    .map((f) => json<{ name: string; displayName?: string; parent?: string; state?: string }>(f))
    .map(
      (f): Folder => ({
        name: f.name,
        ...(f.displayName ? { displayName: f.displayName } : {}),
        ...(f.parent ? { parent: f.parent } : {}),
        lifecycleState: f.state ?? 'ACTIVE',
      }),
    );
  // Keep only what lies under this organization (the caller may see other organizations too).
  const parents = new Map(folders.map((f) => [f.name, f.parent]));
  const under = (parent: string | undefined): boolean => {
    for (let at = parent, i = 0; at && i < 100; at = parents.get(at), i++) if (at === orgName) return true;
    return false;
  };
  const mine = folders.filter((f) => under(f.parent) && f.lifecycleState === 'ACTIVE');
  const projects = (rawProjects ?? [])
    .map((p) => json<{ name: string; projectId: string; displayName?: string; parent?: string; state?: string }>(p))
    .filter((p) => under(p.parent) && (p.state ?? 'ACTIVE') === 'ACTIVE')
    .map(
      (p): Project => ({
        projectId: p.projectId,
        projectNumber: p.name.split('/')[1]!,
        ...(p.displayName ? { name: p.displayName } : {}),
        ...(parentRef(p.parent) ? { parent: parentRef(p.parent)! } : {}),
        lifecycleState: 'ACTIVE',
      }),
    )
    .sort((a, b) => a.projectId.localeCompare(b.projectId));
  run.documents.push({ kind: DocumentKind.folders, origin: 'cloudresourcemanager.folders.search', body: mine });
  run.documents.push({ kind: DocumentKind.projects, origin: 'cloudresourcemanager.projects.search', body: projects });
  return { folders: mine, projects };
}

/** Every allow policy of the organization, in pages; false when the Asset API could not be used. */
async function searchAllPolicies(run: Run, org: string): Promise<boolean> {
  const scope = `organizations/${org}`;
  const results = await pages(
    run,
    'cloudasset.searchAllIamPolicies',
    scope,
    { scope, pageSize: 500 },
    (r) => run.clients.asset.searchAllIamPolicies(r, NO_GAX_RETRY) as never,
  );
  if (!results) return false;
  run.documents.push({
    kind: DocumentKind.assetIamPolicies,
    origin: `cloudasset.searchAllIamPolicies ${scope}`,
    body: results.map((r) => json(r)),
  });
  return true;
}

async function getIamPolicy(run: Run, resource: string): Promise<void> {
  const kind = resource.split('/')[0] as 'organizations' | 'folders' | 'projects';
  const client =
    kind === 'organizations'
      ? run.clients.organizations
      : kind === 'folders'
        ? run.clients.folders
        : run.clients.projects;
  const operation = `cloudresourcemanager.${kind}.getIamPolicy` as OperationName;
  const got = await read(run, operation, resource, () =>
    (client.getIamPolicy as (r: unknown, o: unknown) => Promise<unknown[]>)(
      { resource, options: { requestedPolicyVersion: 3 } },
      NO_GAX_RETRY,
    ),
  );
  if (got)
    run.documents.push({
      kind: DocumentKind.iamPolicy,
      origin: `${operation} ${resource}`,
      body: { resource, policy: json(got[0]) },
    });
}

async function denyPolicies(run: Run, attachment: string): Promise<void> {
  const parent = `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${attachment}`)}/denypolicies`;
  const listed = await pages(
    run,
    'iam.policies.list',
    attachment,
    { parent },
    (r) => run.clients.deny.listPolicies(r, NO_GAX_RETRY) as never,
  );
  if (!listed) return;
  // The list carries no rules: read each policy.
  const policies: unknown[] = [];
  for (const summary of listed) {
    const name = json<{ name: string }>(summary).name;
    const got = await read(run, 'iam.policies.get', name, () => run.clients.deny.getPolicy({ name }, NO_GAX_RETRY));
    if (!got) return;
    policies.push(json(got[0]));
  }
  run.documents.push({
    kind: DocumentKind.denyPolicies,
    origin: `iam.policies.list ${attachment}`,
    body: { attachmentPoint: attachment, policies },
  });
}

async function effectivePolicies(run: Run, parent: string): Promise<void> {
  for (const constraint of CONSTRAINTS) {
    const name = `${parent}/policies/${constraint}`;
    // 400/404: the constraint does not exist for this node (managed constraints roll out gradually): nothing to read.
    const got = await read(
      run,
      'orgpolicy.policies.getEffectivePolicy',
      name,
      () => run.clients.orgPolicy.getEffectivePolicy({ name }, NO_GAX_RETRY),
      [400, 404],
    );
    if (got)
      run.documents.push({
        kind: DocumentKind.orgPolicy,
        origin: `orgpolicy.policies.getEffectivePolicy ${name}`,
        body: { ...json<object>(got[0]), name },
      });
  }
}

async function customRoles(run: Run, parent: string): Promise<void> {
  const api = run.clients.iam;
  const roles = await restPages(
    run,
    'iam.roles.list',
    parent,
    (pageToken) =>
      (parent.startsWith('projects/')
        ? api.projects.roles.list({ parent, view: 'FULL', pageSize: 1000, ...(pageToken ? { pageToken } : {}) })
        : api.organizations.roles.list({
            parent,
            view: 'FULL',
            pageSize: 1000,
            ...(pageToken ? { pageToken } : {}),
          })) as never,
    'roles',
  );
  if (roles)
    run.documents.push({ kind: DocumentKind.roles, origin: `iam.roles.list ${parent}`, body: { parent, roles } });
}

async function serviceAccounts(run: Run, project: string): Promise<void> {
  const api = run.clients.iam;
  const accounts = await restPages<{ email: string }>(
    run,
    'iam.serviceAccounts.list',
    `projects/${project}`,
    (pageToken) =>
      api.projects.serviceAccounts.list({
        name: `projects/${project}`,
        pageSize: 100,
        ...(pageToken ? { pageToken } : {}),
      }) as never,
    'accounts',
  );
  if (!accounts) return;
  run.documents.push({
    kind: DocumentKind.serviceAccounts,
    origin: `iam.serviceAccounts.list projects/${project}`,
    body: { project, accounts },
  });
  for (const account of accounts) {
    const got = await read(
      run,
      'iam.serviceAccountKeys.list',
      account.email,
      () =>
        api.projects.serviceAccounts.keys.list({
          name: `projects/${project}/serviceAccounts/${account.email}`,
        }) as never,
    );
    if (got)
      run.documents.push({
        kind: DocumentKind.serviceAccountKeys,
        origin: `iam.serviceAccountKeys.list ${account.email}`,
        body: { serviceAccount: account.email, keys: (got as { data: { keys?: unknown[] } }).data.keys ?? [] },
      });
  }
}

async function directoryUsers(run: Run, customer: string): Promise<void> {
  const users = await restPages(
    run,
    'admin.directory.users.list',
    `customer ${customer}`,
    (pageToken) =>
      run.clients.admin.users.list({
        customer,
        maxResults: 500,
        projection: 'basic',
        ...(pageToken ? { pageToken } : {}),
      }) as never,
    'users',
  );
  if (users)
    run.documents.push({
      kind: DocumentKind.directoryUsers,
      origin: 'admin.directory.users.list',
      body: { kind: 'admin#directory#users', users },
    });
}

/** Reads one organization (or the given projects) live. */
export async function collectGcp(context: CollectContext<GcpCollectOptions>): Promise<RawBundle[]> {
  const options = context.options;
  const org = options.organization;
  const projectFlags = ([] as string[]).concat(options.project ?? []);
  if (org !== undefined && !/^\d+$/.test(org))
    throw new UserError(`--organization must be a numeric organization id, not "${org}"`, {
      where: '--organization',
      hint: 'find it with `gcloud organizations list`',
    });
  if (!org && projectFlags.length === 0)
    throw new UserError('say what to read: --organization ID or --project ID', {
      hint: 'e.g. cloudward collect gcp --organization 123456789012 --output gcp.json',
    });
  if (context.shard)
    throw new UserError('--shard is not supported by the GCP collector', {
      where: '--shard',
      hint: 'principals, service accounts and custom roles are joined across projects, so GCP shards would not merge; run one collection per organization (raise --concurrency instead)',
    });
  const concurrency = wholeNumber(options.concurrency, '--concurrency', 8, 1, 256);
  const maxAttempts = wholeNumber(options.maxAttempts, '--max-attempts', 5, 1, 256);
  const clients = await createClients(options.endpoint);
  const stats = createStats();
  const collectedAt = collectionTime(context);
  const bundles: RawBundle[] = [];
  const limit = pLimit(concurrency);
  try {
    const estates = org
      ? [{ kind: 'organization' as const, id: org }]
      : projectFlags.map((id) => ({ kind: 'project' as const, id }));
    for (const estate of estates) {
      const run: Run = { clients, stats, documents: [], maxAttempts, context };
      let projects: Project[];
      let folders: Folder[] = [];
      let path: CollectionBody['cloudward']['allowPolicyPath'] = 'resource-manager';
      if (estate.kind === 'organization') {
        ({ folders, projects } = await readHierarchy(run, estate.id));
        if (projectFlags.length > 0) projects = projects.filter((p) => projectFlags.includes(p.projectId));
        context.progress.status(
          `gcp: organization ${estate.id}: ${projects.length} project(s), ${folders.length} folder(s)`,
        );
        if (await searchAllPolicies(run, estate.id)) path = 'cloud-asset';
        else {
          context.progress.warn(
            `gcp: Cloud Asset search unavailable for organization ${estate.id}; reading allow policies per organization, folder and project`,
          );
          await Promise.all(
            [
              `organizations/${estate.id}`,
              ...folders.map((f) => f.name),
              ...projects.map((p) => `projects/${p.projectId}`),
            ].map((r) => limit(() => getIamPolicy(run, r))),
          );
        }
        await Promise.all([
          limit(() => denyPolicies(run, `organizations/${estate.id}`)),
          limit(() => customRoles(run, `organizations/${estate.id}`)),
          limit(() => effectivePolicies(run, `organizations/${estate.id}`)),
          ...folders.map((f) => limit(() => denyPolicies(run, f.name))),
        ]);
        if (options.workspace !== false) await directoryUsers(run, options.workspaceCustomer ?? 'my_customer');
      } else {
        projects = [{ projectId: estate.id }];
        run.documents.push({ kind: DocumentKind.projects, origin: 'cloudward --project', body: projects });
        await getIamPolicy(run, `projects/${estate.id}`);
      }
      let done = 0;
      await Promise.all(
        projects.map((p) =>
          limit(async () => {
            await Promise.all([
              denyPolicies(run, `projects/${p.projectId}`),
              customRoles(run, `projects/${p.projectId}`),
              effectivePolicies(run, `projects/${p.projectId}`),
              serviceAccounts(run, p.projectId),
            ]);
            context.progress.status(
              `gcp: project ${p.projectId} read (${++done}/${projects.length}), ${stats.calls} calls, ${stats.throttled} throttled`,
            );
          }),
        ),
      );
      const gaps =
        estate.kind === 'organization' && options.workspace === false
          ? [{ what: 'gcp.directory-users', reason: 'Workspace users not read (--no-workspace)' }]
          : [];
      const bundle: RawBundle = {
        provider: 'gcp',
        scope: estate,
        method: 'live',
        collectedAt,
        documents: sortDocuments(run.documents),
        gaps,
      };
      for (const d of bundle.documents)
        if (d.kind === DocumentKind.error)
          context.progress.warn(
            `gcp: ${(d.body as ErrorBody).operation} ${(d.body as ErrorBody).target}: ${(d.body as ErrorBody).error.status ?? (d.body as ErrorBody).error.code} ${(d.body as ErrorBody).error.message}`,
          );
      if (context.rawOut) {
        const note: CollectionBody = {
          cloudward: { provider: 'gcp', scope: estate, collectedAt, allowPolicyPath: path },
        };
        await createRawWriter(context.rawOut).writeScope(estate.id, [
          ...bundle.documents.map(rawFile),
          { name: COLLECTION_FILE, text: `${JSON.stringify(note, null, 2)}\n` },
        ]);
      }
      context.progress.status(
        `gcp: ${estate.kind} ${estate.id}: allow policies via ${path}; ${stats.calls} calls, ${stats.retries} retries, ${stats.throttled} throttled`,
      );
      bundles.push(bundle);
    }
  } finally {
    await clients.close();
  }
  return bundles;
}
