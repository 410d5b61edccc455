import type { ClientInfo, UserAgentMarker } from '../events/audit-logs.js';
import { userAgentMarkers } from './log-readers.js';

export type { ClientInfo };

/** User-agent markers of offensive tooling (Elastic f80ea920, Sigma a840e606 / 9b1b8e9b / 35b781cc / db014773). */
const TOOL_MARKERS: Array<[RegExp, string]> = [
  [/trufflehog/i, 'trufflehog'],
  [/azurehound/i, 'azurehound'],
  [/distrib#kali|\+kali|kali-amd64/i, 'kali'],
  [/\bpacu\b/i, 'pacu'],
  [/S3 Browser/, 's3browser'],
];

/** The same few user agents make most calls; each is classified once (the cache is dropped when it fills up). */
const cache = new Map<string, ClientInfo>();
const CACHE_LIMIT = 20_000;

/** Classifies a user agent string (AWS userAgent, GCP callerSuppliedUserAgent, Entra userAgent). */
export function classifyUserAgent(ua: string | null | undefined): ClientInfo {
  if (!ua) return { kind: 'unknown', tool: null, scripted: null };
  let info = cache.get(ua);
  if (!info) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    info = classify(ua);
    cache.set(ua, info);
  }
  return info;
}

let markers: ReturnType<typeof userAgentMarkers> | undefined;

/** The first of the markers that the user agent matches, as the client it says. */
function firstMarker(list: UserAgentMarker[], ua: string): ClientInfo | undefined {
  const marker = list.find((m) => m.pattern.test(ua));
  if (!marker) return undefined;
  return {
    kind: marker.kind,
    tool: typeof marker.tool === 'function' ? marker.tool(ua) : marker.tool,
    scripted: marker.scripted?.(ua) ?? null,
  };
}

/**
 * Offensive tools first, then the providers' CLIs and shells, then tools that drive every provider's SDK (Terraform,
 * whose user agent carries the SDK's too), then the providers' SDK and service markers, then a browser.
 */
function classify(ua: string): ClientInfo {
  for (const [re, tool] of TOOL_MARKERS) if (re.test(ua)) return { kind: 'tool', tool, scripted: null };
  const { early, late, cloudShell } = (markers ??= userAgentMarkers());
  const inCloudShell = cloudShell.some((marker) => ua.includes(marker));
  const info: ClientInfo = firstMarker(early, ua) ??
    (/Terraform\//.test(ua) ? { kind: 'sdk', tool: 'terraform', scripted: null } : undefined) ??
    firstMarker(late, ua) ?? { kind: ua.startsWith('Mozilla/') ? 'browser' : 'unknown', tool: null, scripted: null };
  if (inCloudShell && info.kind !== 'browser') info.kind = 'cloud-shell';
  return info;
}
