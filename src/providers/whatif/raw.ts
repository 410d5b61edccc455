/**
 * `--raw` may hold several providers' raw documents side by side (`raw/aws`, `raw/azure`, `raw/gcp`, host files).
 * Each projector takes only its own provider's: every file is read once and offered to that provider's recognizer,
 * and a file it does not recognise belongs to another provider (or to none) and is left out. A file of its own that
 * is damaged is left out too, and then the check that the raw documents reproduce the snapshot names what is missing.
 */
import { UserError } from '../../errors.js';
import { readInputText } from '../../util/files.js';

export async function ownDocuments<T>(
  paths: string[],
  what: string,
  recognize: (text: string, file: string) => T,
): Promise<Array<{ file: string; document: T }>> {
  const out: Array<{ file: string; document: T }> = [];
  for (const file of paths) {
    const text = await readInputText(file, what);
    try {
      out.push({ file, document: recognize(text, file) });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
  }
  return out;
}
