import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describeReadError, realPathUnder } from './host-files.js';

/** One cloud credential file on disk: where, for which tool, and whether it lasts. Never its content. */
interface CredentialFinding {
  tool: string;
  path: string;
  kind: 'long-lived' | 'short-lived';
  detail: string;
}

/** Credential files are small; a bigger one is read no further. */
const MAX_CREDENTIAL_BYTES = 1024 * 1024;

/**
 * AWS shared credentials (INI): a profile with an access key and no session token is a long-lived IAM user key.
 * Only profile names are kept; key ids and secrets are read in memory and dropped.
 */
export function classifyAwsCredentials(text: string): Array<Omit<CredentialFinding, 'path'>> {
  const profiles = new Map<string, { key: boolean; session: boolean; process: boolean }>();
  let profile = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[#;].*$/, '').trim();
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      profile = section[1]!;
      continue;
    }
    const key = /^([A-Za-z_]+)\s*=/.exec(line)?.[1]?.toLowerCase();
    if (!key || !profile) continue;
    const entry = profiles.get(profile) ?? { key: false, session: false, process: false };
    if (key === 'aws_access_key_id') entry.key = true;
    if (key === 'aws_session_token' || key === 'aws_security_token') entry.session = true;
    if (key === 'credential_process') entry.process = true;
    profiles.set(profile, entry);
  }
  const longLived = [...profiles].filter(([, e]) => e.key && !e.session).map(([name]) => name);
  const shortLived = [...profiles].filter(([, e]) => e.key && e.session).map(([name]) => name);
  const out: Array<Omit<CredentialFinding, 'path'>> = [];
  if (longLived.length > 0)
    out.push({ tool: 'aws', kind: 'long-lived', detail: `static access key in profile(s) ${longLived.join(', ')}` });
  if (shortLived.length > 0)
    out.push({
      tool: 'aws',
      kind: 'short-lived',
      detail: `session credentials in profile(s) ${shortLived.join(', ')}`,
    });
  return out;
}

/** A credential file's JSON, or undefined when it is not JSON (no JSON text parses to undefined). */
function parseJsonFile(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Google credential JSON (ADC): refresh tokens and service-account keys last until revoked; federation does not. */
export function classifyGoogleCredentials(text: string): Omit<CredentialFinding, 'path'> | undefined {
  const value = parseJsonFile(text);
  if (value === undefined) return undefined;
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'authorized_user')
    return { tool: 'gcloud', kind: 'long-lived', detail: 'user refresh token (application default credentials)' };
  if (type === 'service_account') return { tool: 'gcloud', kind: 'long-lived', detail: 'service account key' };
  if (type === 'impersonated_service_account') {
    const inner = (value as { source_credentials?: { type?: unknown } }).source_credentials?.type;
    return {
      tool: 'gcloud',
      kind: inner === 'external_account' ? 'short-lived' : 'long-lived',
      detail: `impersonation from ${String(inner ?? 'unknown')} credentials`,
    };
  }
  if (type === 'external_account' || type === 'external_account_authorized_user')
    return { tool: 'gcloud', kind: 'short-lived', detail: 'workload identity federation' };
  return undefined;
}

/** Azure CLI's MSAL token cache: refresh tokens let whoever holds the file mint access tokens for up to 90 days. */
export function classifyAzureTokenCache(text: string): Omit<CredentialFinding, 'path'> | undefined {
  const value = parseJsonFile(text);
  if (value === undefined) return undefined;
  const refresh = (value as { RefreshToken?: unknown } | null)?.RefreshToken;
  if (refresh && typeof refresh === 'object' && Object.keys(refresh).length > 0)
    return { tool: 'az', kind: 'long-lived', detail: 'refresh tokens (MSAL token cache)' };
  return { tool: 'az', kind: 'short-lived', detail: 'access tokens only (MSAL token cache)' };
}

interface Probe {
  path: string;
  classify(text: string): Array<Omit<CredentialFinding, 'path'>>;
}

const one = (f: (text: string) => Omit<CredentialFinding, 'path'> | undefined) => (text: string) => {
  const found = f(text);
  return found ? [found] : [];
};

/** Files under a home folder that hold cloud credentials, and how to tell what they hold. */
const PROBES: Probe[] = [
  { path: '.aws/credentials', classify: classifyAwsCredentials },
  { path: '.aws/config', classify: (t) => classifyAwsCredentials(t) },
  { path: '.config/gcloud/application_default_credentials.json', classify: one(classifyGoogleCredentials) },
  {
    path: '.config/gcloud/credentials.db',
    classify: () => [
      {
        tool: 'gcloud',
        kind: 'long-lived',
        detail: 'gcloud credential store (refresh tokens or service account keys)',
      },
    ],
  },
  { path: '.azure/msal_token_cache.json', classify: one(classifyAzureTokenCache) },
  {
    path: '.azure/msal_token_cache.bin',
    classify: () => [{ tool: 'az', kind: 'long-lived', detail: 'refresh tokens (encrypted MSAL token cache)' }],
  },
  {
    path: '.azure/service_principal_entries.json',
    classify: () => [{ tool: 'az', kind: 'long-lived', detail: 'service principal secret or certificate' }],
  },
  {
    path: '.azure/accessTokens.json',
    classify: (t) =>
      /refreshToken/i.test(t)
        ? [{ tool: 'az', kind: 'long-lived', detail: 'refresh tokens (legacy ADAL token cache)' }]
        : [],
  },
];

/**
 * Scans home folders (host paths, under `root`) for cloud credential files. Contents are classified in memory and
 * dropped: the result holds paths, tools and kinds only. Files that cannot be read are listed.
 */
export function scanCloudCredentials(
  root: string,
  homes: string[],
): { findings: CredentialFinding[]; unreadable: string[] } {
  const findings: CredentialFinding[] = [];
  const unreadable: string[] = [];
  for (const home of homes) {
    for (const probe of [...PROBES, ...legacyGcloudProbes(root, home, unreadable)]) {
      const path = `${home}/${probe.path}`;
      let text: string;
      try {
        const real = realPathUnder(root, path);
        if (statSync(real).size > MAX_CREDENTIAL_BYTES) {
          unreadable.push(`${path} (too large)`);
          continue;
        }
        text = probe.path.endsWith('.db') || probe.path.endsWith('.bin') ? '' : readFileSync(real, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') unreadable.push(`${path} (${describeReadError(error)})`);
        continue;
      }
      for (const found of probe.classify(text)) findings.push({ ...found, path });
    }
  }
  return { findings, unreadable };
}

/** gcloud keeps one ADC file per account under legacy_credentials/<account>/adc.json. */
function legacyGcloudProbes(root: string, home: string, unreadable: string[]): Probe[] {
  const dir = `${home}/.config/gcloud/legacy_credentials`;
  try {
    return readdirSync(realPathUnder(root, dir))
      .sort()
      .map((account) => ({
        path: `.config/gcloud/legacy_credentials/${account}/adc.json`,
        classify: one(classifyGoogleCredentials),
      }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') unreadable.push(`${dir} (${describeReadError(error)})`);
    return [];
  }
}
