import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { LineIndex } from '../snapshot/line-index.js';
import type { Report } from './model.js';

export interface SnapshotLocation {
  uri: string;
  line: number;
}

/** A `"uid": "..."` or `"id": "..."` member; the value is a JSON string body (escapes kept). */
const ID_MEMBER = /"(uid|id)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** A path as a relative URI with forward slashes (what code scanning expects). */
export function relativeUri(path: string, from = process.cwd()): string {
  const rel = relative(from, path) || path;
  return encodeURI(rel.split(sep).join('/'));
}

/** Each snapshot file's line index (made while it was loaded), by path. */
export type LineIndexes = Array<{ path: string; index: LineIndex }>;

/**
 * Where each resource sits in the snapshot file(s): the line of its `"uid"` (or, for a source, its scope id), so a
 * finding points at the JSON the auditor can open. Uses the line indexes made while the files were loaded when given;
 * otherwise reads the files again and scans the text in place (never split into lines, so a 128 MiB snapshot costs
 * one string rather than millions of line strings). Keeps only the locations `wanted` names, when given.
 */
export function snapshotLocations(
  report: Report,
  base = process.cwd(),
  wanted?: { uids: ReadonlySet<string>; scopeIds: ReadonlySet<string> },
  indexes?: LineIndexes,
): (uid: string, scopeId: string) => SnapshotLocation {
  const byUid = new Map<string, SnapshotLocation>();
  const byScopeId = new Map<string, SnapshotLocation>();
  const fallback: SnapshotLocation = { uri: relativeUri(report.snapshot.files[0]?.path ?? 'snapshot.json', base), line: 1 };
  const note = (into: Map<string, SnapshotLocation>, want: ReadonlySet<string> | undefined, value: string, uri: string, line: number) => {
    if (!into.has(value) && (!want || want.has(value))) into.set(value, { uri, line });
  };
  for (const file of report.snapshot.files) {
    const uri = relativeUri(file.path, base);
    const index = indexes?.find((i) => i.path === file.path)?.index;
    if (index) {
      index.uids.forEach((uid, i) => note(byUid, wanted?.uids, uid, uri, index.uidLines[i]!));
      index.ids.forEach((id, i) => note(byScopeId, wanted?.scopeIds, id, uri, index.idLines[i]!));
      continue;
    }
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch {
      continue;
    }
    // Compact (one-line) snapshots put everything on line 1, which is still a valid location.
    let line = 1;
    let counted = 0;
    for (const match of text.matchAll(ID_MEMBER)) {
      for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < match.index; nl = text.indexOf('\n', nl + 1)) {
        line++;
        counted = nl + 1;
      }
      let value: string;
      try {
        value = JSON.parse(`"${match[2]}"`) as string;
      } catch {
        continue;
      }
      if (match[1] === 'uid') note(byUid, wanted?.uids, value, uri, line);
      else note(byScopeId, wanted?.scopeIds, value, uri, line);
    }
  }
  return (uid, scopeId) => byUid.get(uid) ?? byScopeId.get(scopeId) ?? fallback;
}
