/**
 * The file names of raw documents (`--raw-out` writes them, import reads any names but uses these to tie a keyed
 * response — a trail's status, a policy's targets — to its trail or policy, since those responses do not name it).
 */
import { RAW_NOTE_FILE, type RawFile } from '../cloud/raw-out.js';
import type { RawBundle, RawDocument } from '../types.js';
import { cliErrorLine, DocumentKind, type CollectionBody, type ErrorBody } from './documents.js';

const FILE_STEMS: Record<string, string> = {
  [DocumentKind.authorizationDetails]: 'iam-get-account-authorization-details',
  [DocumentKind.credentialReport]: 'iam-get-credential-report',
  [DocumentKind.accountSummary]: 'iam-get-account-summary',
  [DocumentKind.virtualMfaDevices]: 'iam-list-virtual-mfa-devices',
  [DocumentKind.passwordPolicy]: 'iam-get-account-password-policy',
  [DocumentKind.roles]: 'iam-list-roles',
  [DocumentKind.scpList]: 'organizations-list-policies',
  [DocumentKind.scpDetail]: 'organizations-describe-policy',
  [DocumentKind.scpTargets]: 'organizations-list-targets-for-policy',
  [DocumentKind.parents]: 'organizations-list-parents',
  [DocumentKind.regions]: 'account-list-regions',
  [DocumentKind.trails]: 'cloudtrail-describe-trails',
  [DocumentKind.trailStatus]: 'cloudtrail-get-trail-status',
  [DocumentKind.eventSelectors]: 'cloudtrail-get-event-selectors',
};

/** A file-name-safe form of a key (a trail ARN keeps its name: the part after `trail/`). */
export function fileKey(key: string): string {
  const trail = /:trail\/(.+)$/.exec(key);
  return (trail ? trail[1]! : key).replace(/[^A-Za-z0-9._-]+/g, '_');
}

function kebab(operation: string): string {
  return operation
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/MFA/g, 'Mfa')
    .toLowerCase();
}

/** The key a document is about (trail, policy, child id, region), for its file name; undefined for account-wide ones. */
function documentKey(document: RawDocument): string | undefined {
  const body = document.body as Record<string, unknown>;
  if (document.kind === DocumentKind.parents) return body.ChildId as string | undefined;
  if (document.kind === DocumentKind.trails) return body.Region as string | undefined;
  if (document.kind === DocumentKind.trailStatus) return body.Name as string | undefined;
  if (document.kind === DocumentKind.eventSelectors) return body.TrailARN as string | undefined;
  if (document.kind === DocumentKind.scpTargets) return body.PolicyId as string | undefined;
  if (document.kind === DocumentKind.scpDetail)
    return (body.Policy as { PolicySummary?: { Id?: string } } | undefined)?.PolicySummary?.Id;
  if (document.kind === DocumentKind.error) return (body as unknown as ErrorBody).Target;
  return undefined;
}

/** Documents whose in-memory body carries the request's key (the CLI's output does not). */
const KEYED_KINDS = new Set<string>([
  DocumentKind.trailStatus,
  DocumentKind.scpTargets,
  DocumentKind.parents,
  DocumentKind.trails,
]);

/** The file name and text of one document, as the AWS CLI would have written it. */
function rawFile(document: RawDocument): { name: string; text: string } {
  const key = documentKey(document);
  const suffix = key ? `.${fileKey(key)}` : '';
  if (document.kind === DocumentKind.error) {
    const error = document.body as ErrorBody;
    const service = document.origin.split(':')[0] ?? 'aws';
    return { name: `${service}-${kebab(error.Operation)}${suffix}.error.txt`, text: `${cliErrorLine(error)}\n` };
  }
  let body = document.body as Record<string, unknown>;
  // The request key is kept in memory only; the CLI's output does not carry it.
  if (KEYED_KINDS.has(document.kind)) {
    const { Name: _name, PolicyId: _policy, ChildId: _child, Region: _region, ...rest } = body;
    body = rest;
  }
  return {
    name: `${FILE_STEMS[document.kind] ?? document.kind}${suffix}.json`,
    text: `${JSON.stringify(body, null, 4)}\n`,
  };
}

/** The name of the note `--raw-out` writes beside an account's documents (account id and collection time). */
const COLLECTION_FILE = RAW_NOTE_FILE;

/** The files of a bundle as `--raw-out` keeps them: the documents, and a note of the account and collection time. */
export function rawFiles(bundle: RawBundle): RawFile[] {
  const note: CollectionBody = {
    Cloudward: { Provider: 'aws', AccountId: bundle.scope.id, CollectedAt: bundle.collectedAt },
  };
  return [...bundle.documents.map(rawFile), { name: COLLECTION_FILE, text: `${JSON.stringify(note, null, 4)}\n` }];
}
