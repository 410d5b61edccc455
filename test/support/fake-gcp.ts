/**
 * A fake Google REST server on loopback speaking the wire shapes the client libraries use: Cloud Asset
 * searchAllIamPolicies (pageToken paging), Resource Manager v3 (organizations, folders:search, projects:search,
 * getIamPolicy), IAM v2 deny policies, IAM v1 roles, service accounts and keys, Org Policy v2 getEffectivePolicy,
 * Admin SDK directory users, and an STS token endpoint for an external-account ADC file. It counts every call by
 * operation id and can deny, disable or throttle any operation.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnLoopback } from './listen.js';
import { isRefusal, matchGoogle, type Unmatched } from './spec-routes.js';

type Json = Record<string, unknown>;

export interface GcpTenant {
  org: { id: string; displayName: string; customerId: string };
  folders: Array<{ name: string; displayName: string; parent: string }>;
  projects: Array<{ projectId: string; projectNumber: string; name: string; parent: string }>;
  /** Cloud Asset results as gcloud prints them. */
  asset: Json[];
  /** Allow policies by resource (`organizations/O`, `folders/F`, `projects/<id>`). */
  policies: Map<string, Json>;
  /** Deny policies by attachment point (`organizations/O`, `projects/<id>`). */
  deny: Map<string, Json[]>;
  /** Custom roles by parent. */
  roles: Map<string, Json[]>;
  serviceAccounts: Map<string, Json[]>;
  keys: Map<string, Json[]>;
  /** Effective org policies by name (`projects/<number>/policies/C`); others answer with an empty spec. */
  orgPolicies: Map<string, Json>;
  users: Json[];
}

export interface Faults {
  /** Operation ids answered 403 PERMISSION_DENIED. */
  denied?: Set<string>;
  /** Cloud Asset API disabled (403 SERVICE_DISABLED). */
  assetDisabled?: boolean;
  /** Operation ids answered 429 RESOURCE_EXHAUSTED this many times before succeeding (Infinity: always). */
  throttle?: Map<string, number>;
  /** The `Retry-After` seconds a 429 carries (default 0). */
  retryAfter?: number;
  /** Items per page (default 3, to exercise paging). */
  pageSize?: number;
}

export interface FakeGcp {
  url: string;
  /** A credential file (external_account) whose token comes from this server: ADC without real credentials. */
  credentialsFile: string;
  /** Every routed request: operation id, the path as it came on the wire (still percent-encoded), and when (ms). */
  calls: Array<{ id: string; path: string; at: number }>;
  /** Requests no route generated from the specifications matched (answered 400/404 as Google would). */
  unmatched: Unmatched[];
  faults: Faults;
  close(): Promise<void>;
}

const TOKEN = 'fake-access-token';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Google's error body (google.rpc.Status as JSON): code, message, status and the `details`, here a google.rpc.ErrorInfo
 * whose reason and metadata follow the examples in googleapis/googleapis google/api/error_reason.proto.
 */
function googleError(
  res: ServerResponse,
  code: number,
  status: string,
  message: string,
  headers: Record<string, string> = {},
  info?: { reason: string; metadata: Record<string, string> },
): void {
  const details = info
    ? [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: info.reason,
          domain: 'googleapis.com',
          metadata: info.metadata,
        },
      ]
    : [];
  send(res, code, { error: { code, message, status, ...(details.length ? { details } : {}) } }, headers);
}

/** The service an operation id belongs to (`cloudasset.searchAllIamPolicies` -> cloudasset.googleapis.com). */
const serviceOf = (id: string) => `${id.split('.')[0]}.googleapis.com`;

function page<T>(items: T[], url: URL, size: number, field: string): Json {
  const start = Number(url.searchParams.get('pageToken') ?? '0');
  const want = Number(url.searchParams.get('pageSize') ?? url.searchParams.get('maxResults') ?? size);
  const n = Math.min(size, want || size);
  const slice = items.slice(start, start + n);
  const next = start + n < items.length ? String(start + n) : undefined;
  return { [field]: slice, ...(next ? { nextPageToken: next } : {}) };
}

