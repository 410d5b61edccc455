/**
 * A local fake of the AWS APIs cloudward reads, for the real SDK clients: IAM and STS over the Query protocol (form
 * POST, XML replies), Organizations and CloudTrail over JSON 1.1 (X-Amz-Target), Account's ListRegions over REST JSON.
 * CloudTrail answers per region: the region a request was signed for (SigV4 credential scope) picks the trails. It paginates (IsTruncated/Marker,
 * NextToken), injects faults (throttling, AccessDenied, 5xx) and records every call so tests can count them.
 *
 * The account a request is for comes from the access key in its SigV4 Authorization header: the caller's keys map to
 * the caller account, and AssumeRole hands out keys `ASIA<account id>...`, as a real organization would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen.js';

/** One account's data, as the AWS CLI prints it (policy documents as objects, timestamps as ISO strings). */
export interface FakeAccountData {
  authorizationDetails: {
    UserDetailList?: unknown[];
    GroupDetailList?: unknown[];
    RoleDetailList?: unknown[];
    Policies?: unknown[];
  };
  /** The credential report CSV. */
  credentialReport: string;
  reportGeneratedTime?: string;
  summaryMap: Record<string, number>;
  virtualMfaDevices: unknown[];
  /** null: no password policy (NoSuchEntity). */
  passwordPolicy: Record<string, unknown> | null;
  /** MaxSessionDuration by role name, for ListRoles (default 3600). */
  maxSessionDuration?: Record<string, number>;
  /** Trails; each is listed in its HomeRegion, and (as a shadow trail) everywhere when multi-region or organization-wide. */
  trails: Array<Record<string, unknown>>;
  /** Regions enabled for the account (account:ListRegions); default the one region us-east-1. */
  regions?: string[];
  /** By trail ARN. */
  trailStatus: Record<string, Record<string, unknown>>;
  eventSelectors: Record<string, Record<string, unknown>>;
}

export interface FakeOrganization {
  accounts: Array<{ Id: string; Name: string; State?: string }>;
  scps: Array<{ summary: Record<string, unknown>; content: string; targets: Array<Record<string, unknown>> }>;
  /** The parent of each account and OU (ListParents); an account not listed sits under the root r-fake. */
  parents?: Record<string, { Id: string; Type: string }>;
}

export interface Fault {
  /** The API action, e.g. `GetCredentialReport`, `ListPolicies`. */
  action: string;
  /** Only for this account (default: any). */
  account?: string;
  code: string;
  status?: number;
  message?: string;
  /** How many matching requests fail (default: all). */
  times?: number;
}

export interface FakeAwsOptions {
  callerAccount: string;
  accounts: Record<string, FakeAccountData>;
  /** Omitted: the caller is in no organization (AWSOrganizationsNotInUseException). */
  organization?: FakeOrganization;
  faults?: Fault[];
  /** Generate calls that answer STARTED/INPROGRESS before COMPLETE (per account). Default 1. */
  reportReadyAfter?: number;
  /** Page sizes the server uses at most, whatever the client asks (to force pagination in small tests). */
  maxItems?: number;
  /** Accounts whose audit role cannot be assumed (AccessDenied). */
  denyAssumeRole?: string[];
  /** Milliseconds every answer waits before it is sent (benchmarks: a fixed per-call latency). */
  latencyMs?: number;
  /** Every Nth call (over all accounts) is throttled (Throttling / ThrottlingException, HTTP 400), as AWS does under load. */
  throttleEvery?: number;
}

export interface RecordedCall {
  service: 'iam' | 'sts' | 'organizations' | 'cloudtrail' | 'account';
  action: string;
  account: string;
  /** The region the request was signed for (SigV4 credential scope). */
  region: string;
  /** The access key id that signed the request (never a secret). */
  accessKeyId: string;
}

