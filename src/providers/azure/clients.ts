/**
 * The Azure clients: `@azure/arm-authorization` for RBAC and PIM, and the same core pipeline (bearer token for the
 * endpoint's scope, retries that honour Retry-After on 429 and back off on 5xx) for the few other ARM reads and for
 * Microsoft Graph. Every attempt on the wire is counted, throttled ones too.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { TokenCredential } from '@azure/identity';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import { rootCertificates } from 'node:tls';
import { nextLinkOf } from './items.js';

export interface CallStats {
  calls: number;
  throttled: number;
  /** Calls by operation path (subscription and group ids replaced by `{id}`), for the benchmark and tests. */
  byOperation: Record<string, number>;
}

interface ClientSettings {
  credential: TokenCredential;
  armEndpoint: string;
  graphEndpoint: string;
  maxRetries: number;
  /** Shortest wait between retries without Retry-After (tests shorten it). */
  retryDelayMs?: number;
  /** Extra trusted CA certificates (PEM), beside the system ones: private clouds, TLS-inspecting proxies. */
  ca?: string;
}

/** A failed read: the HTTP status and the API's own error body. */
class AzureCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AzureCallError';
  }
}

const ID_SEGMENT = /\/(subscriptions|groups|managementGroups)\/[^/?]+/gi;

function countingPolicy(stats: CallStats): PipelinePolicy {
  return {
    name: 'cloudwardCallCount',
    async sendRequest(request, next) {
      stats.calls++;
      const path = new URL(request.url).pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '').replace(ID_SEGMENT, '/$1/{id}');
      stats.byOperation[path] = (stats.byOperation[path] ?? 0) + 1;
      const response = await next(request);
      if (response.status === 429) stats.throttled++;
      return response;
    },
  };
}

export interface AzureClients {
  authorization(subscriptionId: string): AuthorizationManagementClient;
  /** GETs a URL (absolute, or a path under the API's endpoint) and every page after it. */
  pages(api: 'arm' | 'graph', url: string): Promise<unknown[]>;
  get(api: 'arm' | 'graph', url: string): Promise<unknown>;
  stats: CallStats;
}

export function createClients(settings: ClientSettings, stats: CallStats): AzureClients {
  const retryOptions = {
    maxRetries: settings.maxRetries,
    retryDelayInMs: settings.retryDelayMs ?? 800,
    maxRetryDelayInMs: 60_000,
  };
  const tlsOptions = settings.ca ? { ca: [...rootCertificates, settings.ca].join('\n') } : undefined;
  const counter = countingPolicy(stats);
  const httpClient: HttpClient = createDefaultHttpClient();
  const pipelines: Record<'arm' | 'graph', Pipeline> = {
    arm: createPipelineFromOptions({ retryOptions, ...(tlsOptions ? { tlsOptions } : {}) }),
    graph: createPipelineFromOptions({ retryOptions, ...(tlsOptions ? { tlsOptions } : {}) }),
  };
  const endpoints = {
    arm: settings.armEndpoint.replace(/\/+$/, ''),
    graph: settings.graphEndpoint.replace(/\/+$/, ''),
  };
  for (const api of ['arm', 'graph'] as const) {
    pipelines[api].addPolicy(
      bearerTokenAuthenticationPolicy({ credential: settings.credential, scopes: `${endpoints[api]}/.default` }),
      { phase: 'Sign' },
    );
    pipelines[api].addPolicy(counter, { afterPhase: 'Retry' });
  }
  const authorizationClients = new Map<string, AuthorizationManagementClient>();
  const get = async (api: 'arm' | 'graph', url: string): Promise<unknown> => {
    const absolute = /^https?:\/\//i.test(url) ? url : `${endpoints[api]}${url}`;
    const response = await pipelines[api].sendRequest(
      httpClient,
      createPipelineRequest({ url: absolute, method: 'GET' }),
    );
    let body: unknown;
    try {
      body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
    } catch {
      throw new AzureCallError(response.status, 'InvalidJson', `the response of GET ${absolute} is not JSON`);
    }
    if (response.status >= 400) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AzureCallError(
        response.status,
        error?.code ?? `HTTP${response.status}`,
        error?.message ?? `HTTP ${response.status}`,
      );
    }
    return body;
  };
  return {
    stats,
    get,
    authorization(subscriptionId) {
      let client = authorizationClients.get(subscriptionId);
      if (!client) {
        client = new AuthorizationManagementClient(settings.credential, subscriptionId, {
          endpoint: endpoints.arm,
          retryOptions,
          ...(tlsOptions ? { tlsOptions } : {}),
          additionalPolicies: [{ policy: counter, position: 'perRetry' }],
        });
        authorizationClients.set(subscriptionId, client);
      }
      return client;
    },
    async pages(api, url) {
      const pages: unknown[] = [];
      for (let next: string | undefined = url; next; ) {
        const page = await get(api, next);
        pages.push(page);
        next = nextLinkOf(page);
        if (pages.length > 100_000) throw new AzureCallError(0, 'PagingLoop', `more than 100,000 pages from ${url}`);
      }
      return pages;
    },
  };
}

/** Status, code and message of an SDK (RestError) or REST (AzureCallError) failure. */
export function errorFacts(error: unknown): { status?: number; code: string; message: string } {
  const e = error as {
    statusCode?: number;
    status?: number;
    code?: string;
    message?: string;
    response?: { bodyAsText?: string };
  } | null;
  let code = e?.code;
  let message = e?.message ?? String(error);
  if (e?.response?.bodyAsText) {
    try {
      const body = JSON.parse(e.response.bodyAsText) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // The SDK's own message stands.
    }
  }
  const status = e?.statusCode ?? e?.status;
  return {
    ...(typeof status === 'number' ? { status } : {}),
    code: code ?? (status ? `HTTP${status}` : 'Error'),
    message: message.replace(/\s+/g, ' ').trim(),
  };
}
