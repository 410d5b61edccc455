/**
 * What every audit-log reader needs to take a raw record apart: the record type, the error a reader throws for a
 * record it cannot read (detect adds file:line), and small accessors that never throw on an unexpected shape.
 */

export type Rec = Record<string, unknown>;

/** Thrown for a record that is JSON but not an audit-log record this reader knows; the reader adds file:line. */
export class RecordError extends Error {}

export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const obj = (v: unknown): Rec | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;

export function parseTime(v: unknown, what: string): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new RecordError(`${what} is missing or not a date-time`);
  return t;
}

/** Error codes that say the caller was not allowed (AWS, Azure Resource Manager, Google, HTTP). */
export const ACCESS_DENIED =
  /AccessDenied|UnauthorizedOperation|Unauthorized|AuthorizationFailed|PERMISSION_DENIED|Forbidden/i;

/** The objects of an array member (a published file's `prefixes`), or none when it is not an array. */
export const recordList = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