export interface FakeAws {
  endpoint: string;
  calls: RecordedCall[];
  /** Calls of one action (optionally in one account). */
  count(action: string, account?: string): number;
  close(): Promise<void>;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const DOCUMENT_KEYS = new Set(['PolicyDocument', 'AssumeRolePolicyDocument', 'Document']);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function wireDate(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/** Serializes a value the way the Query protocol does: lists as <member>, maps as <entry><key/><value/>. */
function toXml(key: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (key === 'SummaryMap' && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, number>)
      .map(([k, v]) => `<entry><key>${k}</key><value>${v}</value></entry>`)
      .join('');
    return `<${key}>${entries}</${key}>`;
  }
  if (DOCUMENT_KEYS.has(key) && typeof value === 'object')
    return `<${key}>${escapeXml(encodeURIComponent(JSON.stringify(value)))}</${key}>`;
  if (Array.isArray(value)) return `<${key}>${value.map((item) => toXml('member', item)).join('')}</${key}>`;
  if (typeof value === 'object')
    return `<${key}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${key}>`;
  if (typeof value === 'string' && /(Date|Time)$/.test(key)) return `<${key}>${escapeXml(wireDate(value))}</${key}>`;
  return `<${key}>${escapeXml(String(value))}</${key}>`;
}

/** JSON 1.1 timestamps are epoch seconds. */
function toWireJson(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => toWireJson(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWireJson(v, k)]));
  if (typeof value === 'string' && /(Time|Date)$/.test(key) && !Number.isNaN(Date.parse(value)))
    return Date.parse(value) / 1000;
  return value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function page<T>(items: T[], marker: string | undefined, max: number): { items: T[]; next?: string } {
  const start = marker ? Number(marker.replace(/^m/, '')) : 0;
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { items: slice, next: `m${start + max}` } : { items: slice };
}

