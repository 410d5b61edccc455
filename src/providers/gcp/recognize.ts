/**
 * Recognises a gcloud or Admin SDK export by its content: lists by the fields of their items, objects by their
 * fields and the form of their `name`. Only where gcloud prints no subject (an allow policy, an empty key list) is the
 * file name read, and then by a documented convention. Bad content is a UserError naming the file and JSON pointer.
 */
import { basename } from 'node:path';
import { UserError } from '../../errors.js';
import { parseJsonText } from '../../util/json.js';
import type { RawDocument } from '../types.js';
import { checkDocumentShape } from '../cloud/shape.js';
import {
  DocumentKind,
  IAM_POLICY_SHAPE,
  ITEM_SHAPES,
  type DocumentKindValue,
  type IamPolicy,
  type PageBody,
} from './documents.js';
import { attachmentPoint, emptyListFile, policyFileResource } from './raw-files.js';

const EXPORT_HINT =
  'pass JSON printed by gcloud with --format=json (get-iam-policy, asset search-all-iam-policies, iam roles|service-accounts|policies, org-policies describe --effective), the Admin SDK users list, or files written by `cloudward collect gcp --raw-out`; see docs/providers/gcp.md';

const ROLE_NAME = /^(?:(?:projects|organizations)\/[^/]+\/)?roles\/[^/]+$/;
const DENY_NAME = /^policies\/[^/]+\/denypolicies\/[^/]+$/;
const ORG_POLICY_NAME = /^(?:projects|folders|organizations)\/[^/]+\/policies\/[^/]+$/;
const KEY_NAME = /^projects\/[^/]+\/serviceAccounts\/([^/]+)\/keys\/[^/]+$/;
const SA_EMAIL = /[A-Za-z0-9_-]+@[A-Za-z0-9.-]+\.gserviceaccount\.com/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The kind of one list item, or undefined when it is none cloudward reads. */
function itemKind(item: Record<string, unknown>): DocumentKindValue | undefined {
  const name = str(item.name);
  if ('resource' in item && ('policy' in item || 'assetType' in item)) return DocumentKind.assetIamPolicies;
  if (KEY_NAME.test(name) && ('keyType' in item || 'validAfterTime' in item || 'keyAlgorithm' in item))
    return DocumentKind.serviceAccountKeys;
  if (
    typeof item.email === 'string' &&
    (name.includes('/serviceAccounts/') || 'uniqueId' in item || 'oauth2ClientId' in item)
  )
    return DocumentKind.serviceAccounts;
  if (ROLE_NAME.test(name)) return DocumentKind.roles;
  if (DENY_NAME.test(name)) return DocumentKind.denyPolicies;
  if (ORG_POLICY_NAME.test(name)) return DocumentKind.orgPolicy;
  if (typeof item.primaryEmail === 'string') return DocumentKind.directoryUsers;
  if (typeof item.projectId === 'string') return DocumentKind.projects;
  if (/^folders\/\d+$/.test(name)) return DocumentKind.folders;
  if (/^organizations\/\d+$/.test(name)) return DocumentKind.organizations;
  return undefined;
}

function describeKeys(value: Record<string, unknown>): string {
  return Object.keys(value).slice(0, 5).join(', ') || 'none';
}

function checkBindings(policy: IamPolicy, pointer: string): void {
  const bindings = (policy as Record<string, unknown>).bindings;
  if (bindings === undefined) return;
  if (!Array.isArray(bindings))
    throw new UserError('"bindings" must be a list', { where: `${pointer}/bindings`, hint: EXPORT_HINT });
  bindings.forEach((b, i) => {
    if (!isObject(b) || typeof b.role !== 'string')
      throw new UserError(`binding ${i} has no "role"`, { where: `${pointer}/bindings/${i}`, hint: EXPORT_HINT });
    if (b.members !== undefined && (!Array.isArray(b.members) || b.members.some((m) => typeof m !== 'string'))) {
      throw new UserError(`binding ${i}: "members" must be a list of strings`, {
        where: `${pointer}/bindings/${i}/members`,
        hint: EXPORT_HINT,
      });
    }
  });
}

/** Checks the items of a list (at `at`, a JSON pointer in the file), or one item (`single`), against their kind's shape. */
function checkItems(kind: DocumentKindValue, items: unknown[], file: string, at: string, single: boolean): void {
  const shape = ITEM_SHAPES[kind];
  if (!shape) return;
  if (single) checkDocumentShape(`gcp ${kind}`, shape, items[0], file, EXPORT_HINT);
  else checkDocumentShape(`gcp ${kind} list`, [shape], items, file, EXPORT_HINT, at);
}

/**
 * Documents from a top-level list (or the list of a REST response, at `at`; or one object, `single`): every item must
 * be of one kind, and of its shape.
 */
