import { relative, sep } from 'node:path';
import type { LineIndex } from '../snapshot/line-index.js';
import type { Report } from './model.js';

interface SnapshotLocation {
  uri: string;
  line: number;
}

/** A path as a relative URI with forward slashes (what code scanning expects). */
export function relativeUri(path: string, from = process.cwd()): string {
  const rel = relative(from, path) || path;
  return encodeURI(rel.split(sep).join('/'));
}

/** Each snapshot file's line index (made while it was loaded), by path. */
export type LineIndexes = Array<{ path: string; index: LineIndex }>;

/**
 * Where each resource sits in the snapshot file(s): the line of its `"uid"` (or, for a source, its scope id), so a
 * finding points at the JSON the auditor can open, from the files' line indexes as the caller hands them in (a file
 * without one is located at its first line; nothing is read here). Keeps only the locations `wanted` names, when given.
 */
export function snapshotLocations(
  report: Report,
  base = process.cwd(),
  wanted?: { uids: ReadonlySet<string>; scopeIds: ReadonlySet<string> },
  indexes?: LineIndexes,
): (uid: string, scopeId: string) => SnapshotLocation {
  const byUid = new Map<string, SnapshotLocation>();
  const byScopeId = new Map<string, SnapshotLocation>();
  const fallback: SnapshotLocation = {
    uri: relativeUri(report.snapshot.files[0]?.path ?? 'snapshot.json', base),
    line: 1,
  };
  const note = (
    into: Map<string, SnapshotLocation>,
    want: ReadonlySet<string> | undefined,
    value: string,
    uri: string,
    line: number,
  ) => {
    if (!into.has(value) && (!want || want.has(value))) into.set(value, { uri, line });
  };
  for (const file of report.snapshot.files) {
    const uri = relativeUri(file.path, base);
    const index = indexes?.find((i) => i.path === file.path)?.index;
    if (!index) continue;
    // Compact (one-line) snapshots put everything on line 1, which is still a valid location.
    index.uids.forEach((uid, i) => note(byUid, wanted?.uids, uid, uri, index.uidLines[i]!));
    index.ids.forEach((id, i) => note(byScopeId, wanted?.scopeIds, id, uri, index.idLines[i]!));
  }
  return (uid, scopeId) => byUid.get(uid) ?? byScopeId.get(scopeId) ?? fallback;
}