/** Routes a request to an operation id and its answer. */
function route(
  tenant: GcpTenant,
  method: string,
  url: URL,
): { id: string; answer: (size: number) => Json | undefined } | undefined {
  // Decoded as google/api/http.proto has the server decode a path: everything but %2F, which stays in the one
  // variable that carries it (a deny-policy attachment point, `cloudresourcemanager.googleapis.com%2Fprojects%2FP`).
  const path = decodeURIComponent(url.pathname.replace(/%2F/gi, '%252F'));
  const org = `organizations/${tenant.org.id}`;
  const numberToId = new Map(tenant.projects.map((p) => [p.projectNumber, p.projectId]));
  const projectKey = (id: string) => `projects/${numberToId.get(id) ?? id}`;
  let m: RegExpExecArray | null;
  if ((m = /^\/v1\/(organizations\/\d+):searchAllIamPolicies$/.exec(path)))
    return {
      id: 'cloudasset.searchAllIamPolicies',
      answer: (s) => (m![1] === org ? page(tenant.asset, url, s, 'results') : undefined),
    };
  if ((m = /^\/v3\/(organizations\/\d+)$/.exec(path)) && method === 'GET')
    return {
      id: 'cloudresourcemanager.organizations.get',
      answer: () =>
        m![1] === org
          ? {
              name: org,
              displayName: tenant.org.displayName,
              directoryCustomerId: tenant.org.customerId,
              state: 'ACTIVE',
            }
          : undefined,
    };
  if (path === '/v3/folders:search')
    return {
      id: 'cloudresourcemanager.folders.search',
      answer: (s) =>
        page(
          tenant.folders.map((f) => ({ ...f, state: 'ACTIVE' })),
          url,
          s,
          'folders',
        ),
    };
  if (path === '/v3/projects:search')
    return {
      id: 'cloudresourcemanager.projects.search',
      answer: (s) =>
        page(
          tenant.projects.map((p) => ({
            name: `projects/${p.projectNumber}`,
            projectId: p.projectId,
            displayName: p.name,
            parent: p.parent,
            state: 'ACTIVE',
          })),
          url,
          s,
          'projects',
        ),
    };
  if ((m = /^\/v3\/(organizations|folders|projects)\/([^/:]+):getIamPolicy$/.exec(path))) {
    const resource = m[1] === 'projects' ? projectKey(m[2]!) : `${m[1]}/${m[2]}`;
    return {
      id: `cloudresourcemanager.${m[1]}.getIamPolicy`,
      answer: () => {
        const p = tenant.policies.get(resource);
        return p ? { version: 3, etag: 'BwYqZ1x2Y3A=', ...p } : undefined;
      },
    };
  }
  if (
    (m =
      /^\/v2\/policies\/cloudresourcemanager\.googleapis\.com%2F(organizations|folders|projects)%2F([^/%]+)\/denypolicies(?:\/([^/]+))?$/.exec(
        path,
      ))
  ) {
    const point = m[1] === 'projects' ? projectKey(m[2]!) : `${m[1]}/${m[2]}`;
    const list = tenant.deny.get(point) ?? [];
    if (m[3]) return { id: 'iam.policies.get', answer: () => list.find((p) => String(p.name).endsWith(`/${m![3]}`)) };
    return {
      id: 'iam.policies.list',
      answer: (s) =>
        page(
          list.map(({ rules: _rules, ...rest }) => rest),
          url,
          s,
          'policies',
        ),
    };
  }
  if ((m = /^\/v1\/((?:projects|organizations)\/[^/]+)\/roles$/.exec(path)))
    return { id: 'iam.roles.list', answer: (s) => page(tenant.roles.get(m![1]!) ?? [], url, s, 'roles') };
  if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts$/.exec(path)))
    return {
      id: 'iam.serviceAccounts.list',
      answer: (s) => page(tenant.serviceAccounts.get(m![1]!) ?? [], url, s, 'accounts'),
    };
  if ((m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys$/.exec(path)))
    return { id: 'iam.serviceAccountKeys.list', answer: () => ({ keys: tenant.keys.get(m![2]!) ?? [] }) };
  if ((m = /^\/v2\/((?:projects|folders|organizations)\/[^/]+\/policies\/[^/:]+):getEffectivePolicy$/.exec(path))) {
    const idToNumber = new Map(tenant.projects.map((p) => [p.projectId, p.projectNumber]));
    const name = m[1]!.replace(/^projects\/([^/]+)/, (_all, id: string) => `projects/${idToNumber.get(id) ?? id}`);
    return {
      id: 'orgpolicy.policies.getEffectivePolicy',
      answer: () => tenant.orgPolicies.get(name) ?? { name, spec: {} },
    };
  }
  if (path === '/admin/directory/v1/users')
    return {
      id: 'admin.directory.users.list',
      answer: (s) => ({ kind: 'admin#directory#users', ...page(tenant.users, url, s, 'users') }),
    };
  return undefined;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

