/** Import of a `--raw-out` folder: `<project>/cloudward-collection.json` says which project and when. */
import { basename, dirname } from 'node:path';
import { UserError } from '../../../src/errors.js';
import { RAW_NOTE_FILE, sortDocuments, sortGaps } from '../../../src/providers/cloud/index.js';
import type { ImportContext, RawBundle, RawDocument } from '../../../src/providers/types.js';
import { readInputText } from '../../../src/util/files.js';
import { gapsOf } from './normalize.js';

export async function importDemoFiles(paths: string[], context: ImportContext): Promise<RawBundle[]> {
  const folders = new Map<string, { note?: { ScopeKind: string; ScopeId: string; ScopeName?: string; CollectedAt: string }; documents: RawDocument[] }>();
  for (const path of paths) {
    const folder = folders.get(dirname(path)) ?? folders.set(dirname(path), { documents: [] }).get(dirname(path))!;
    const body = JSON.parse(await readInputText(path, 'demo export')) as unknown;
    if (basename(path) === RAW_NOTE_FILE) folder.note = (body as { Cloudward: NonNullable<typeof folder.note> }).Cloudward;
    else folder.documents.push({ kind: basename(path).replace(/(\.\d+)?\.json$/, ''), origin: path, body });
  }
  return [...folders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([folder, { note, documents }]) => {
    if (!note) throw new UserError(`no ${RAW_NOTE_FILE} beside the files`, { where: folder, hint: 'import a whole --raw-out project folder' });
    const sorted = sortDocuments(documents);
    return { provider: 'demo', scope: { kind: 'project', id: note.ScopeId, ...(note.ScopeName ? { name: note.ScopeName } : {}) }, method: 'import', collectedAt: context.collectedAt ?? note.CollectedAt, documents: sorted, gaps: sortGaps(gapsOf({ documents: sorted })) };
  });
}
