/**
 * IAM member strings (`user:`, `group:`, `serviceAccount:`, `domain:`, `principal://`, `principalSet://`, `allUsers`,
 * `allAuthenticatedUsers`, `deleted:`, `projectOwner:`) as principals, and the forms deny policies name them by.
 */
import type { PrincipalKind } from '../../snapshot/model.js';

export interface Member {
  /** The member string as the allow policy wrote it (deleted members keep their `deleted:` prefix). */
  nativeId: string;
  kind: PrincipalKind;
  /** An email, a domain, a pool subject, or `allUsers`. */
  name: string;
  /** The uid suffix: `user/ana@acme.com`. */
  key: string;
  public: boolean;
  deleted: boolean;
  /** What IAM calls it (`user`, `domain`, `workforce-identity`, ...), for details. */
  memberType: string;
}

/** Default service accounts: created for the project, but user-managed (they can hold keys and roles like any other). */
const DEFAULT_ACCOUNT_DOMAINS = new Set(['developer.gserviceaccount.com', 'appspot.gserviceaccount.com']);

/**
 * Domains of Google-managed service agents that are not `gcp-sa-*` (from Google's "Service agents" page,
 * cloud.google.com/iam/docs/service-agents, and the services' own pages). Each looks like a project id, which is why a
 * list is needed: `service-<number>@container-analysis.iam.gserviceaccount.com` is no account of a project
 * "container-analysis".
 */
const SERVICE_AGENT_DOMAINS: ReadonlySet<string> = new Set(
  [
    'artifact-analysis',
    'bigquery-encryption',
    'cloud-filer',
    'cloud-ml',
    'cloud-redis',
    'cloud-tpu',
    'cloudcomposer-accounts',
    'compute-system',
    'container-analysis',
    'container-engine-robot',
    'containerregistry',
    'dataflow-service-producer-prod',
    'dataproc-accounts',
    'dlp-api',
    'firebase-rules',
    'gae-api-prod',
    'gcf-admin-robot',
    'gcp-gae-service',
    'genomics-pipelines',
    'gs-project-accounts',
    'serverless-robot-prod',
    'service-networking',
    'sourcerepo-service-accounts',
    'remotebuildexecution',
    'cloudbuild',
    'cloudservices',
    'system',
    'gcp-sa-cloudbuild',
  ].map((d) => `${d}.iam.gserviceaccount.com`),
);

/** Google-owned domains (outside `*.iam.gserviceaccount.com`) whose accounts are service agents. */
const AGENT_ROOT_DOMAINS: ReadonlySet<string> = new Set([
  'cloudservices.gserviceaccount.com',
  'cloudbuild.gserviceaccount.com',
  'system.gserviceaccount.com',
  'gserviceaccount.com',
]);

/**
 * A service agent's local part names the project (or organization, folder) it works for by number:
 * `service-<number>@…`, `service-org-<number>@…`, `service-folder-<number>@…`, `<number>@…`. User-managed account ids
 * start with a letter and cannot take these forms in a project's own domain.
 */
const AGENT_LOCAL = /^(?:service-(?:org-|folder-)?\d+|\d+)$/;

/** Google-managed service agents: identities Google runs on a project's behalf, not keys anyone holds. */
export function isServiceAgent(email: string): boolean {
  const at = email.indexOf('@');
  const local = email.slice(0, at).toLowerCase();
  const domain = email.slice(at + 1).toLowerCase();
  if (!domain.endsWith('gserviceaccount.com') || DEFAULT_ACCOUNT_DOMAINS.has(domain)) return false;
  if (!domain.endsWith('.iam.gserviceaccount.com')) return true;
  if (SERVICE_AGENT_DOMAINS.has(domain) || AGENT_ROOT_DOMAINS.has(domain)) return true;
  if (AGENT_LOCAL.test(local)) return true;
  // user-managed accounts live in PROJECT.iam.gserviceaccount.com; agents in gcp-sa-*.iam... or Google-owned domains.
  return domain.startsWith('gcp-sa-') || /-robot\.|-system\.|-accounts\.|service-producer/.test(domain);
}

/**
 * The project number a Google-made account names, and how strongly it ties the number to the project whose allow
 * policy grants it: `<number>@cloudservices...` (the Google APIs Service Agent, granted Editor on its own project when
 * the project is made), `<number>-compute@developer...` (the default compute account), `service-<number>@...` (an API's
 * agent).
 */
