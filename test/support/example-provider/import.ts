/**
 * Import of a `--raw-out` folder: `<project>/cloudward-collection.json` says which project and when, and each
 * `demo.<kind>.json` beside it is one document. The what-if projector reads `--raw` with the same recognizer, taking
 * only Demo Cloud's files.
 */
import { basename, dirname } from 'node:path';
import { UserError } from '../../../src/errors.js';
import { RAW_NOTE_FILE, sortDocuments, sortGaps } from '../../../src/providers/cloud/index.js';
import type { ImportContext, RawBundle, RawDocument } from '../../../src/providers/types.js';
import { readInputText } from '../../../src/util/files.js';
import { parseJsonText } from '../../../src/util/json.js';
import { gapsOf } from './normalize.js';

interface CollectionNote {
  Provider?: string;
  ScopeKind: string;
  ScopeId: string;
  ScopeName?: string;
  CollectedAt: string;
}

/** One file of a project folder: its collection note, or a document. */
export type DemoFile = { path: string; note: CollectionNote } | { path: string; document: RawDocument };

const DOCUMENT_FILE = /^(demo\.[a-z-]+)(\.\d+)?\.json$/;

/** A Demo Cloud file, or a UserError naming it when it is not one (another provider's file, or a damaged one). */
export function recognizeDemoFile(text: string, path: string): DemoFile {
  const name = basename(path);
  const kind = DOCUMENT_FILE.exec(name)?.[1];
  if (name !== RAW_NOTE_FILE && !kind)
    throw new UserError('not a Demo Cloud raw document', {
      where: path,
      hint: 'import the files `collect demo --raw-out` wrote (demo.<kind>.json and cloudward-collection.json)',
    });
  const body = parseJsonText(text, path, 'demo export');
  if (kind) return { path, document: { kind, origin: path, body } };
  const note = (body as { Cloudward?: CollectionNote } | null)?.Cloudward;
  if (note?.Provider !== 'demo')
    throw new UserError('not a Demo Cloud collection note', {
      where: path,
      hint: 'import a folder `collect demo --raw-out` wrote',
    });
  return { path, note };
}

/** The bundles of recognized files: one per folder, which must hold its collection note. */
export function demoBundlesOf(files: DemoFile[], collectedAt?: string): RawBundle[] {
  const folders = new Map<string, { note?: CollectionNote; documents: RawDocument[] }>();
  for (const file of files) {
    const folder =
      folders.get(dirname(file.path)) ?? folders.set(dirname(file.path), { documents: [] }).get(dirname(file.path))!;
    if ('note' in file) folder.note = file.note;
    else folder.documents.push(file.document);
  }
  return [...folders]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([folder, { note, documents }]) => {
      if (!note)
        throw new UserError(`no ${RAW_NOTE_FILE} beside the files`, {
          where: folder,
          hint: 'import a whole --raw-out project folder',
        });
      const sorted = sortDocuments(documents);
      return {
        provider: 'demo',
        scope: { kind: 'project', id: note.ScopeId, ...(note.ScopeName ? { name: note.ScopeName } : {}) },
        method: 'import',
        collectedAt: collectedAt ?? note.CollectedAt,
        documents: sorted,
        gaps: sortGaps(gapsOf({ documents: sorted })),
      };
    });
}

export async function importDemoFiles(paths: string[], context: ImportContext): Promise<RawBundle[]> {
  const files: DemoFile[] = [];
  for (const path of paths) files.push(recognizeDemoFile(await readInputText(path, 'demo export'), path));
  return demoBundlesOf(files, context.collectedAt);
}
