/**
 * SDK output to the JSON the AWS CLI prints: no `$metadata`, timestamps as `2026-11-01T09:00:00+00:00`, blobs as
 * base64, and IAM policy documents URL-decoded into objects. Live collection stores documents in this shape so that
 * `--raw-out` files are exactly what `cloudward import` reads.
 */
import { decodePolicyDocument } from './policy-document.js';

/** A timestamp as the AWS CLI prints it (ISO 8601, seconds, `+00:00`). */
function cliTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Deep-converts SDK output to CLI JSON. */
export function toCliJson(value: unknown): unknown {
  if (value instanceof Date) return cliTimestamp(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toCliJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === '$metadata' || v === undefined) continue;
      out[key] = toCliJson(v);
    }
    return out;
  }
  return value;
}

const DOCUMENT_FIELDS = new Set(['PolicyDocument', 'AssumeRolePolicyDocument', 'Document']);

/** Decodes the URL-encoded policy documents of GetAccountAuthorizationDetails, as the CLI does. */
export function decodeDocuments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeDocuments);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (DOCUMENT_FIELDS.has(key) && typeof v === 'string') {
        try {
          out[key] = decodePolicyDocument(v);
        } catch {
          out[key] = v; // left as the service sent it; normalize reports it
        }
      } else out[key] = decodeDocuments(v);
    }
    return out;
  }
  return value;
}
