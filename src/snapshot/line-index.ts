/**
 * The line of every `"uid": "..."` and `"id": "..."` member in a snapshot file's bytes, so that SARIF findings can
 * point at the JSON of their resource. Made from the raw UTF-8 bytes (no decoded copy of the text, no line strings),
 * on the thread that hashes the file when it is large, while this one parses and evaluates.
 */

import { workerModule } from './worker-module.js';

export interface LineIndex {
  /** Member values in file order, and the 1-based line each sits on. */
  uids: string[];
  uidLines: Int32Array;
  ids: string[];
  idLines: Int32Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/** `id"` ends both key names: found once, the bytes before it say whether it is `"id"`, `"uid"` or neither. */
const NEEDLE = Buffer.from('id"');

/** This module, for a worker thread to import (from the build, or from source when the tests run it). */
export const LINE_INDEX_MODULE = workerModule(import.meta.url);

export function buildLineIndex(bytes: Uint8Array): LineIndex {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const uids: string[] = [];
  const uidLines: number[] = [];
  const ids: string[] = [];
  const idLines: number[] = [];
  let line = 1;
  let counted = 0;
  for (let at = buffer.indexOf(NEEDLE); at !== -1; at = buffer.indexOf(NEEDLE, at + NEEDLE.length)) {
    const isId = buffer[at - 1] === QUOTE;
    const isUid = !isId && buffer[at - 1] === 0x75 /* u */ && buffer[at - 2] === QUOTE;
    if (!isId && !isUid) continue;
    // A key: optional space, a colon, optional space, then a string value.
    let p = at + NEEDLE.length;
    while (isSpace(buffer[p])) p++;
    if (buffer[p] !== COLON) continue;
    p++;
    while (isSpace(buffer[p])) p++;
    if (buffer[p] !== QUOTE) continue;
    const start = p + 1;
    let end = start;
    let escaped = false;
    while (end < buffer.length && buffer[end] !== QUOTE) {
      if (buffer[end] === BACKSLASH) {
        escaped = true;
        end++;
      }
      end++;
    }
    if (end >= buffer.length) break;
    for (let i = counted; i < at; i++) if (buffer[i] === NEWLINE) line++;
    counted = at;
    const raw = buffer.toString('utf8', start, end);
    let value: string;
    try {
      value = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
    } catch {
      continue;
    }
    if (isUid) {
      uids.push(value);
      uidLines.push(line);
    } else {
      ids.push(value);
      idLines.push(line);
    }
    // Searching goes on after the value (the loop steps past the needle's length).
    at = end + 1 - NEEDLE.length;
  }
  return { uids, uidLines: Int32Array.from(uidLines), ids, idLines: Int32Array.from(idLines) };
}
