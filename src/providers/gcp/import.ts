/**
 * Import of gcloud and Admin SDK exports: recognise each file by content, decide which organization (or project) they
 * describe, and note as gaps what the files do not cover at all.
 */
import { UserError } from '../../errors.js';
import { isoSeconds } from '../../snapshot/date-time.js';
import type { Gap, Scope } from '../../snapshot/model.js';
import { readInputText } from '../../util/files.js';
import type { ImportContext, RawBundle, RawDocument } from '../types.js';
import {
  DocumentKind,
  GapTopic,
  type CollectionBody,
  type IamPolicyBody,
  type IamPolicySearchResult,
  type Organization,
  type PageBody,
} from './documents.js';
import { recognizeDocuments } from './recognize.js';
import type { GcpImportOptions } from './index.js';

const EXPORT_COMMANDS: Array<{ topic: string; kinds: string[]; command: string }> = [
  {
    topic: GapTopic.iamPolicy,
    kinds: [DocumentKind.assetIamPolicies, DocumentKind.iamPolicy],
    command: 'gcloud asset search-all-iam-policies --scope=organizations/ORG --format=json',
  },
  {
    topic: GapTopic.roles,
    kinds: [DocumentKind.roles],
    command: 'gcloud iam roles list --organization=ORG|--project=P --format=json, then describe each',
  },
  {
    topic: GapTopic.serviceAccounts,
    kinds: [DocumentKind.serviceAccounts],
    command: 'gcloud iam service-accounts list --project=P --format=json',
  },
  {
    topic: GapTopic.serviceAccountKeys,
    kinds: [DocumentKind.serviceAccountKeys],
    command: 'gcloud iam service-accounts keys list --iam-account=EMAIL --format=json',
  },
  {
    topic: GapTopic.orgPolicy,
    kinds: [DocumentKind.orgPolicy],
    command:
      'gcloud org-policies describe iam.disableServiceAccountKeyCreation --effective --organization=ORG --format=json',
  },
  {
    topic: GapTopic.directoryUsers,
    kinds: [DocumentKind.directoryUsers],
    command: 'the Admin SDK directory users.list response (GET admin/directory/v1/users?customer=my_customer)',
  },
];

function missingTopicGaps(documents: RawDocument[]): Gap[] {
  const kinds = new Set(documents.map((d) => d.kind));
  const gaps: Gap[] = [];
  for (const e of EXPORT_COMMANDS)
    if (!e.kinds.some((k) => kinds.has(k)))
      gaps.push({ what: e.topic, reason: `not among the imported files (export it with \`${e.command}\`)` });
  if (
    !kinds.has(DocumentKind.assetIamPolicies) &&
    kinds.has(DocumentKind.iamPolicy) &&
    !documents.some((d) => d.kind === DocumentKind.iamPolicy && (d.body as IamPolicyBody).resource.startsWith('//'))
  ) {
    gaps.push({
      what: GapTopic.resourcePolicies,
      reason:
        'resource-level allow policies (buckets, service accounts, ...) are not among the imported files (gcloud asset search-all-iam-policies covers them)',
    });
  }
  return gaps;
}

const TOPIC_OF_KIND: Record<string, string> = {
  [DocumentKind.assetIamPolicies]: GapTopic.iamPolicy,
  [DocumentKind.roles]: GapTopic.roles,
  [DocumentKind.serviceAccounts]: GapTopic.serviceAccounts,
  [DocumentKind.serviceAccountKeys]: GapTopic.serviceAccountKeys,
  [DocumentKind.orgPolicy]: GapTopic.orgPolicy,
  [DocumentKind.denyPolicies]: GapTopic.denyPolicies,
  [DocumentKind.projects]: GapTopic.hierarchy,
  [DocumentKind.folders]: GapTopic.hierarchy,
  [DocumentKind.organizations]: GapTopic.hierarchy,
};

/**
 * A REST list page with a nextPageToken says more items follow. When every imported page of a list field says so,
 * the last page is missing: a gap on the topic (as for a truncated AWS export). Pages of several lists of one kind
 * (each project's accounts) cannot be told apart, so one last page of the field is taken as the end.
 */
function pageGaps(all: RawDocument[]): Gap[] {
  const gaps: Gap[] = [];
  const continued = new Map<string, { files: string[]; kinds: string[] }>();
  for (const d of all) {
    if (d.kind !== DocumentKind.page) continue;
    const body = d.body as PageBody;
    const had = continued.get(body.field) ?? { files: [], kinds: [] };
    continued.set(body.field, { files: [...had.files, d.origin], kinds: [...had.kinds, ...body.kinds] });
  }
  const lastPages = new Map<string, number>();
  for (const d of all)
    if (d.kind !== DocumentKind.page && d.kind !== DocumentKind.collection) lastPages.set(d.origin, 1);
  for (const [field, { files, kinds }] of continued) {
    const other = [...lastPages.keys()].some(
      (origin) => !files.includes(origin) && all.some((d) => d.origin === origin && kinds.includes(d.kind)),
    );
    if (other) continue;
    for (const topic of new Set(kinds.map((k) => TOPIC_OF_KIND[k]).filter((t): t is string => t !== undefined))) {
      gaps.push({
        what: topic,
        reason: `the "${field}" list continues beyond the imported page(s) (nextPageToken in ${files.join(', ')}); import every page, or export with gcloud, which follows the pages`,
      });
    }
  }
  return gaps;
}

