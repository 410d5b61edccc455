import type { ClientKind } from './event.js';

/** Application ids of Microsoft's first-party clients (azure-cli identity.py, azure-powershell AuthenticationHelpers.cs). */
export const AZURE_APP_IDS: Record<string, { kind: ClientKind; tool: string }> = {
  '04b07795-8ddb-461a-bbee-02f9e1bf7b46': { kind: 'cli', tool: 'azure-cli' },
  '1950a258-227b-4e31-a9cf-717495945fc2': { kind: 'powershell', tool: 'azure-powershell' },
  'c44b4083-3bb0-49c1-b47d-974e53cbdf3c': { kind: 'console', tool: 'azure-portal' },
};

export interface ClientInfo {
  kind: ClientKind;
  tool: string | null;
  scripted: boolean | null;
}

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

function classify(ua: string): ClientInfo {
  for (const [re, tool] of TOOL_MARKERS) if (re.test(ua)) return { kind: 'tool', tool, scripted: null };
  // AWS: the CLI and SDKs add exec-env/<AWS_EXECUTION_ENV>; CloudShell sets it to CloudShell.
  const cloudShell = ua.includes('exec-env/CloudShell') || ua.includes('environment/devshell') || ua.includes('cloud-shell/');
  let kind: ClientKind = 'unknown';
  let tool: string | null = null;
  let scripted: boolean | null = null;
  if (ua.includes('gcloud/') || ua.startsWith('google-cloud-sdk')) {
    kind = 'cli';
    tool = 'gcloud';
    const script = /from-script\/(True|False)/i.exec(ua);
    if (script) scripted = script[1]!.toLowerCase() === 'true';
  } else if (ua.startsWith('aws-cli/')) {
    kind = 'cli';
    tool = 'aws-cli';
  } else if (/^Boto3\/|^Botocore\//.test(ua)) {
    kind = 'sdk';
    tool = 'boto3';
  } else if (ua.startsWith('AWSPowerShell') || ua.includes('PowerShellCore/') || ua.includes('AzurePowershell/')) {
    kind = 'powershell';
    tool = ua.startsWith('AWSPowerShell') ? 'aws-powershell' : 'azure-powershell';
  } else if (ua.startsWith('AZURECLI/')) {
    kind = 'cli';
    tool = 'azure-cli';
  } else if (/Terraform\//.test(ua)) {
    kind = 'sdk';
    tool = 'terraform';
  } else if (/^aws-sdk-|^aws-internal\/|^APN\/|google-api-|gl-python\/|grpc-|^azsdk-/.test(ua)) {
    kind = ua.startsWith('aws-internal/') ? 'service' : 'sdk';
    tool = /^([A-Za-z0-9_.-]+)/.exec(ua)?.[1] ?? null;
  } else if (ua === 'console.amazonaws.com' || ua === 'AWS Internal' || ua.startsWith('signin.amazonaws.com')) {
    kind = 'console';
  } else if (/^[a-z0-9.-]+\.amazonaws\.com$/.test(ua)) {
    kind = 'service';
    tool = ua;
  } else if (ua.startsWith('Mozilla/')) {
    kind = 'browser';
  }
  if (cloudShell && kind !== 'browser') kind = 'cloud-shell';
  return { kind, tool, scripted };
}