function fromList(list: unknown[], file: string, at = '', single = false): RawDocument[] {
  if (list.length === 0) {
    const name = basename(file);
    const email = SA_EMAIL.exec(name);
    if (email)
      return [{ kind: DocumentKind.serviceAccountKeys, origin: file, body: { serviceAccount: email[0], keys: [] } }];
    const empty = emptyListFile(name);
    return empty ? [{ ...empty, origin: file }] : [];
  }
  const bad = list.findIndex((item) => !isObject(item));
  if (bad !== -1)
    throw new UserError(`list item ${bad} is not an object`, { where: `${file}#/${bad}`, hint: EXPORT_HINT });
  const items = list as Array<Record<string, unknown>>;
  const kind = itemKind(items[0]!);
  if (!kind)
    throw new UserError(`unrecognised GCP list (first item's fields: ${describeKeys(items[0]!)})`, {
      where: `${file}#/0`,
      hint: EXPORT_HINT,
    });
  const other = items.findIndex((item) => itemKind(item) !== kind);
  if (other !== -1)
    throw new UserError(`list item ${other} is not like the first (a ${kind.split('.').at(-1)} list)`, {
      where: `${file}#/${other}`,
      hint: 'export one kind of document per file',
    });
  checkItems(kind, items, file, at, single);
  switch (kind) {
    case DocumentKind.assetIamPolicies:
      items.forEach((item, i) => {
        if (typeof item.resource !== 'string')
          throw new UserError('"resource" must be a string', { where: `${file}#/${i}/resource`, hint: EXPORT_HINT });
        if (item.policy !== undefined) {
          if (!isObject(item.policy))
            throw new UserError('"policy" must be an object', { where: `${file}#/${i}/policy`, hint: EXPORT_HINT });
          checkBindings(item.policy as IamPolicy, `${file}#/${i}/policy`);
        }
      });
      return [{ kind, origin: file, body: items }];
    case DocumentKind.serviceAccountKeys: {
      const bySa = new Map<string, unknown[]>();
      for (const item of items) {
        const email = KEY_NAME.exec(str(item.name))![1]!;
        bySa.set(email, [...(bySa.get(email) ?? []), item]);
      }
      return [...bySa].map(([serviceAccount, keys]) => ({ kind, origin: file, body: { serviceAccount, keys } }));
    }
    case DocumentKind.orgPolicy:
      return items.map((item) => ({ kind, origin: file, body: item }));
    case DocumentKind.denyPolicies: {
      const byPoint = new Map<string, unknown[]>();
      for (const item of items) {
        const point = attachmentPoint(str(item.name));
        byPoint.set(point, [...(byPoint.get(point) ?? []), item]);
      }
      return [...byPoint].map(([attachmentPoint, policies]) => ({
        kind,
        origin: file,
        body: { attachmentPoint, policies },
      }));
    }
    case DocumentKind.roles: {
      const byParent = new Map<string, unknown[]>();
      for (const item of items) {
        const parent = str(item.name).includes('/roles/') ? str(item.name).split('/roles/')[0]! : 'roles';
        byParent.set(parent, [...(byParent.get(parent) ?? []), item]);
      }
      return [...byParent].map(([parent, roles]) => ({ kind, origin: file, body: { parent, roles } }));
    }
    case DocumentKind.serviceAccounts: {
      const byProject = new Map<string, unknown[]>();
      for (const item of items) {
        const project = str(item.projectId) || (/^projects\/([^/]+)\//.exec(str(item.name))?.[1] ?? '');
        if (!project)
          throw new UserError('a service account names no project (projectId)', {
            where: `${file}#/${items.indexOf(item)}`,
            hint: EXPORT_HINT,
          });
        byProject.set(project, [...(byProject.get(project) ?? []), item]);
      }
      return [...byProject].map(([project, accounts]) => ({ kind, origin: file, body: { project, accounts } }));
    }
    case DocumentKind.directoryUsers:
      return [{ kind, origin: file, body: { kind: 'admin#directory#users', users: items } }];
    default:
      return [{ kind, origin: file, body: items }];
  }
}

/**
 * The list fields of the REST APIs' list responses (`{"accounts": [...], "nextPageToken": "..."}`): IAM
 * serviceAccounts.list, roles.list, keys.list, policies.list (deny and org policies), Resource Manager
 * projects|folders|organizations list and search, Cloud Asset searchAllIamPolicies. gcloud prints the bare list.
 */
const LIST_FIELDS = [
  'accounts',
  'roles',
  'keys',
  'policies',
  'projects',
  'folders',
  'organizations',
  'results',
] as const;
/** Other members a REST list response may carry beside its list. */
const ENVELOPE_EXTRAS = new Set(['nextPageToken', 'unreachable', 'totalSize', 'kind', 'etag']);

/** The list and page token of a REST list response, or undefined when the object is none. */
function restEnvelope(
  value: Record<string, unknown>,
): { field: string; list: unknown[]; nextPageToken?: string } | undefined {
  const keys = Object.keys(value);
  const lists = keys.filter((k) => (LIST_FIELDS as readonly string[]).includes(k));
  if (lists.length !== 1 || keys.some((k) => !lists.includes(k) && !ENVELOPE_EXTRAS.has(k))) return undefined;
  const field = lists[0]!;
  const list = value[field];
  if (!Array.isArray(list)) return undefined;
  const token = value.nextPageToken;
  return { field, list, ...(typeof token === 'string' && token !== '' ? { nextPageToken: token } : {}) };
}

/** Recognises one file's text: zero or more raw documents (an empty list of unknown kind holds nothing). */
export function recognizeDocuments(text: string, file: string): RawDocument[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('ERROR:')) {
    throw new UserError(
      `the file holds a gcloud error, not an export: ${trimmed.split(/\r?\n/, 1)[0]!.slice(0, 160)}`,
      {
        where: file,
        hint: 'fix the permission or API named in the error and export again, or leave the file out (what it should hold is then reported as a gap)',
      },
    );
  }
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    throw new UserError('not a GCP export: the text is not JSON (did you forget --format=json?)', {
      where: file,
      hint: EXPORT_HINT,
    });
  }
  const value = parseJsonText(text, file, 'GCP export JSON');
  if (Array.isArray(value)) return fromList(value, file);
  if (!isObject(value))
    throw new UserError('not a GCP export: the top level must be a JSON object or list', {
      where: file,
      hint: EXPORT_HINT,
    });
  if (isObject(value.cloudward)) {
    const note = value.cloudward;
    const scope = note.scope as Record<string, unknown> | undefined;
    if (
      note.provider !== 'gcp' ||
      !isObject(scope) ||
      typeof scope.id !== 'string' ||
      !['organization', 'project'].includes(str(scope.kind)) ||
      Number.isNaN(Date.parse(str(note.collectedAt)))
    ) {
      throw new UserError('"cloudward" must hold provider "gcp", a scope {kind, id} and a collectedAt date-time', {
        where: `${file}#/cloudward`,
        hint: 'keep the note `cloudward collect gcp --raw-out` wrote, unedited',
      });
    }
    return [{ kind: DocumentKind.collection, origin: file, body: value }];
  }
  if (typeof value.operation === 'string' && isObject(value.error)) {
    if (typeof value.target !== 'string' || typeof value.error.code !== 'number')
      throw new UserError('an error document needs "target" and "error.code"', {
        where: file,
        hint: 'keep the error files `cloudward collect gcp --raw-out` wrote, unedited',
      });
    checkItems(DocumentKind.error, [value], file, '', true);
    return [{ kind: DocumentKind.error, origin: file, body: value }];
  }
  if (isObject(value.error)) {
    throw new UserError(`the file holds an API error, not an export: ${str(value.error.message).slice(0, 160)}`, {
      where: file,
      hint: 'fix the permission or API named in the error and export again',
    });
  }
  if (value.kind === 'admin#directory#users' || Array.isArray(value.users)) {
    const users = value.users ?? [];
    if (!Array.isArray(users) || users.some((u) => !isObject(u) || typeof u.primaryEmail !== 'string')) {
      throw new UserError('"users" must be a list of users with a primaryEmail', {
        where: `${file}#/users`,
        hint: 'save the Admin SDK directory users.list response as it is returned',
      });
    }
    checkItems(DocumentKind.directoryUsers, users, file, '/users', false);
    return [{ kind: DocumentKind.directoryUsers, origin: file, body: value }];
  }
  // A REST list response, or `{}` (what the REST APIs return for an empty list): read as the list it holds.
  const envelope = restEnvelope(value);
  if (
    envelope ||
    Object.keys(value).length === 0 ||
    (Object.keys(value).length === 1 && typeof value.nextPageToken === 'string')
  ) {
    const documents = fromList(envelope?.list ?? [], file, envelope ? `/${envelope.field}` : '');
    if (envelope?.nextPageToken)
      documents.push({
        kind: DocumentKind.page,
        origin: file,
        body: { field: envelope.field, kinds: [...new Set(documents.map((d) => d.kind))] } satisfies PageBody,
      });
    return documents;
  }
  if ('bindings' in value || ('etag' in value && 'version' in value) || 'auditConfigs' in value) {
    checkBindings(value as IamPolicy, `${file}#`);
    checkDocumentShape('gcp iam policy', IAM_POLICY_SHAPE, value, file, EXPORT_HINT);
    const resource = policyFileResource(file);
    if (!resource) {
      throw new UserError('an allow policy does not say which resource it belongs to', {
        where: file,
        hint: 'name the file after it: organizations.<id>.get-iam-policy.json, folders.<id>.get-iam-policy.json, projects.<project-id>.get-iam-policy.json, buckets.<name>.get-iam-policy.json or serviceAccounts.<email>.get-iam-policy.json',
      });
    }
    return [{ kind: DocumentKind.iamPolicy, origin: file, body: { resource, policy: value } }];
  }
  const kind = itemKind(value);
  if (!kind)
    throw new UserError(`unrecognised GCP document (top-level fields: ${describeKeys(value)})`, {
      where: file,
      hint: EXPORT_HINT,
    });
  return fromList([value], file, '', true);
}
