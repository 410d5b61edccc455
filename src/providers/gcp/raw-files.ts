/**
 * File names of raw GCP documents: `--raw-out` writes each document as gcloud prints it, with the subject gcloud does
 * not print (an allow policy's resource, a key list's service account) in the file name, where import finds it again.
 */
import type { RawDocument } from '../types.js';
import { projectNumberOfAgent, serviceAccountProject } from './members.js';
import {
  DocumentKind,
  type DenyPoliciesBody,
  type ErrorBody,
  type IamPolicyBody,
  type KeysBody,
  type OrgPolicy,
  type RolesBody,
  type ServiceAccountsBody,
} from './documents.js';

/** The note `--raw-out` writes beside a bundle's documents. */
export const COLLECTION_FILE = 'cloudward-collection.json';

const POLICY_FILE =
  /(?:^|[/\\])(organizations|folders|projects|buckets|serviceAccounts)\.(.+?)\.(?:get-)?iam-policy\.json$/;

/**
 * The resource an allow-policy file is about, from its name (`projects.acme-prod.get-iam-policy.json`). A service
 * account's (`serviceAccounts.<email>.get-iam-policy.json`) is named as Cloud Asset names it, in the project its email
 * says (a default account's project number, or `-` when the email names none).
 */
export function policyFileResource(file: string): string | undefined {
  const match = POLICY_FILE.exec(file);
  if (!match) return undefined;
  if (match[1] === 'serviceAccounts') {
    const email = match[2]!.toLowerCase();
    const project = serviceAccountProject(email) ?? projectNumberOfAgent(email)?.number ?? '-';
    return `//iam.googleapis.com/projects/${project}/serviceAccounts/${email}`;
  }
  return match[1] === 'buckets' ? `//storage.googleapis.com/${match[2]}` : `${match[1]}/${match[2]}`;
}

/** The resource a deny policy is attached to, from its name (`policies/cloudresourcemanager.googleapis.com%2Fprojects%2F123/denypolicies/x`). */
export function attachmentPoint(policyName: string): string {
  const encoded = policyName.split('/')[1] ?? '';
  return decodeURIComponent(encoded).replace(/^cloudresourcemanager\.googleapis\.com\//, '');
}

/** An empty list `--raw-out` wrote (no deny policies, no custom roles, no service accounts), known by its file name. */
export function emptyListFile(name: string): Omit<RawDocument, 'origin'> | undefined {
  const match = /^iam\.(policies|roles|service-accounts)\.(.+)\.json$/.exec(name);
  if (!match) return undefined;
  const key = match[2]!;
  const resource = key.replace(/^(organizations|folders|projects)\./, '$1/');
  if (match[1] === 'policies')
    return { kind: DocumentKind.denyPolicies, body: { attachmentPoint: resource, policies: [] } };
  if (match[1] === 'roles') return { kind: DocumentKind.roles, body: { parent: resource, roles: [] } };
  return { kind: DocumentKind.serviceAccounts, body: { project: key, accounts: [] } };
}

/** The file-name stem of an allow policy's resource (the inverse of policyFileResource). */
function policyStem(resource: string): string {
  const bucket = /^\/\/storage\.googleapis\.com\/(?:projects\/_\/)?(?:buckets\/)?([^/]+)$/.exec(resource);
  if (bucket) return `buckets.${bucket[1]}`;
  const account = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/([^/]+@[^/]+)$/.exec(resource);
  if (account) return `serviceAccounts.${account[1]}`;
  return resource.replace(/^\/\/[^/]+\//, '').replace(/\//g, '.');
}

const safe = (key: string): string => key.replace(/[^A-Za-z0-9@._-]+/g, '_');

/** The file name and text of one document, as gcloud would have printed it. */
export function rawFile(document: RawDocument): { name: string; text: string } {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  switch (document.kind) {
    case DocumentKind.iamPolicy: {
      const body = document.body as IamPolicyBody;
      return { name: `${policyStem(body.resource)}.get-iam-policy.json`, text: json(body.policy) };
    }
    case DocumentKind.serviceAccountKeys: {
      const body = document.body as KeysBody;
      return { name: `iam.service-accounts.keys.${safe(body.serviceAccount)}.json`, text: json(body.keys) };
    }
    case DocumentKind.assetIamPolicies:
      return { name: 'asset.search-all-iam-policies.json', text: json(document.body) };
    case DocumentKind.denyPolicies: {
      const body = document.body as DenyPoliciesBody;
      return { name: `iam.policies.${body.attachmentPoint.replace(/\//g, '.')}.json`, text: json(body.policies) };
    }
    case DocumentKind.roles: {
      const body = document.body as RolesBody;
      return { name: `iam.roles.${body.parent.replace(/\//g, '.')}.json`, text: json(body.roles) };
    }
    case DocumentKind.serviceAccounts: {
      const body = document.body as ServiceAccountsBody;
      return { name: `iam.service-accounts.${safe(body.project)}.json`, text: json(body.accounts) };
    }
    case DocumentKind.orgPolicy:
      return {
        name: `org-policies.${safe((document.body as OrgPolicy).name.replace('/policies/', '.'))}.json`,
        text: json(document.body),
      };
    case DocumentKind.directoryUsers:
      return { name: 'admin.directory.users.json', text: json(document.body) };
    case DocumentKind.organizations:
      return { name: 'organizations.json', text: json(document.body) };
    case DocumentKind.folders:
      return { name: 'resource-manager.folders.json', text: json(document.body) };
    case DocumentKind.projects:
      return { name: 'projects.json', text: json(document.body) };
    case DocumentKind.error: {
      const body = document.body as ErrorBody;
      return { name: `${body.operation}.${safe(body.target)}.error.json`, text: json(body) };
    }
    default:
      return { name: `${safe(document.kind)}.json`, text: json(document.body) };
  }
}
