/**
 * A local fake of the Azure Resource Manager and Microsoft Graph reads cloudward makes, over HTTPS with a test-only
 * loopback certificate (the Azure SDK sends bearer tokens only over TLS), for the real SDK clients. ARM lists answer in
 * REST shape (`properties`, `nextLink`), Graph lists with `@odata.context` and `@odata.nextLink`, both paged at
 * `pageSize`. Faults (403, licence errors, 429 with Retry-After, 5xx) are injected per path; every request is recorded
 * with the operation id it stands for and the token audience it carried.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen.js';
import { armExampleBody, isRefusal, matchArm, matchGraph, type Unmatched } from './spec-routes.js';

/** One subscription's ARM data, items flattened as `az` prints them. */
export interface FakeSubscription {
  id: string;
  name: string;
  roleAssignments: Array<Record<string, unknown>>;
  roleDefinitions: Array<Record<string, unknown>>;
  roleEligibilitySchedules: Array<Record<string, unknown>>;
  roleAssignmentScheduleInstances: Array<Record<string, unknown>>;
  diagnosticSettings: Array<Record<string, unknown>>;
  /** Definitions only a GET by id returns (no list shows them, e.g. defined in a subscription not read). */
  unlistedRoleDefinitions?: Array<Record<string, unknown>>;
  /** Compute that runs as managed identities, by provider list (`virtualMachines`, `automationAccounts`, `sites`, `workflows`, `managedClusters`). */
  compute?: Record<string, Array<Record<string, unknown>>>;
}

export interface FakeTenant {
  tenantId: string;
  subscriptions: FakeSubscription[];
  organization: Array<Record<string, unknown>>;
  users: Array<Record<string, unknown>>;
  groups: Array<Record<string, unknown>>;
  /** Transitive members by group id. */
  members: Record<string, Array<Record<string, unknown>>>;
  servicePrincipals: Array<Record<string, unknown>>;
  registrationDetails: Array<Record<string, unknown>>;
  directoryRoleAssignments: Array<Record<string, unknown>>;
  directoryRoleDefinitions: Array<Record<string, unknown>>;
  directoryRoleEligibilitySchedules: Array<Record<string, unknown>>;
  directoryRoleAssignmentScheduleInstances: Array<Record<string, unknown>>;
  conditionalAccessPolicies: Array<Record<string, unknown>>;
  securityDefaults: Record<string, unknown>;
  /** App registrations with their owners (`$expand=owners`). */
  applications?: Array<Record<string, unknown>>;
  /** App role assignments granted for a resource service principal, by its id. */
  appRoleAssignedTo?: Record<string, Array<Record<string, unknown>>>;
  /** Administrative units with their members (`$expand=members`). */
  administrativeUnits?: Array<Record<string, unknown>>;
}

export interface FakeFault {
  /** Matches the operation id (`GET /subscriptions/{id}/...`) or the request (`GET /subscriptions/<guid>/...`). */
  operation: RegExp;
  status: number;
  code: string;
  message?: string;
  /** Seconds, for 429 (`Retry-After`). */
  retryAfter?: number;
  /** Milliseconds, for 429 (`retry-after-ms`, as ARM sends it beside or instead of `Retry-After`). */
  retryAfterMs?: number;
  /** How many matching requests fail (default: all). */
  times?: number;
}

export interface FakeCall {
  /** `GET /subscriptions/{id}/providers/...`: the declared operation id. */
  operation: string;
  path: string;
  /** The query string as sent (`?api-version=...&$filter=...`), empty when none. */
  query: string;
  /** The token's audience (the fake credential puts it in the token). */
  audience: string;
  /** When the server saw it (ms). */
  at: number;
}

export interface FakeAzure {
  armEndpoint: string;
  graphEndpoint: string;
  caPem: string;
  calls: FakeCall[];
  /** Requests no route generated from the specifications matched (answered 400/404 as the service would). */
  unmatched: Unmatched[];
  /** The specification operation each call matched (`RoleDefinitions_List`, `GET /users`, ...), by call. */
  specOperations: string[];
  count(operation: RegExp): number;
  close(): Promise<void>;
}