/** The organization the files describe: from the raw-out note, the organizations export, or Cloud Asset results. */
export function estateOf(documents: RawDocument[], options: GcpImportOptions): Scope {
  const orgs = new Set<string>();
  const note = documents.find((d) => d.kind === DocumentKind.collection)?.body as CollectionBody | undefined;
  if (note?.cloudward.scope.kind === 'project') return { kind: 'project', id: note.cloudward.scope.id };
  if (note) orgs.add(note.cloudward.scope.id);
  for (const d of documents) {
    if (d.kind === DocumentKind.organizations)
      for (const o of d.body as Organization[]) orgs.add(o.name.split('/')[1]!);
    if (d.kind === DocumentKind.assetIamPolicies)
      for (const r of d.body as IamPolicySearchResult[]) if (r.organization) orgs.add(r.organization.split('/')[1]!);
    if (d.kind === DocumentKind.iamPolicy) {
      const org = /^organizations\/(\d+)$/.exec((d.body as IamPolicyBody).resource)?.[1];
      if (org) orgs.add(org);
    }
  }
  const given = options.organization;
  if (given !== undefined) {
    if (!/^\d+$/.test(given))
      throw new UserError(`--organization must be a numeric organization id, not "${given}"`, {
        where: '--organization',
      });
    if (orgs.size > 0 && !orgs.has(given))
      throw new UserError(
        `--organization ${given} was given but the files describe organization ${[...orgs].join(', ')}`,
        { where: '--organization', hint: "drop --organization, or import only that organization's files" },
      );
    return { kind: 'organization', id: given };
  }
  if (orgs.size > 1)
    throw new UserError(`the files describe several organizations (${[...orgs].join(', ')})`, {
      hint: 'import each organization separately',
    });
  if (orgs.size === 1) return { kind: 'organization', id: [...orgs][0]! };
  const project = options.project;
  if (project) return { kind: 'project', id: project };
  throw new UserError('cannot tell which organization the files describe', {
    hint: "include `gcloud organizations list --format=json` or the organization's get-iam-policy, or pass --organization 123456789012 (or --project P for a project without an organization)",
  });
}

function collectedAtOf(documents: RawDocument[], option: unknown): string {
  if (typeof option === 'string') {
    if (Number.isNaN(Date.parse(option)) || !/^\d{4}-\d{2}-\d{2}T/.test(option)) {
      throw new UserError(`--collected-at must be an ISO 8601 date-time, not "${option}"`, {
        where: '--collected-at',
        hint: 'e.g. --collected-at 2026-11-01T09:00:00Z',
      });
    }
    return isoSeconds(option);
  }
  const note = documents.find((d) => d.kind === DocumentKind.collection)?.body as CollectionBody | undefined;
  if (note) return isoSeconds(note.cloudward.collectedAt);
  throw new UserError('cannot tell when the GCP files were exported', {
    hint: 'pass --collected-at 2026-11-01T09:00:00Z (gcloud exports carry no date; key ages and time-bound bindings are judged against it)',
  });
}

/** Reads gcloud / Admin SDK exports into one bundle for the organization (or project) they describe. */
export async function importGcpFiles(paths: string[], context: ImportContext<GcpImportOptions>): Promise<RawBundle[]> {
  if (paths.length === 0)
    throw new UserError('no GCP export files given', {
      hint: 'pass the files, e.g. `cloudward import gcp exports/gcp/*.json --collected-at 2026-11-01T09:00:00Z`',
    });
  const all: RawDocument[] = [];
  for (const file of paths) all.push(...recognizeDocuments(await readInputText(file, 'GCP export'), file));
  return [gcpBundleOf(all, paths.length, context)];
}

/** One bundle from the documents recognized in `fileCount` files (what import does once the files are read). */
export function gcpBundleOf(
  all: RawDocument[],
  fileCount: number,
  context: ImportContext<GcpImportOptions>,
): RawBundle {
  const estate = estateOf(all, context.options);
  const collectedAt = collectedAtOf(all, context.collectedAt);
  const note = all.find((d) => d.kind === DocumentKind.collection);
  const documents = all.filter((d) => d.kind !== DocumentKind.collection && d.kind !== DocumentKind.page);
  // A live run's raw-out already says what failed (error files); only plain exports get "not among the files" gaps.
  const gaps = [...(note ? [] : missingTopicGaps(documents)), ...pageGaps(all)];
  context.progress.status(`gcp: ${estate.kind} ${estate.id}: ${fileCount} file(s) imported`);
  return { provider: 'gcp', scope: estate, method: 'import', collectedAt, documents: sortDocuments(documents), gaps };
}

/** Documents in a stable order (files are named and read in any order). */
export function sortDocuments(documents: RawDocument[]): RawDocument[] {
  const keyed = documents.map((d) => ({ d, key: `${d.kind}\u0000${JSON.stringify(d.body)}` }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.d);
}
