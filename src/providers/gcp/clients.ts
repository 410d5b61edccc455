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
import { HttpError } from '../cloud/retry.js';

export const SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/admin.directory.user.readonly'];

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
  let gapic: { fallback: boolean; auth: GoogleAuth; apiEndpoint?: string; port?: number; protocol?: string } = { fallback: true, auth };
  let rootUrl: string | undefined;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UserError(`--endpoint "${endpoint}" is not a URL`, { where: '--endpoint', hint: 'e.g. --endpoint http://127.0.0.1:8080' });
    }
    const protocol = url.protocol.replace(':', '');
    gapic = { ...gapic, apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
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
    iam: iam({ version: "v1", ...googleapis } as never) as unknown as iam_v1.Iam,
    admin: admin({ version: "directory_v1", ...googleapis } as never) as unknown as admin_directory_v1.Admin,
  };
  return {
    ...clients,
    close: async () => {
      await Promise.all([clients.asset.close(), clients.organizations.close(), clients.folders.close(), clients.projects.close(), clients.deny.close(), clients.orgPolicy.close()]);
    },
  };
}

/**
 * org-policy bundles an older google-gax that spreads `getRequestHeaders()` into a plain object, while
 * google-auth-library 10 returns a `Headers` instance (whose entries do not spread): hand it plain headers.
 */
function plainHeaders(client: { getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>; universeDomain?: string }) {
  return {
    universeDomain: client.universeDomain ?? 'googleapis.com',
    getRequestHeaders: async (url?: string) => {
      const headers = await client.getRequestHeaders(url);
      return headers instanceof Headers ? Object.fromEntries(headers.entries()) : headers;
    },
  };
}

/** gRPC status codes (as the REST fallback reports them) and the HTTP status each stands for. */
const RPC_TO_HTTP: Record<number, number> = { 3: 400, 5: 404, 7: 403, 8: 429, 9: 400, 10: 409, 13: 500, 14: 503, 16: 401, 4: 504 };
const RPC_NAMES: Record<number, string> = { 3: 'INVALID_ARGUMENT', 5: 'NOT_FOUND', 7: 'PERMISSION_DENIED', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 13: 'INTERNAL', 14: 'UNAVAILABLE', 16: 'UNAUTHENTICATED', 4: 'DEADLINE_EXCEEDED' };

/** Any client-library error as a kit HttpError (status, Google's status name, message, Retry-After). */
export function toHttpError(error: unknown): unknown {
  if (error instanceof HttpError || error === null || typeof error !== 'object') return error;
  const e = error as { code?: unknown; status?: unknown; message?: string; response?: { status?: number; headers?: Record<string, string> | { get?(n: string): string | null }; data?: { error?: { status?: string; message?: string } } } };
  if (e.response?.status !== undefined) {
    // gaxios (googleapis): the HTTP answer itself.
    const headers = e.response.headers as Record<string, string> | undefined;
    const retryAfter = headers && typeof headers === 'object' ? Number((headers as Record<string, string>)['retry-after']) : Number.NaN;
    const body = e.response.data?.error;
    return new HttpError(e.response.status, body?.status ?? `HTTP${e.response.status}`, body?.message ?? e.message ?? 'no message', Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
  }
  if (typeof e.code === 'number' && RPC_TO_HTTP[e.code] !== undefined) {
    // google-gax (REST fallback): a gRPC code; the message starts with the HTTP status and Google's status name.
    const message = (e.message ?? '').replace(/^\d+\s+[A-Z_]+:\s*/, '');
    return new HttpError(RPC_TO_HTTP[e.code]!, RPC_NAMES[e.code] ?? `RPC${e.code}`, message || 'no message');
  }
  if (typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)$/.test(e.code)) return error;
  return error;
}