/** Starts the fake server with a tenant; `faults` can be changed between runs. */
export async function startFakeGcp(tenant: GcpTenant, faults: Faults = {}): Promise<FakeGcp> {
  const calls: FakeGcp['calls'] = [];
  const unmatched: Unmatched[] = [];
  const state: FakeGcp = { url: '', credentialsFile: '', calls, unmatched, faults, close: async () => {} };
  const throttled = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    await body(req);
    if (url.pathname === '/v1/token' && req.method === 'POST')
      return send(res, 200, {
        access_token: TOKEN,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return googleError(res, 401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.');
    const matched = matchGoogle(req.method ?? 'GET', url);
    if (isRefusal(matched)) {
      unmatched.push({ method: req.method ?? 'GET', url: `${url.pathname}${url.search}`, reason: matched.reason });
      return googleError(res, matched.status, matched.code, matched.reason);
    }
    const found = route(tenant, req.method ?? 'GET', url);
    // A specified method on a resource the tenant does not have (a parent that decodes to no attachment point).
    if (!found) return googleError(res, 404, 'NOT_FOUND', `${url.pathname} not found`);
    if (found.id !== matched.route.id) {
      unmatched.push({
        method: req.method ?? 'GET',
        url: `${url.pathname}${url.search}`,
        reason: `the specifications say ${matched.route.id}, the fake serves ${found.id}`,
      });
      return googleError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
    }
    calls.push({ id: found.id, path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname, at: Date.now() });
    const f = state.faults;
    if (found.id === 'cloudasset.searchAllIamPolicies' && f.assetDisabled) {
      return googleError(
        res,
        403,
        'PERMISSION_DENIED',
        'Cloud Asset API has not been used in project 1234 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/cloudasset.googleapis.com/overview?project=1234 then retry.',
        {},
        { reason: 'SERVICE_DISABLED', metadata: { consumer: 'projects/1234', service: 'cloudasset.googleapis.com' } },
      );
    }
    if (f.denied?.has(found.id))
      return googleError(
        res,
        403,
        'PERMISSION_DENIED',
        `The caller does not have permission (${found.id})`,
        {},
        { reason: 'IAM_PERMISSION_DENIED', metadata: { resource: 'projects/1234', permission: found.id } },
      );
    const left = f.throttle?.get(found.id);
    if (left !== undefined && (throttled.get(found.id) ?? 0) < left) {
      throttled.set(found.id, (throttled.get(found.id) ?? 0) + 1);
      const service = serviceOf(found.id);
      return googleError(
        res,
        429,
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service '${service}' for consumer 'project_number:1234'.`,
        { 'retry-after': String(f.retryAfter ?? 0) },
        {
          reason: 'RATE_LIMIT_EXCEEDED',
          metadata: {
            consumer: 'projects/1234',
            service,
            quota_metric: `${service}/read_requests`,
            quota_limit: 'ReadRequestsPerMinutePerProject',
          },
        },
      );
    }
    const answer = found.answer(f.pageSize ?? 3);
    if (answer === undefined) return googleError(res, 404, 'NOT_FOUND', `${url.pathname} not found`);
    send(res, 200, answer);
  });
  const port = await listenOnLoopback(server);
  state.url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'fake-gcp-'));
  writeFileSync(join(dir, 'subject-token'), 'fake-subject-token');
  state.credentialsFile = join(dir, 'adc.json');
  writeFileSync(
    state.credentialsFile,
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/1234/locations/global/workloadIdentityPools/test/providers/test',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${state.url}/v1/token`,
      credential_source: { file: join(dir, 'subject-token') },
    }),
  );
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** The environment a collect run needs to reach the fake server with ADC and no real credentials. */
export function fakeEnv(fake: FakeGcp): Record<string, string> {
  return {
    GOOGLE_APPLICATION_CREDENTIALS: fake.credentialsFile,
    METADATA_SERVER_DETECTION: 'none',
    GOOGLE_CLOUD_PROJECT: 'cloudward-test',
    NO_PROXY: '127.0.0.1',
    no_proxy: '127.0.0.1',
  };
}

/** A tenant built from a folder of gcloud exports (examples/acme/raw/gcp): the live run can then equal the import. */
export function tenantFromExports(dir: string): GcpTenant {
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
  const org = (read('organizations.json') as Json[])[0]!;
  const orgId = String(org.name).split('/')[1]!;
  const tenant: GcpTenant = {
    org: {
      id: orgId,
      displayName: String(org.displayName),
      customerId: String((org.owner as Json).directoryCustomerId),
    },
    folders: (read('resource-manager.folders.json') as Json[]).map((f) => ({
      name: String(f.name),
      displayName: String(f.displayName),
      parent: String(f.parent),
    })),
    projects: (read('projects.json') as Json[]).map((p) => ({
      projectId: String(p.projectId),
      projectNumber: String(p.projectNumber),
      name: String(p.name),
      parent: `${(p.parent as Json).type === 'folder' ? 'folders' : 'organizations'}/${(p.parent as Json).id}`,
    })),
    asset: read('asset.search-all-iam-policies.json') as Json[],
    policies: new Map(),
    deny: new Map(),
    roles: new Map(),
    serviceAccounts: new Map(),
    keys: new Map(),
    orgPolicies: new Map(),
    users: ((read('admin.directory.users.json') as Json).users as Json[]) ?? [],
  };
  const numberToId = new Map(tenant.projects.map((p) => [p.projectNumber, p.projectId]));
  for (const r of tenant.asset) {
    const resource = String(r.resource).replace('//cloudresourcemanager.googleapis.com/', '');
    const project = /^projects\/(\d+)$/.exec(resource)?.[1];
    if (/^(organizations|folders|projects)\//.test(resource))
      tenant.policies.set(project ? `projects/${numberToId.get(project) ?? project}` : resource, r.policy as Json);
  }
  for (const name of readdirSync(dir)) {
    const value = read(name);
    const items = Array.isArray(value) ? (value as Json[]) : [value as Json];
    if (name.startsWith('deny-policy') || name.startsWith('iam.policies')) {
      for (const p of items) {
        const point = decodeURIComponent(String(p.name).split('/')[1]!).replace(
          'cloudresourcemanager.googleapis.com/',
          '',
        );
        tenant.deny.set(point, [...(tenant.deny.get(point) ?? []), p]);
      }
    } else if (name.startsWith('iam.roles')) {
      for (const r of items) {
        const parent = String(r.name).split('/roles/')[0]!;
        tenant.roles.set(parent, [...(tenant.roles.get(parent) ?? []), r]);
      }
    } else if (name.startsWith('iam.service-accounts.keys.')) {
      const email = name.slice('iam.service-accounts.keys.'.length, -'.json'.length);
      tenant.keys.set(email, items);
    } else if (name.startsWith('iam.service-accounts.')) {
      for (const a of items)
        tenant.serviceAccounts.set(String(a.projectId), [
          ...(tenant.serviceAccounts.get(String(a.projectId)) ?? []),
          a,
        ]);
    } else if (name.startsWith('org-policies.')) {
      for (const p of items) tenant.orgPolicies.set(String(p.name), p);
    }
  }
  return tenant;
}