export function projectNumberOfAgent(
  email: string,
): { number: string; tier: 'cloudservices' | 'compute' | 'agent' } | undefined {
  const lower = email.toLowerCase();
  let m = /^(\d+)@cloudservices\.gserviceaccount\.com$/.exec(lower);
  if (m) return { number: m[1]!, tier: 'cloudservices' };
  m = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(lower);
  if (m) return { number: m[1]!, tier: 'compute' };
  m = /^service-(\d+)@[a-z0-9.-]+\.gserviceaccount\.com$/.exec(lower);
  if (m) return { number: m[1]!, tier: 'agent' };
  m = /^(\d+)@cloudbuild\.gserviceaccount\.com$/.exec(lower);
  if (m) return { number: m[1]!, tier: 'agent' };
  return undefined;
}

/** The project id a user-managed service account lives in (`x@PROJECT.iam.gserviceaccount.com`). */
export function serviceAccountProject(email: string): string | undefined {
  if (isServiceAgent(email)) return undefined;
  return /@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
}

const PUBLIC = new Set(['allUsers', 'allAuthenticatedUsers']);

/** Parses one allow-policy member; undefined for a string that is no member form IAM accepts. */
export function parseMember(raw: string): Member | undefined {
  if (PUBLIC.has(raw))
    return {
      nativeId: raw,
      kind: 'group',
      name: raw,
      key: `group/${raw}`,
      public: true,
      deleted: false,
      memberType: raw,
    };
  let deleted = false;
  let value = raw;
  if (value.startsWith('deleted:')) {
    deleted = true;
    value = value.slice('deleted:'.length).replace(/\?uid=\d+$/, '');
  }
  const colon = value.indexOf(':');
  if (value.startsWith('principal://') || value.startsWith('principalSet://')) {
    const set = value.startsWith('principalSet://');
    const workforce = value.includes('/workforcePools/');
    const kind: PrincipalKind = set ? 'group' : workforce ? 'user' : 'servicePrincipal';
    const isPublic = value === 'principalSet://goog/public:all';
    return {
      nativeId: raw,
      kind,
      name: value,
      key: `${kind}/${deleted ? 'deleted:' : ''}${value}`,
      public: isPublic,
      deleted,
      memberType: set ? 'principal-set' : workforce ? 'workforce-identity' : 'workload-identity',
    };
  }
  if (colon <= 0) return undefined;
  const type = value.slice(0, colon);
  // IAM compares emails without case; the directory may print them capitalised.
  const name = ['user', 'group', 'serviceAccount'].includes(value.slice(0, colon))
    ? value.slice(colon + 1).toLowerCase()
    : value.slice(colon + 1);
  if (!name) return undefined;
  const kinds: Record<string, PrincipalKind> = {
    user: 'user',
    group: 'group',
    serviceAccount: 'serviceAccount',
    domain: 'group',
    projectOwner: 'group',
    projectEditor: 'group',
    projectViewer: 'group',
  };
  const kind = kinds[type];
  if (!kind) return undefined;
  const keyName = type === 'domain' || type.startsWith('project') ? `${type}:${name}` : name;
  return {
    nativeId: raw,
    kind,
    name: type === 'domain' || type.startsWith('project') ? `${type}:${name}` : name,
    key: `${kind}/${deleted ? 'deleted:' : ''}${keyName}`,
    public: false,
    deleted,
    memberType: type,
  };
}

/** The forms a deny policy may name this member by (`principal://goog/subject/...`, `principalSet://goog/group/...`). */
export function denyForms(member: Member): string[] {
  const forms = [member.nativeId];
  const email = member.name;
  if (member.public) forms.push('principalSet://goog/public:all');
  else if (member.memberType === 'user') forms.push(`principal://goog/subject/${email}`);
  else if (member.memberType === 'group') forms.push(`principalSet://goog/group/${email}`);
  else if (member.memberType === 'serviceAccount')
    forms.push(`principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`);
  else if (member.memberType === 'domain') forms.push(`principalSet://goog/cloudIdentityCustomerId/${email}`);
  else if (member.kind !== 'group') forms.push(member.name);
  // Everyone with a Google identity is denied by the public set too.
  if (!member.deleted) forms.push('principalSet://goog/public:all');
  return forms;
}