/** Starts the fake on 127.0.0.1 at a random port. */
export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const calls: RecordedCall[] = [];
  const faults = (options.faults ?? []).map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY }));
  const generateCalls = new Map<string, number>();
  const readyAfter = options.reportReadyAfter ?? 1;
  const serverMax = options.maxItems ?? 1000;

  const keyOf = (request: IncomingMessage): string =>
    /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const regionOf = (request: IncomingMessage): string =>
    /Credential=[^/]+\/\d+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const accountOf = (request: IncomingMessage): string => {
    const key = keyOf(request);
    const assumed = /^ASIA(\d{12})/.exec(key);
    return assumed ? assumed[1]! : options.callerAccount;
  };
  const dataOf = (account: string): FakeAccountData => {
    const data = options.accounts[account];
    if (!data) throw new ApiError('AccessDenied', 403, `account ${account} unknown to the fake`);
    return data;
  };
  const injectFault = (action: string, account: string) => {
    const fault = faults.find(
      (f) => f.action === action && (f.account === undefined || f.account === account) && f.left > 0,
    );
    if (!fault) return;
    fault.left--;
    throw new ApiError(fault.code, fault.status ?? 400, fault.message ?? `injected ${fault.code}`);
  };

  const iam = (action: string, params: URLSearchParams, account: string): unknown => {
    const data = dataOf(account);
    const max = Math.min(Number(params.get('MaxItems') ?? 100), serverMax);
    const marker = params.get('Marker') ?? undefined;
    switch (action) {
      case 'GetAccountAuthorizationDetails': {
        const d = data.authorizationDetails;
        const all = [
          ...(d.UserDetailList ?? []).map((x) => ['UserDetailList', x] as const),
          ...(d.GroupDetailList ?? []).map((x) => ['GroupDetailList', x] as const),
          ...(d.RoleDetailList ?? []).map((x) => ['RoleDetailList', x] as const),
          ...(d.Policies ?? []).map((x) => ['Policies', x] as const),
        ];
        const p = page(all, marker, max);
        const lists: Record<string, unknown[]> = {
          UserDetailList: [],
          GroupDetailList: [],
          RoleDetailList: [],
          Policies: [],
        };
        for (const [list, item] of p.items) lists[list]!.push(item);
        return { ...lists, IsTruncated: p.next !== undefined, ...(p.next ? { Marker: p.next } : {}) };
      }
      case 'GenerateCredentialReport': {
        const n = (generateCalls.get(account) ?? 0) + 1;
        generateCalls.set(account, n);
        return {
          State: n > readyAfter ? 'COMPLETE' : n === 1 ? 'STARTED' : 'INPROGRESS',
          Description: 'No report exists. Starting a new report generation task',
        };
      }
      case 'GetCredentialReport': {
        if ((generateCalls.get(account) ?? 0) <= readyAfter)
          throw new ApiError('ReportInProgress', 404, 'Report generation is in progress');
        return {
          Content: Buffer.from(data.credentialReport, 'utf8').toString('base64'),
          ReportFormat: 'text/csv',
          GeneratedTime: data.reportGeneratedTime ?? '2026-11-01T09:00:00Z',
        };
      }
      case 'GetAccountSummary':
        return { SummaryMap: data.summaryMap };
      case 'ListVirtualMFADevices': {
        const p = page(data.virtualMfaDevices, marker, max);
        return { VirtualMFADevices: p.items, IsTruncated: p.next !== undefined, ...(p.next ? { Marker: p.next } : {}) };
      }
      case 'GetAccountPasswordPolicy':
        if (!data.passwordPolicy)
          throw new ApiError('NoSuchEntity', 404, `The Password Policy with domain name ${account} cannot be found.`);
        return { PasswordPolicy: data.passwordPolicy };
      case 'ListRoles': {
        const roles = ((data.authorizationDetails.RoleDetailList ?? []) as Array<Record<string, unknown>>).map((r) => ({
          Path: r.Path,
          RoleName: r.RoleName,
          RoleId: r.RoleId,
          Arn: r.Arn,
          CreateDate: r.CreateDate,
          AssumeRolePolicyDocument: r.AssumeRolePolicyDocument,
          MaxSessionDuration: data.maxSessionDuration?.[String(r.RoleName)] ?? 3600,
        }));
        const p = page(roles, marker, max);
        return { Roles: p.items, IsTruncated: p.next !== undefined, ...(p.next ? { Marker: p.next } : {}) };
      }
      default:
        throw new ApiError('InvalidAction', 400, `${action} is not served by the fake`);
    }
  };

  const sts = (action: string, params: URLSearchParams, account: string): unknown => {
    if (action === 'GetCallerIdentity')
      return { UserId: 'AIDAEXAMPLE', Account: account, Arn: `arn:aws:iam::${account}:user/auditor` };
    if (action === 'AssumeRole') {
      const roleArn = params.get('RoleArn') ?? '';
      const target = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
      if (!target || options.denyAssumeRole?.includes(target) || !options.accounts[target]) {
        throw new ApiError(
          'AccessDenied',
          403,
          `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
      }
      return {
        Credentials: {
          AccessKeyId: `ASIA${target}XYZ`,
          SecretAccessKey: 'fake-secret',
          SessionToken: 'fake-token',
          Expiration: new Date(Date.now() + 3600_000).toISOString(),
        },
        AssumedRoleUser: {
          AssumedRoleId: 'AROAEXAMPLE:cloudward-audit',
          Arn: `${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/cloudward-audit`,
        },
      };
    }
    throw new ApiError('InvalidAction', 400, `${action} is not served by the fake`);
  };

  const organizations = (action: string, input: Record<string, unknown>, account: string): unknown => {
    const org = options.organization;
    if (!org)
      throw new ApiError('AWSOrganizationsNotInUseException', 400, 'Your account is not a member of an organization.');
    if (account !== options.callerAccount)
      throw new ApiError('AccessDeniedException', 400, "You don't have permissions to access this resource.");
    const max = Math.min(Number(input.MaxResults ?? 20), serverMax);
    const token = input.NextToken as string | undefined;
    const find = () => {
      const scp = org.scps.find((s) => s.summary.Id === input.PolicyId);
      if (!scp) throw new ApiError('PolicyNotFoundException', 400, `policy ${String(input.PolicyId)} not found`);
      return scp;
    };
    switch (action) {
      case 'ListPolicies': {
        const p = page(
          org.scps.map((s) => s.summary),
          token,
          max,
        );
        return { Policies: p.items, ...(p.next ? { NextToken: p.next } : {}) };
      }
      case 'DescribePolicy': {
        const scp = find();
        return { Policy: { PolicySummary: scp.summary, Content: scp.content } };
      }
      case 'ListTargetsForPolicy': {
        const p = page(find().targets, token, max);
        return { Targets: p.items, ...(p.next ? { NextToken: p.next } : {}) };
      }
      case 'ListParents': {
        const child = String(input.ChildId ?? '');
        const known = org.parents?.[child];
        if (!known && !org.accounts.some((a) => a.Id === child) && child !== options.callerAccount)
          throw new ApiError('ChildNotFoundException', 400, `child ${child} not found`);
        return { Parents: [known ?? { Id: 'r-fake', Type: 'ROOT' }] };
      }
      case 'ListAccounts': {
        const p = page(
          org.accounts.map((a) => ({
            ...a,
            Arn: `arn:aws:organizations::${options.callerAccount}:account/o-example/${a.Id}`,
            Status: a.State ?? 'ACTIVE',
            State: a.State ?? 'ACTIVE',
          })),
          token,
          max,
        );
        return { Accounts: p.items, ...(p.next ? { NextToken: p.next } : {}) };
      }
      default:
        throw new ApiError('InvalidAction', 400, `${action} is not served by the fake`);
    }
  };

  const cloudtrail = (action: string, input: Record<string, unknown>, account: string, region: string): unknown => {
    const data = dataOf(account);
    switch (action) {
      case 'DescribeTrails':
        return {
          trailList: data.trails.filter(
            (t) =>
              t.HomeRegion === undefined ||
              t.HomeRegion === region ||
              t.IsMultiRegionTrail === true ||
              t.IsOrganizationTrail === true,
          ),
        };
      case 'GetTrailStatus': {
        const status = data.trailStatus[String(input.Name)];
        if (!status) throw new ApiError('TrailNotFoundException', 400, `Unknown trail: ${String(input.Name)}`);
        return status;
      }
      case 'GetEventSelectors': {
        const selectors = data.eventSelectors[String(input.TrailName)];
        if (!selectors) throw new ApiError('TrailNotFoundException', 400, `Unknown trail: ${String(input.TrailName)}`);
        return { TrailARN: input.TrailName, ...selectors };
      }
      default:
        throw new ApiError('InvalidAction', 400, `${action} is not served by the fake`);
    }
  };

  let served = 0;
  const throttled = (): boolean => options.throttleEvery !== undefined && ++served % options.throttleEvery === 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const account = accountOf(request);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') {
      const [prefix, action = ''] = target.split('.');
      const service =
        prefix === 'CloudTrail_20131101' || prefix?.includes('CloudTrail') ? 'cloudtrail' : 'organizations';
      calls.push({ service, action, account, region: regionOf(request), accessKeyId: keyOf(request) });
      try {
        if (throttled()) throw new ApiError('ThrottlingException', 400, 'Rate exceeded');
        injectFault(action, account);
        const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        const output =
          service === 'cloudtrail'
            ? cloudtrail(action, input, account, regionOf(request))
            : organizations(action, input, account);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fake' });
        response.end(JSON.stringify(toWireJson(output)));
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('InternalFailure', 500, String(error));
        response.writeHead(e.status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': 'fake',
          'x-amzn-errortype': e.code,
        });
        response.end(JSON.stringify({ __type: e.code, message: e.message }));
      }
      return;
    }
    if (request.url === '/listRegions') {
      // The Account API is REST JSON: the operation is the path, errors name their type in x-amzn-errortype.
      calls.push({
        service: 'account',
        action: 'ListRegions',
        account,
        region: regionOf(request),
        accessKeyId: keyOf(request),
      });
      try {
        if (throttled()) throw new ApiError('ThrottlingException', 429, 'Rate exceeded');
        injectFault('ListRegions', account);
        const input = body
          ? (JSON.parse(body) as { RegionOptStatusContains?: string[]; MaxResults?: number; NextToken?: string })
          : {};
        const regions = (dataOf(account).regions ?? ['us-east-1']).map((RegionName) => ({
          RegionName,
          RegionOptStatus: RegionName === 'us-east-1' ? 'ENABLED_BY_DEFAULT' : 'ENABLED',
        }));
        const wanted = input.RegionOptStatusContains;
        const p = page(
          regions.filter((r) => !wanted || wanted.includes(r.RegionOptStatus)),
          input.NextToken,
          Math.min(input.MaxResults ?? 50, serverMax),
        );
        response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'fake' });
        response.end(JSON.stringify({ Regions: p.items, ...(p.next ? { NextToken: p.next } : {}) }));
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('InternalServerException', 500, String(error));
        response.writeHead(e.status, {
          'content-type': 'application/json',
          'x-amzn-requestid': 'fake',
          'x-amzn-errortype': e.code,
        });
        response.end(JSON.stringify({ message: e.message }));
      }
      return;
    }
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const service = params.get('Version') === '2011-06-15' ? 'sts' : 'iam';
    calls.push({ service, action, account, region: regionOf(request), accessKeyId: keyOf(request) });
    try {
      if (throttled()) throw new ApiError('Throttling', 400, 'Rate exceeded');
      injectFault(action, account);
      const output = service === 'sts' ? sts(action, params, account) : iam(action, params, account);
      const inner = Object.entries(output as Record<string, unknown>)
        .map(([k, v]) => toXml(k, v))
        .join('');
      const ns = service === 'sts' ? STS_NS : IAM_NS;
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<${action}Response xmlns="${ns}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError('ServiceFailure', 500, String(error));
      response.writeHead(e.status, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
      );
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    count: (action, account) =>
      calls.filter((c) => c.action === action && (account === undefined || c.account === account)).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