let certificate: Promise<{ key: string; cert: string }> | undefined;

/**
 * The self-signed certificate for localhost and 127.0.0.1 that the fake serves, a test-only pair checked in under
 * test/support/tls/ (see the README there): no openssl binary needed, no RSA key made per test process.
 */
function loopbackCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= Promise.all([
    readFile(new URL('tls/localhost.key.pem', import.meta.url), 'utf8'),
    readFile(new URL('tls/localhost.cert.pem', import.meta.url), 'utf8'),
  ]).then(([key, cert]) => ({ key, cert }));
  return certificate;
}

/** A TokenCredential whose token names the scope it was asked for, so the server can check the audience. */
export const fakeCredential = {
  getToken: async (scopes: string | string[]) => ({
    token: `fake-token ${[scopes].flat().join(' ')}`,
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

// ARM keeps a resource's identity, kind and location beside its id, outside `properties`.
const ARM_ID_FIELDS = new Set(['id', 'name', 'type', 'identity', 'kind', 'location']);

/** An ARM item in REST shape: id, name and type at the top, everything else under `properties`. */
function armShape(item: Record<string, unknown>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const top: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (ARM_ID_FIELDS.has(key)) top[key] = value;
    else if (key === 'roleType') properties.type = value;
    else if (key !== 'principalName' && key !== 'roleDefinitionName' && key !== 'resourceGroup')
      properties[key] = value;
  }
  return { ...top, properties };
}

function operationOf(path: string): string {
  return `GET ${path.replace(/^\/v1\.0(?=\/)/, '').replace(/\/(subscriptions|groups|managementGroups|roleDefinitions|servicePrincipals)\/[^/]+/g, '/$1/{id}')}`;
}

export interface FakeAzureOptions {
  pageSize?: number;
  faults?: FakeFault[];
  /**
   * Answer each operation that has a vendor example (the ARM swagger's x-ms-examples files, the Graph API page's
   * response) with that example's body, whatever the subscription or query; other operations answer from the tenant.
   */
  examples?: boolean;
}

/**
 * An example body as served: untouched, except that a `nextLink` that is no URL (the swagger examples write `"..."`
 * for "more pages follow") is left out, since the service only ever sends an absolute URL there.
 */
function servedExample(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { nextLink, ...rest } = body as Record<string, unknown>;
  return typeof nextLink === 'string' && !/^https:\/\//.test(nextLink) ? rest : body;
}

export async function startFakeAzure(tenant: FakeTenant, options: FakeAzureOptions = {}): Promise<FakeAzure> {
  const { key, cert } = await loopbackCertificate();
  const pageSize = options.pageSize ?? 2;
  const faults = (options.faults ?? []).map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY }));
  const calls: FakeCall[] = [];
  const unmatched: Unmatched[] = [];
  const specOperations: string[] = [];
  let base = '';

  const page = (res: ServerResponse, url: URL, items: unknown[], graph: string | undefined, paged = true) => {
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const slice = paged ? items.slice(skip, skip + pageSize) : items;
    const next = paged && skip + pageSize < items.length ? new URL(url.href) : undefined;
    next?.searchParams.set('$skiptoken', String(skip + pageSize));
    const body: Record<string, unknown> = graph
      ? { '@odata.context': `${graph.split('$metadata')[0]}$metadata#${graph.split('#')[1]}`, value: slice }
      : { value: slice };
    if (next) body[graph ? '@odata.nextLink' : 'nextLink'] = next.href;
    send(res, 200, body);
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? base.slice(8)}`);
    const operation = operationOf(url.pathname);
    const audience = /^Bearer fake-token (\S+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    calls.push({ operation, path: url.pathname, query: url.search, audience, at: Date.now() });
    const isGraph = url.pathname.startsWith('/v1.0/');
    if (!audience)
      return send(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
    const matched = isGraph ? matchGraph(req.method ?? 'GET', url) : matchArm(req.method ?? 'GET', url);
    if (isRefusal(matched)) {
      unmatched.push({ method: req.method ?? 'GET', url: `${url.pathname}${url.search}`, reason: matched.reason });
      return send(res, matched.status, { error: { code: matched.code, message: matched.reason } });
    }
    specOperations.push(matched.route.id);
    // Lists the specification marks as unpaged (x-ms-pageable nextLinkName null) come whole.
    const paged = !('nextLink' in matched.route) || matched.route.nextLink !== null;
    const fault = faults.find(
      (f) => f.left > 0 && (f.operation.test(operation) || f.operation.test(`GET ${url.pathname}`)),
    );
    if (fault) {
      fault.left--;
      const headers: Record<string, string> = {
        ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
        ...(fault.retryAfterMs !== undefined ? { 'retry-after-ms': String(fault.retryAfterMs) } : {}),
      };
      // Graph adds innerError (date, request-id, client-request-id) to the error; ARM sends code and message.
      const innerError = isGraph
        ? {
            innerError: {
              date: new Date().toISOString().slice(0, 19),
              'request-id': '6a7e1b8c-0000-4000-8000-000000000001',
              'client-request-id': '6a7e1b8c-0000-4000-8000-000000000001',
            },
          }
        : {};
      return send(
        res,
        fault.status,
        { error: { code: fault.code, message: fault.message ?? fault.code, ...innerError } },
        headers,
      );
    }
    if (options.examples) {
      const example = 'apiVersion' in matched.route ? armExampleBody(matched.route) : matched.route.example;
      if (example !== undefined) return send(res, 200, servedExample(example));
    }
    const graphContext = (set: string) => `https://graph.microsoft.com/v1.0/$metadata#${set}`;
    const path = url.pathname.replace(/^\/v1\.0/, '');
    if (isGraph) {
      const lists: Record<string, [unknown[], string]> = {
        '/organization': [tenant.organization, 'organization'],
        '/users': [tenant.users, 'users'],
        '/groups': [tenant.groups, 'groups'],
        '/servicePrincipals': [tenant.servicePrincipals, 'servicePrincipals'],
        '/reports/authenticationMethods/userRegistrationDetails': [
          tenant.registrationDetails,
          'reports/authenticationMethods/userRegistrationDetails',
        ],
        '/roleManagement/directory/roleAssignments': [
          tenant.directoryRoleAssignments,
          'roleManagement/directory/roleAssignments',
        ],
        '/roleManagement/directory/roleDefinitions': [
          tenant.directoryRoleDefinitions,
          'roleManagement/directory/roleDefinitions',
        ],
        '/roleManagement/directory/roleEligibilitySchedules': [
          tenant.directoryRoleEligibilitySchedules,
          'roleManagement/directory/roleEligibilitySchedules',
        ],
        '/roleManagement/directory/roleAssignmentScheduleInstances': [
          tenant.directoryRoleAssignmentScheduleInstances,
          'roleManagement/directory/roleAssignmentScheduleInstances',
        ],
        '/identity/conditionalAccess/policies': [
          tenant.conditionalAccessPolicies,
          'identity/conditionalAccess/policies',
        ],
        '/applications': [tenant.applications ?? [], 'applications'],
        '/directory/administrativeUnits': [tenant.administrativeUnits ?? [], 'directory/administrativeUnits'],
      };
      const list = lists[path];
      if (list) return page(res, url, list[0], graphContext(list[1]));
      if (path === '/policies/identitySecurityDefaultsEnforcementPolicy')
        return send(res, 200, {
          '@odata.context': graphContext('policies/identitySecurityDefaultsEnforcementPolicy/$entity'),
          ...tenant.securityDefaults,
        });
      const granted = /^\/servicePrincipals\/([^/]+)\/appRoleAssignedTo$/.exec(path);
      if (granted)
        return page(
          res,
          url,
          tenant.appRoleAssignedTo?.[granted[1]!] ?? [],
          graphContext(`servicePrincipals('${granted[1]}')/appRoleAssignedTo`),
        );
      const members = /^\/groups\/([^/]+)\/transitiveMembers$/.exec(path);
      if (members) return page(res, url, tenant.members[members[1]!] ?? [], graphContext('directoryObjects'));
      return send(res, 404, { error: { code: 'Request_ResourceNotFound', message: `no route ${path}` } });
    }
    if (path === '/subscriptions') {
      return page(
        res,
        url,
        tenant.subscriptions.map((s) => ({
          id: `/subscriptions/${s.id}`,
          authorizationSource: 'RoleBased',
          managedByTenants: [],
          subscriptionId: s.id,
          tenantId: tenant.tenantId,
          displayName: s.name,
          state: 'Enabled',
          subscriptionPolicies: {
            locationPlacementId: 'Public_2014-09-01',
            quotaId: 'EnterpriseAgreement_2014-09-01',
            spendingLimit: 'Off',
          },
        })),
        undefined,
      );
    }
    const definition =
      /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i.exec(path);
    const inSub = definition ? tenant.subscriptions.find((x) => x.id === definition[1]) : undefined;
    if (definition && inSub) {
      // RoleDefinitions_GetById: any definition the subscription can see, listed or not.
      const found = [...inSub.roleDefinitions, ...(inSub.unlistedRoleDefinitions ?? [])].find(
        (d) => String(d.name).toLowerCase() === definition[2]!.toLowerCase(),
      );
      if (found) return send(res, 200, armShape(found));
      return send(res, 404, {
        error: {
          code: 'RoleDefinitionDoesNotExist',
          message: `The specified role definition with ID '${definition[2]}' does not exist.`,
        },
      });
    }
    const compute =
      /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.(?:Compute|Automation|Web|Logic|ContainerService)\/(\w+)$/i.exec(
        path,
      );
    const computeSub = compute ? tenant.subscriptions.find((s) => s.id === compute[1]) : undefined;
    if (compute && computeSub)
      return page(res, url, (computeSub.compute?.[compute[2]!] ?? []).map(armShape), undefined, paged);
    const arm = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.(Authorization|Insights)\/(\w+)$/i.exec(path);
    const sub = arm ? tenant.subscriptions.find((s) => s.id === arm[1]) : undefined;
    if (arm && sub) {
      const kind = arm[3]!;
      let items =
        kind === 'diagnosticSettings'
          ? sub.diagnosticSettings
          : (sub as unknown as Record<string, Array<Record<string, unknown>>>)[kind];
      if (kind === 'roleDefinitions' && items) {
        // RoleDefinitions_List: "applicable at scope and above"; `$filter=atScopeAndBelow()` searches below as well.
        const filter = url.searchParams.get('$filter');
        if (filter !== null && filter !== 'atScopeAndBelow()')
          return send(res, 400, {
            error: {
              code: 'InvalidFilterInQueryString',
              message: `Invalid filter '${filter}' specified in the query string.`,
            },
          });
        const atOrAbove = (scope: string) =>
          !/\/resourceGroups\//i.test(scope) &&
          (scope === '/' ||
            /^\/providers\/Microsoft\.Management\//i.test(scope) ||
            scope.toLowerCase() === `/subscriptions/${sub.id}`);
        if (filter === null)
          items = items.filter(
            (d) => !Array.isArray(d.assignableScopes) || (d.assignableScopes as string[]).some(atOrAbove),
          );
      }
      if (items) return page(res, url, items.map(armShape), undefined, paged);
    }
    return send(res, 404, { error: { code: 'NotFound', message: `no route ${path}` } });
  };

  const server: Server = createServer({ key, cert }, handle);
  const port = await listenOnLoopback(server);
  base = `https://localhost:${port}`;
  return {
    armEndpoint: `https://localhost:${port}`,
    graphEndpoint: `https://127.0.0.1:${port}`,
    caPem: cert,
    calls,
    unmatched,
    specOperations,
    count: (operation) => calls.filter((c) => operation.test(c.operation)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
