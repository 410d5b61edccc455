/**
 * Attempt-then-gap: every read a collector makes goes through `attempt`, and a failure becomes a gap naming the
 * operation, what it needed (the permission or the licence the adapter declared for it) and the provider's own
 * error, instead of an exception that would abort the scope. Honest results: a read that failed is never an empty
 * answer, so the checks that need its topic are `unknown`, never `pass`.
 */
import type { Gap } from '../../snapshot/model.js';
import type { OperationDeclaration } from '../types.js';

/** What a provider error says, whatever the SDK: a code, a message, an HTTP status when there is one. */
export interface ErrorFacts {
  code: string;
  message: string;
  status?: number;
}

interface LooseError {
  name?: string;
  code?: string | number;
  Code?: string;
  message?: string;
  status?: number;
  statusCode?: number;
  $metadata?: { httpStatusCode?: number };
  response?: { status?: number };
}

/** Reads code, message and status from AWS SDK, Azure SDK, gaxios and kit `HttpError` errors alike. */
export function errorFacts(error: unknown): ErrorFacts {
  if (error === null || typeof error !== 'object') return { code: 'Error', message: String(error) };
  const e = error as LooseError;
  const status = e.status ?? e.statusCode ?? e.$metadata?.httpStatusCode ?? e.response?.status;
  const rawCode =
    e.Code ?? (typeof e.code === 'string' ? e.code : undefined) ?? (e.name && e.name !== 'Error' ? e.name : undefined);
  const code = rawCode ?? (status !== undefined ? `HTTP${status}` : 'Error');
  const message = (e.message ?? String(error)).replace(/\s+/g, ' ').trim() || 'no message';
  return { code, message, ...(typeof status === 'number' ? { status } : {}) };
}

const DENIED =
  /AccessDenied|Forbidden|Unauthori[sz]ed|AuthorizationFailed|PERMISSION_DENIED|InsufficientPermissions|Authorization_RequestDenied|NotAuthorized/i;
const UNLICENSED =
  /Licen[cs]e|Premium|NotLicensed|SkuNotSupported|BILLING_DISABLED|FeatureNotEnabled|SubscriptionNotRegistered/i;

/** Whether the error means the caller lacks a permission (401/403 or a denial code). */
export function isDenied(facts: ErrorFacts): boolean {
  return facts.status === 401 || facts.status === 403 || DENIED.test(facts.code);
}

/** Whether the error means the tenant lacks a licence or a feature (e.g. PIM without Entra ID P2). */
export function isUnlicensed(facts: ErrorFacts): boolean {
  return UNLICENSED.test(facts.code) || UNLICENSED.test(facts.message);
}

/** The gap one failed operation opens: `Code: message (needs permission X | needs licence Y)`. */
export function gapFor(operation: OperationDeclaration, error: unknown, target?: string): Gap {
  const facts = errorFacts(error);
  const about = target ? ` (${target})` : '';
  let need = '';
  if (operation.licence && isUnlicensed(facts)) need = ` — needs licence ${operation.licence}`;
  else if (operation.permission && isDenied(facts)) need = ` — needs permission ${operation.permission}`;
  if (!operation.topic) throw new Error(`operation ${operation.id} declares no gap topic`);
  return { what: operation.topic, reason: `${facts.code}${about}: ${facts.message}${need}`, call: operation.id };
}

export type Attempted<T> = { ok: true; value: T } | { ok: false; gap: Gap; error: unknown };

/**
 * Runs one read. On failure the gap is pushed to `gaps` (when given) and returned; the error is never rethrown,
 * except for programming errors (TypeError, RangeError), which would otherwise hide as gaps.
 */
export async function attempt<T>(
  operation: OperationDeclaration,
  read: () => Promise<T>,
  gaps?: Gap[],
  target?: string,
): Promise<Attempted<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) throw error;
    const gap = gapFor(operation, error, target);
    gaps?.push(gap);
    return { ok: false, gap, error };
  }
}

/**
 * The declared operations of an adapter, by id, with a lookup that fails loudly on an undeclared one: a collector
 * cannot make a call `cloudward permissions` does not list.
 */
export function operationTable(operations: readonly OperationDeclaration[]): (id: string) => OperationDeclaration {
  const byId = new Map(operations.map((o) => [o.id, o]));
  return (id) => {
    const found = byId.get(id);
    if (!found) throw new Error(`operation ${id} is not declared by the adapter`);
    return found;
  };
}

/** Every gap topic an entry of a scope that could not be entered at all opens (one gap per declared topic). */
export function scopeNotEntered(topics: readonly string[], operation: OperationDeclaration, error: unknown): Gap[] {
  const gap = gapFor(operation, error);
  return topics.map((what) => ({ what, reason: `scope not read: ${gap.reason}`, call: operation.id }));
}
