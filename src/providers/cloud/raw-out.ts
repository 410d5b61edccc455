/**
 * The raw-evidence writer behind `--raw-out DIR` (one flag name for every provider): each scope's documents go to
 * `DIR/<scope id>/`, each file written atomically with mode 0600, in the provider's own shapes so `cloudward import`
 * can read the folder back. A folder that cannot be written is a UserError (exit 2), never a half-written tree.
 */
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../util/files.js';
import type { RawBundle, RawDocument } from '../types.js';

export interface RawFile {
  /** File name inside the scope's folder (no separators). */
  name: string;
  text: string;
}

/** A file-name-safe form of an id or key. */
export function safeFileName(key: string): string {
  return (
    key
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 200) || '_'
  );
}

/**
 * The default file of a document: `<kind>[.<n>].json` holding its body as pretty JSON; a second document of the
 * same kind gets `.2`, and so on (documents arrive in stable order, so names are stable too).
 */
export function defaultRawFiles(documents: readonly RawDocument[]): RawFile[] {
  const seen = new Map<string, number>();
  return documents.map((document) => {
    const stem = safeFileName(document.kind);
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    return { name: `${stem}${n > 1 ? `.${n}` : ''}.json`, text: `${JSON.stringify(document.body, null, 2)}\n` };
  });
}

/** The note written beside every scope's files: who, what and when, so an import needs no extra flags. */
export const RAW_NOTE_FILE = 'cloudward-collection.json';

export interface RawWriter {
  /** Writes the files of one scope under `DIR/<scope id>/`; returns the paths written. */
  writeScope(scopeId: string, files: readonly RawFile[]): Promise<string[]>;
  /** Writes a bundle with `toFiles` (default: `defaultRawFiles`) plus the collection note. */
  writeBundle(bundle: RawBundle, toFiles?: (documents: readonly RawDocument[]) => RawFile[]): Promise<string[]>;
}

export function createRawWriter(dir: string): RawWriter {
  const writeScope = async (scopeId: string, files: readonly RawFile[]) => {
    const written: string[] = [];
    for (const file of files) {
      const path = join(dir, safeFileName(scopeId), file.name);
      try {
        await writeFileAtomic(path, file.text);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new UserError(`cannot write the raw documents: ${code}`, {
          where: path,
          hint: '--raw-out must name a folder you can write to',
        });
      }
      written.push(path);
    }
    return written;
  };
  return {
    writeScope,
    writeBundle: (bundle, toFiles = defaultRawFiles) => {
      const note = {
        Cloudward: {
          Provider: bundle.provider,
          ScopeKind: bundle.scope.kind,
          ScopeId: bundle.scope.id,
          ...(bundle.scope.name ? { ScopeName: bundle.scope.name } : {}),
          CollectedAt: bundle.collectedAt,
        },
      };
      return writeScope(bundle.scope.id, [
        ...toFiles(bundle.documents),
        { name: RAW_NOTE_FILE, text: `${JSON.stringify(note, null, 2)}\n` },
      ]);
    },
  };
}
