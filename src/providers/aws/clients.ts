/**
 * SDK clients for one set of credentials, and the one place every API call goes through: it counts calls and
 * retries (for progress and the benchmark) and turns failures into the error bodies the rest of the provider reads.
 */
import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { countAttempts, type CallStats } from '../cloud/stats.js';
import type { ErrorBody } from './documents.js';

interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** How to build clients: the SDK's standard chain fills whatever is not given. */
export interface ClientSettings {
  profile?: string;
  region: string;
  endpoint?: string;
  /** Attempts per call, throttling and 5xx included (adaptive retry mode). */
  maxAttempts: number;
  credentials?: AwsCredentials;
}

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
  organizations: OrganizationsClient;
  cloudtrail: CloudTrailClient;
  account: AccountClient;
  /** CloudTrail in another region (the client of the settings' own region for that one). */
  cloudtrailIn(region: string): CloudTrailClient;
}

export type { CallStats };

/**
 * Builds the clients (IAM, STS, Organizations, Account, CloudTrail in any region). Each counts its calls through a middleware at the outermost step, so paginators and
 * the SDK's own retries are counted too (`$metadata.attempts`).
 */
export function createClients(settings: ClientSettings, stats: CallStats): AwsClients {
  // The clients are pinned, so the SDK's multi-line "future releases need Node 22" notice would only clutter the
  // progress lines on stderr; a user who sets the variable keeps their own choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: 'adaptive',
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.profile && !settings.credentials ? { profile: settings.profile } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
  // Each client is made on first use: a member account needs only IAM and CloudTrail, and with a thousand accounts
  // building the two others cost a measurable share of the run's CPU.
  const made: Partial<Record<string, { destroy(): void }>> = {};
  const counted = <C>(client: C): C => {
    (client as unknown as { middlewareStack: { add: (m: unknown, o: unknown) => void } }).middlewareStack.add(
      (next: (args: unknown) => Promise<{ output: { $metadata?: { attempts?: number } } }>) =>
        async (args: unknown) => {
          try {
            const result = await next(args);
            countCall(stats, result.output.$metadata);
            return result;
          } catch (error) {
            countCall(stats, (error as SdkError).$metadata, error);
            throw error;
          }
        },
      { step: 'initialize', name: 'cloudwardCallCounter' },
    );
    return client;
  };
  const factories: { [K in Exclude<keyof AwsClients, 'cloudtrailIn'>]: () => AwsClients[K] } = {
    iam: () => new IAMClient(config),
    sts: () => new STSClient(config),
    organizations: () => new OrganizationsClient(config),
    cloudtrail: () => new CloudTrailClient(config),
    account: () => new AccountClient(config),
  };
  const clients = {
    cloudtrailIn: (region: string) =>
      region === settings.region
        ? clients.cloudtrail
        : ((made[`cloudtrail:${region}`] ??= counted(new CloudTrailClient({ ...config, region }))) as CloudTrailClient),
  } as AwsClients;
  for (const name of Object.keys(factories) as Array<keyof typeof factories>) {
    Object.defineProperty(clients, name, {
      enumerable: true,
      get: () => (made[name] ??= counted(factories[name]()) as never),
    });
  }
  madeClients.set(clients, made);
  return clients;
}

/** The clients actually made, per clients object (so destroying never builds one just to close it). */
const madeClients = new WeakMap<AwsClients, Partial<Record<string, { destroy(): void }>>>();

export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(madeClients.get(clients) ?? {})) client?.destroy();
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { attempts?: number; httpStatusCode?: number };
  $response?: unknown;
}

/** The wire error code: IAM's query errors come back as `NoSuchEntityException`; the CLI prints `NoSuchEntity`. */
export function errorCode(error: unknown): string {
  const e = error as SdkError;
  const code = e.Code ?? e.name ?? 'UnknownError';
  return code;
}

/** An SDK failure as an error body; messages never carry credentials (the SDK does not put them there). */
export function errorBody(operation: string, error: unknown, target?: string): ErrorBody {
  const e = error as SdkError;
  const message = (e.message ?? String(error)).replace(/\s+/g, ' ').trim() || 'no message';
  return { Operation: operation, Code: errorCode(error), Message: message, ...(target ? { Target: target } : {}) };
}

/** Whether the error is the SDK failing to find any credentials (a setup problem, not a gap). */
export function isCredentialsMissing(error: unknown): boolean {
  const name = (error as SdkError).name ?? '';
  return name === 'CredentialsProviderError' || /Could not load credentials/i.test((error as SdkError).message ?? '');
}

/** Records one call's attempts into the stats (the SDK retried `attempts - 1` times: throttling or 5xx). */
function countCall(stats: CallStats, metadata: { attempts?: number } | undefined, error?: unknown): void {
  countAttempts(stats, metadata?.attempts ?? 1, error === undefined ? undefined : errorCode(error));
}
