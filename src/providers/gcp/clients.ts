/**
 * The Google client libraries cloudward reads with, on the REST transport (so an endpoint override reaches a local
 * server), authenticated by Application Default Credentials, with the libraries' own retries off: the kit's retry
 * counts every attempt and honours Retry-After.
 */
import { AssetServiceClient } from '@google-cloud/asset';
import { PoliciesClient } from '@google-cloud/iam';
import { OrgPolicyClient } from '@google-cloud/org-policy';
import { FoldersClient, OrganizationsClient, ProjectsClient } from '@google-cloud/resource-manager';
import { admin, type admin_directory_v1 } from '@googleapis/admin';
import { iam, type iam_v1 } from '@googleapis/iam';
import { GoogleAuth } from 'google-auth-library';
import { UserError } from '../../errors.js';
import { HttpError, retryAfterMs } from '../cloud/retry.js';

const SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
];

export interface GcpClients {
  asset: AssetServiceClient;
  organizations: OrganizationsClient;
  folders: FoldersClient;
  projects: ProjectsClient;
  deny: PoliciesClient;
  orgPolicy: OrgPolicyClient;
  iam: iam_v1.Iam;
  admin: admin_directory_v1.Admin;
  close(): Promise<void>;
}

/** Clients for the Google APIs, all on one endpoint when `endpoint` is given (tests, emulators, proxies). */
export async function createClients(endpoint: string | undefined): Promise<GcpClients> {
  const auth = new GoogleAuth({ scopes: SCOPES });
  let authClient;
  try {
    authClient = await auth.getClient();
  } catch (error) {
    throw new UserError(`no Google credentials: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a credential file',
    });
  }
  let gapic: { fallback: boolean; auth: GoogleAuth; apiEndpoint?: string; port?: number; protocol?: string } = {
    fallback: true,
    auth,
  };
  let rootUrl: string | undefined;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UserError(`--endpoint "${endpoint}" is not a URL`, {
        where: '--endpoint',
        hint: 'e.g. --endpoint http://127.0.0.1:8080',
      });
    }
    const protocol = url.protocol.replace(':', '');
    gapic = {
      ...gapic,
      apiEndpoint: url.hostname,
      port: Number(url.port || (protocol === 'http' ? 80 : 443)),
      protocol,
    };
    rootUrl = `${url.origin}/`;
  }
  const googleapis = { auth, retry: false, ...(rootUrl ? { rootUrl } : {}) } as const;
  const clients = {
    asset: new AssetServiceClient(gapic),
    organizations: new OrganizationsClient(gapic),
    folders: new FoldersClient(gapic),
    projects: new ProjectsClient(gapic),
    deny: new PoliciesClient(gapic),
    orgPolicy: new OrgPolicyClient({ ...gapic, auth: undefined, authClient: plainHeaders(authClient) } as never),
    iam: iam({ version: 'v1', ...googleapis } as never) as unknown as iam_v1.Iam,
    admin: admin({ version: 'directory_v1', ...googleapis } as never) as unknown as admin_directory_v1.Admin,
  };
  return {
    ...clients,
    close: async () => {
      await Promise.all([
        clients.asset.close(),
        clients.organizations.close(),
        clients.folders.close(),
        clients.projects.close(),
        clients.deny.close(),
        clients.orgPolicy.close(),
      ]);
    },
  };
}

/**
 * org-policy bundles an older google-gax that spreads `getRequestHeaders()` into a plain object, while
 * google-auth-library 10 returns a `Headers` instance (whose entries do not spread): hand it plain headers.
 */
function plainHeaders(client: {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
  universeDomain?: string;
}) {
  return {
    universeDomain: client.universeDomain ?? 'googleapis.com',
    getRequestHeaders: async (url?: string) => {
      const headers = await client.getRequestHeaders(url);
      return headers instanceof Headers ? Object.fromEntries(headers.entries()) : headers;
    },
  };
}

/** gRPC status codes (as the REST fallback reports them) and the HTTP status each stands for. */
const RPC_TO_HTTP: Record<number, number> = {
  3: 400,
  5: 404,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  13: 500,
  14: 503,
  16: 401,
  4: 504,
};
const RPC_NAMES: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
  4: 'DEADLINE_EXCEEDED',
};

interface GoogleErrorBody {
  code?: number;
  status?: string;
  message?: string;
  details?: Array<{ '@type'?: string; retryDelay?: string | { seconds?: string | number; nanos?: number } }>;
}

/** Headers as gaxios 7 gives them (a fetch `Headers`) or as gaxios 6 did (a plain object), read by name. */
function headerReader(headers: unknown): { get(name: string): string | null } | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return headers as Headers;
  const plain = new Map(
    Object.entries(headers as Record<string, unknown>).map(([k, v]) => [
      k.toLowerCase(),
      Array.isArray(v) ? String(v[0]) : String(v),
    ]),
  );
  return { get: (name) => plain.get(name.toLowerCase()) ?? null };
}

/** Google's error body: parsed JSON in `response.data`, or (google-gax on the REST fallback) the raw body as the message. */
function errorBody(data: unknown, message: string | undefined): GoogleErrorBody | undefined {
  const body = (data && typeof data === 'object' ? data : undefined) as { error?: GoogleErrorBody } | undefined;
  if (body?.error) return body.error;
  if (message?.trimStart().startsWith('{')) {
    try {
      return (JSON.parse(message) as { error?: GoogleErrorBody }).error;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The wait a `google.rpc.RetryInfo` detail asks for (`"2s"` in JSON, `{seconds, nanos}` decoded), in ms. */
function retryInfoMs(details: GoogleErrorBody['details'] | undefined): number | undefined {
  const info = details?.find((d) => d?.['@type']?.endsWith('google.rpc.RetryInfo') || (d && 'retryDelay' in d));
  const delay = info?.retryDelay;
  if (typeof delay === 'string' && /^\d+(\.\d+)?s$/.test(delay)) return Math.ceil(Number(delay.slice(0, -1)) * 1000);
  if (delay && typeof delay === 'object')
    return Math.ceil(Number(delay.seconds ?? 0) * 1000 + (delay.nanos ?? 0) / 1e6);
  return undefined;
}

/**
 * Any client-library error as a kit HttpError (status, Google's status name, message, the wait the server asked for).
 * googleapis (gaxios) and google-gax 5 on the REST fallback both throw a GaxiosError whose `response.headers` is a
 * fetch `Headers` (`get('retry-after')`; indexing it finds nothing); org-policy's google-gax 4 throws a GoogleError
 * that carries the body's `details` and no headers, so only a RetryInfo detail can say how long to wait.
 */
export function toHttpError(error: unknown): unknown {
  if (error instanceof HttpError || error === null || typeof error !== 'object') return error;
  const e = error as {
    code?: unknown;
    message?: string;
    details?: GoogleErrorBody['details'];
    statusDetails?: GoogleErrorBody['details'];
    metadata?: { get?(key: string): unknown[] };
    response?: { status?: number; headers?: unknown; data?: unknown };
  };
  if (e.response?.status !== undefined) {
    // gaxios (googleapis, and google-gax 5's REST fallback): the HTTP answer itself.
    const body = errorBody(e.response.data, e.message);
    const headers = headerReader(e.response.headers);
    const wait = (headers ? retryAfterMs(headers) : undefined) ?? retryInfoMs(body?.details);
    return new HttpError(
      e.response.status,
      body?.status ?? `HTTP${e.response.status}`,
      body?.message ?? e.message ?? 'no message',
      wait,
    );
  }
  if (typeof e.code === 'number' && RPC_TO_HTTP[e.code] !== undefined) {
    // google-gax 4 (REST fallback): a gRPC code, the body's message and details.
    const message = (e.message ?? '').replace(/^\d+\s+[A-Z_]+:\s*/, '');
    // On gRPC the response headers are the error's metadata (values are lists).
    const fromMetadata = typeof e.metadata?.get === 'function' ? e.metadata.get('retry-after')[0] : undefined;
    const metadataWait =
      fromMetadata === undefined
        ? undefined
        : retryAfterMs({ get: (name) => (name === 'retry-after' ? String(fromMetadata) : null) });
    return new HttpError(
      RPC_TO_HTTP[e.code]!,
      RPC_NAMES[e.code] ?? `RPC${e.code}`,
      message || 'no message',
      metadataWait ?? retryInfoMs(e.details) ?? retryInfoMs(e.statusDetails),
    );
  }
  return error;
}
