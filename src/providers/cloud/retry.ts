/**
 * Retries with exponential backoff and full jitter that honour `Retry-After`, for HTTP-based APIs without an SDK
 * retry of their own (Azure Resource Manager and Microsoft Graph REST, Google REST). The AWS SDK retries itself
 * (adaptive mode); its attempts are counted through `countAttempts` instead.
 */
import { countAttempts, isThrottle, type CallStats } from './stats.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  maxAttempts?: number;
  /** First backoff; doubled each retry (default 500 ms). */
  baseDelayMs?: number;
  /** Cap on one wait, Retry-After included (default 60 s). */
  maxDelayMs?: number;
  stats?: CallStats;
  /** Called before each wait (progress lines). */
  onRetry?: (info: { attempt: number; delayMs: number; status?: number; code?: string }) => void;
  /** Replaces the wait (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (tests pin it). */
  random?: () => number;
}

/** A non-2xx HTTP answer, with what retries and gaps need. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** Milliseconds the server asked to wait (Retry-After, x-ms-retry-after-ms), when it did. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The wait a response asks for: `Retry-After` as seconds or an HTTP date, or Azure's `retry-after-ms` /
 * `x-ms-retry-after-ms`. Undefined when there is none or it cannot be read.
 */
export function retryAfterMs(headers: { get(name: string): string | null }, now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers.get(name);
    if (value !== null && /^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value));
  }
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether a failed attempt is worth another: throttling, 5xx, and network errors (resets, timeouts). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError)
    return error.status === 408 || error.status === 429 || error.status >= 500 || isThrottle(error.code);
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(code)
  );
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` until it succeeds, fails with a non-retryable error, or runs out of attempts (the last error is
 * thrown). The wait is the server's Retry-After when it gave one, else exponential backoff with full jitter.
 * Every attempt is counted in `stats`.
 */
export async function withRetries<T>(call: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 6;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await call(attempt);
      if (options.stats) countAttempts(options.stats, attempt);
      return value;
    } catch (error) {
      const http = error instanceof HttpError ? error : undefined;
      if (attempt >= maxAttempts || !isRetryable(error)) {
        if (options.stats) countAttempts(options.stats, attempt, http?.code, http?.status);
        throw error;
      }
      const backoff = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      const delayMs = Math.min(cap, http?.retryAfterMs ?? backoff);
      options.onRetry?.({ attempt, delayMs, ...(http ? { status: http.status, code: http.code } : {}) });
      await sleep(delayMs);
    }
  }
}

/** What `fetchJson` sends: a method, headers (the bearer token), and a JSON body. */
export interface JsonRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  /** Per-attempt timeout (default 60 s). */
  timeoutMs?: number;
}

/** The error code in an Azure (`error.code`), Graph (`error.code`) or Google (`error.status`) error body. */
function errorCodeOf(status: number, body: unknown): { code: string; message: string } {
  const error = (body as { error?: { code?: unknown; status?: unknown; message?: unknown } } | null)?.error;
  const code =
    typeof error?.code === 'string' ? error.code : typeof error?.status === 'string' ? error.status : `HTTP${status}`;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  return { code, message };
}

/**
 * GET/POST a JSON API with retries (429, 5xx, network errors; Retry-After honoured), read-only by contract: callers
 * only use POST for query APIs that read (e.g. Resource Graph, `testIamPermissions`). Non-2xx is an `HttpError`
 * carrying the API's own error code, which `attempt` turns into a gap.
 */
export async function fetchJson<T = unknown>(
  url: string,
  request: JsonRequest = {},
  options: RetryOptions = {},
): Promise<T> {
  return withRetries(async () => {
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(request.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const { code, message } = errorCodeOf(response.status, body);
      throw new HttpError(response.status, code, message, retryAfterMs(response.headers));
    }
    return body as T;
  }, options);
}

/**
 * Follows a paged JSON API to the end: `next` reads the next-page URL from a page (`nextLink`, `@odata.nextLink`,
 * or a `pageToken` URL built by the caller) and the items of every page are concatenated.
 */
export async function fetchAllPages<P, I>(
  firstUrl: string,
  items: (page: P) => I[] | undefined,
  next: (page: P) => string | undefined,
  request: JsonRequest = {},
  options: RetryOptions = {},
): Promise<I[]> {
  const all: I[] = [];
  let url: string | undefined = firstUrl;
  const seen = new Set<string>();
  while (url !== undefined) {
    if (seen.has(url)) throw new Error(`paging loops back to ${url}`);
    seen.add(url);
    const page: P = await fetchJson<P>(url, request, options);
    all.push(...(items(page) ?? []));
    url = next(page);
  }
  return all;
}
