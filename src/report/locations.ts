import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Report } from './model.js';

export interface SnapshotLocation {
  uri: string;
  line: number;
}

const UID_LINE = /"uid"\s*:\s*"((?:[^"\\]|\\.)*)"/;
const SCOPE_ID_LINE = /"id"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** A path as a relative URI with forward slashes (what code scanning expects). */
export function relativeUri(path: string, from = process.cwd()): string {
  const rel = relative(from, path) || path;
  return encodeURI(rel.split(sep).join('/'));
}

/**
 * Where each resource sits in the snapshot file(s): the line of its `"uid"` (or, for a source, its scope id), so a
 * finding points at the JSON the auditor can open. Reads the files again only when a format asks for locations.
 */
export function snapshotLocations(report: Report, base = process.cwd()): (uid: string, scopeId: string) => SnapshotLocation {
  const byUid = new Map<string, SnapshotLocation>();
  const byScopeId = new Map<string, SnapshotLocation>();
  const fallback: SnapshotLocation = { uri: relativeUri(report.snapshot.files[0]?.path ?? 'snapshot.json', base), line: 1 };
  for (const file of report.snapshot.files) {
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch {
      continue;
    }
    const uri = relativeUri(file.path, base);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const uid = UID_LINE.exec(line);
      if (uid) {
        const value = JSON.parse(`"${uid[1]}"`) as string;
        if (!byUid.has(value)) byUid.set(value, { uri, line: i + 1 });
        continue;
      }
      const scopeId = SCOPE_ID_LINE.exec(line);
      if (scopeId) {
        const value = JSON.parse(`"${scopeId[1]}"`) as string;
        if (!byScopeId.has(value)) byScopeId.set(value, { uri, line: i + 1 });
      }
    }
    // Compact (one-line) snapshots put everything on line 1; that is still a valid location.
  }
  return (uid, scopeId) => byUid.get(uid) ?? byScopeId.get(scopeId) ?? fallback;
}
