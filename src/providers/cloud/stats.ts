/**
 * Call and throttle counting over a whole collection run: progress lines and the benchmarks read it. SDKs with their
 * own retry (the AWS SDK) report attempts per call through `countAttempts`; the kit's own retry counts itself.
 */

/** Calls made (every attempt is a call on the wire), retries, and how many of those were throttled. */
export interface CallStats {
  calls: number;
  retries: number;
  throttled: number;
}

export function createStats(): CallStats {
  return { calls: 0, retries: 0, throttled: 0 };
}

/** Error codes that mean "slow down" across AWS, Azure and Google APIs. */
const THROTTLE_CODE =
  /Throttl|TooManyRequests|RequestLimitExceeded|RateLimit|SlowDown|RESOURCE_EXHAUSTED|rateLimitExceeded|userRateLimitExceeded/i;

/** Whether an error code or HTTP status says the caller was throttled. */
export function isThrottle(code: string | undefined, status?: number): boolean {
  return status === 429 || (code !== undefined && THROTTLE_CODE.test(code));
}

/**
 * Records one logical call that took `attempts` attempts on the wire (`attempts - 1` retries). A retried call is
 * counted as throttled once per retry; a call that failed on its only attempt with a throttle code counts once.
 */
export function countAttempts(stats: CallStats, attempts: number, failureCode?: string, status?: number): void {
  const n = Math.max(1, Math.floor(attempts));
  stats.calls += n;
  stats.retries += n - 1;
  if (n > 1) stats.throttled += n - 1;
  else if (isThrottle(failureCode, status)) stats.throttled += 1;
}

/** `123 calls, 4 throttled` for progress lines. */
export function describeStats(stats: CallStats): string {
  return `${stats.calls} calls, ${stats.throttled} throttled`;
}
