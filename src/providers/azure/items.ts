/**
 * Reading `az` and Graph output uniformly: a list is a JSON array (`az role assignment list`), an ARM page
 * (`{"value": [...], "nextLink"}` from `az rest`) or a Graph page (`{"@odata.context", "value", "@odata.nextLink"}`);
 * ARM items keep their fields under `properties` in REST output and flattened in `az` and the SDK.
 */
import type { Gap } from '../../snapshot/model.js';
import { isDenied, isUnlicensed } from '../cloud/attempt.js';
import type { RawDocument } from '../types.js';
import { operationOfRequest, type ErrorBody } from './documents.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An ARM item with `properties` lifted to the top level, as `az` and the SDK print it. */
export function flattenArm(item: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(item.properties)) return item;
  const { properties, ...rest } = item;
  const inner = { ...(properties as Record<string, unknown>) };
  // A role definition's REST `properties.type` (BuiltInRole, CustomRole) is `roleType` once flattened.
  if (typeof inner.type === 'string' && rest.type !== undefined) {
    inner.roleType ??= inner.type;
    delete inner.type;
  }
  return { ...rest, ...inner };
}

/**
 * A single-object read (`az rest` on `.../{id}`, Graph `@odata.context` ending `/$entity`, `az account show`): one
 * item, not a list. It covers that item only, never the list it belongs to.
 */
export function isSingleObject(body: unknown): body is Record<string, unknown> {
  return isObject(body) && !('value' in body) && !isObject(body.error) && !('Cloudward' in body);
}

/** The items of a list document (a single-object read is a list of one), ARM items flattened. */
export function listItems<T>(body: unknown): T[] {
  const raw = Array.isArray(body)
    ? body
    : isSingleObject(body)
      ? [body]
      : isObject(body) && Array.isArray(body.value)
        ? body.value
        : [];
  return raw.filter(isObject).map((item) => flattenArm(item) as T);
}

/** The next page a page points at, if any. */
export function nextLinkOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const link = body['@odata.nextLink'] ?? body.nextLink;
  return typeof link === 'string' && link !== '' ? link : undefined;
}

/** Every item of every document of a kind. */
export function itemsOfKind<T>(documents: readonly RawDocument[], kind: string): T[] {
  return documents.filter((d) => d.kind === kind).flatMap((d) => listItems<T>(d.body));
}

const SUBSCRIPTION_ORIGIN = /^subscriptions\/([^:/\s]+):\s/;

/** The subscription a subscription-level document belongs to (from its origin). */
export function subscriptionOfOrigin(origin: string): string | undefined {
  return SUBSCRIPTION_ORIGIN.exec(origin)?.[1];
}

/** The origin of a subscription-level document: `subscriptions/<id>: <call or file>`. */
export function subscriptionOrigin(subscriptionId: string, where: string): string {
  return `subscriptions/${subscriptionId}: ${where}`;
}

/**
 * The subscription an ARM request path or resource id is about, if any. The Monitor API writes subscription
 * diagnostic settings' ids without the leading slash (`subscriptions/<id>/providers/...`): they name it too.
 */
export function subscriptionOfCall(call: string | undefined): string | undefined {
  return call ? /(?:^|[\s/])subscriptions\/([^/?\s]+)/i.exec(call)?.[1]?.toLowerCase() : undefined;
}

/**
 * The gap an error opens, naming what was missing: the licence for licence errors, the permission for denials.
 * Undefined when the request is not one cloudward makes.
 */
export function gapForError(body: ErrorBody): Gap | undefined {
  const status = body.status;
  const operation = body.request ? operationOfRequest(body.request) : undefined;
  if (!operation) return undefined;
  const code = body.error.code ?? (status ? `HTTP${status}` : 'Error');
  const message = String(body.error.message ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const facts = { code, message, ...(status !== undefined ? { status } : {}) };
  let need = '';
  if (operation.licence && isUnlicensed(facts)) need = ` — needs licence ${operation.licence}`;
  else if (isDenied(facts))
    need = ` — needs ${operation.api === 'graph' ? 'Graph application permission' : 'Azure RBAC action'} ${operation.permission}`;
  const path = body
    .request!.replace(/^GET\s+/i, '')
    .replace(/^https?:\/\/[^/]+/i, '')
    .replace(/^\/(v1\.0|beta)(?=\/)/, '')
    .replace(/[?#].*$/, '');
  return { what: operation.topic, reason: `${code}: ${message || 'no message'}${need}`, call: `GET ${path}` };
}
