import { workerModule } from './worker-module.js';
import { CanonicalHash, UNDIGESTED_MEMBERS } from './digest.js';

/**
 * A snapshot's digest computed from its file's bytes, one resource at a time: the top-level object is scanned for its
 * members, each array member's items are parsed and hashed one by one, in canonical order. It gives what
 * `snapshotDigest` gives on the parsed file, without a second parsed copy in memory, so that the thread that hashes
 * the file's bytes can verify the digest while the main thread validates and evaluates.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** This module, for a worker thread to import (from the build, or from source when the tests run it). */
export const DIGEST_BYTES_MODULE = workerModule(import.meta.url);

class NotCanonicalInput extends Error {}

function skipSpace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x0a || bytes[at] === 0x0d || bytes[at] === 0x09))
    at++;
  return at;
}

/** The index just past the string that starts at `at` (a quote). A byte loop: far cheaper than a call per string. */
function skipString(bytes: Uint8Array, at: number): number {
  const length = bytes.length;
  let p = at + 1;
  while (p < length) {
    const byte = bytes[p];
    if (byte === QUOTE) return p + 1;
    p += byte === BACKSLASH ? 2 : 1;
  }
  throw new NotCanonicalInput('unterminated string');
}

/** The index just past the value that starts at `at`; each item of an array value is reported (start, end). */
function skipValue(buffer: Uint8Array, at: number, item?: (start: number, end: number) => void): number {
  const first = buffer[at];
  if (first === QUOTE) return skipString(buffer, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let end = at;
    while (
      end < buffer.length &&
      buffer[end] !== COMMA &&
      buffer[end] !== CLOSE_BRACE &&
      buffer[end] !== CLOSE_BRACKET &&
      buffer[end] !== 0x20 &&
      buffer[end] !== 0x0a &&
      buffer[end] !== 0x0d &&
      buffer[end] !== 0x09
    )
      end++;
    return end;
  }
  let depth = 0;
  let itemStart = -1;
  for (let p = at; p < buffer.length; p++) {
    const byte = buffer[p];
    if (byte === QUOTE) {
      if (depth === 1 && itemStart === -1) itemStart = p;
      p = skipString(buffer, p) - 1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 1 && itemStart === -1) itemStart = p;
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        if (item && itemStart !== -1) item(itemStart, p);
        return p + 1;
      }
    } else if (depth === 1 && byte === COMMA) {
      if (item && itemStart !== -1) item(itemStart, p);
      itemStart = -1;
    } else if (depth === 1 && itemStart === -1 && byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) {
      itemStart = p;
    }
  }
  throw new NotCanonicalInput('unterminated value');
}

const parseSlice = (buffer: Buffer, start: number, end: number): unknown =>
  JSON.parse(buffer.toString('utf8', start, end));

/**
 * `sha256:<hex>` of the canonical content of the snapshot in these UTF-8 bytes (a BOM allowed), or undefined when the
 * bytes are not a JSON object this scan can follow (the caller then digests the parsed snapshot instead).
 */
export function digestSnapshotBytes(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    let at = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    at = skipSpace(buffer, at);
    if (buffer[at] !== OPEN_BRACE) return undefined;
    // Each member's value: its span, and for an array the spans of its items. A repeated key keeps the last, as
    // JSON.parse does.
    const members = new Map<string, { start: number; end: number; items?: number[] }>();
    at = skipSpace(buffer, at + 1);
    while (buffer[at] !== CLOSE_BRACE) {
      if (buffer[at] !== QUOTE) return undefined;
      const keyEnd = skipString(buffer, at);
      const key = parseSlice(buffer, at, keyEnd) as string;
      at = skipSpace(buffer, keyEnd);
      if (buffer[at] !== COLON) return undefined;
      const start = skipSpace(buffer, at + 1);
      const items: number[] | undefined = buffer[start] === OPEN_BRACKET ? [] : undefined;
      const end = skipValue(buffer, start, items ? (s, e) => items.push(s, e) : undefined);
      members.set(key, items ? { start, end, items } : { start, end });
      at = skipSpace(buffer, end);
      if (buffer[at] === COMMA) at = skipSpace(buffer, at + 1);
      else if (buffer[at] !== CLOSE_BRACE) return undefined;
    }
    if (skipSpace(buffer, at + 1) !== buffer.length) return undefined;
    const hash = new CanonicalHash().text('{');
    let first = true;
    for (const key of [...members.keys()].sort()) {
      if (UNDIGESTED_MEMBERS.has(key)) continue;
      const member = members.get(key)!;
      hash.text(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      if (!member.items) {
        hash.value(parseSlice(buffer, member.start, member.end));
        continue;
      }
      hash.text('[');
      for (let i = 0; i < member.items.length; i += 2) {
        if (i > 0) hash.text(',');
        hash.value(parseSlice(buffer, member.items[i]!, member.items[i + 1]!));
      }
      hash.text(']');
    }
    return hash.text('}').digest();
  } catch {
    // Malformed here means malformed for the parser too, which reports it properly; or a shape this scan does not
    // follow, which the caller digests the slow way.
    return undefined;
  }
}
