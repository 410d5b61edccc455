import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { providers } from '../../src/providers/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { editText, filesUnder, fuzzParameters, mutate, mutation, onlyUserErrors, textEdit } from './support.js';

const quietProgress = { status: () => undefined, warn: () => undefined };
const RAW = join(ROOT, 'examples', 'acme', 'raw');

// Each provider's raw export from the example tenant: one file at a time is fuzzed, the others stay as exported,
// so the importer gets past recognising the bundle and into its normalizer.
const CASES: Array<[string, string]> = [
  ['aws', join(RAW, 'aws', '222222222222')],
  ['azure', join(RAW, 'azure')],
  ['gcp', join(RAW, 'gcp')],
  ['windows', join(RAW, 'windows')],
  ['linux', join(RAW, 'linux')],
];

for (const [name, source] of CASES) {
  test(`import ${name}: a fuzzed export is read or refused in one line, never a crash`, async (t) => {
    const adapter = providers.find((p) => p.name === name)!;
    const dir = await tempDir(`cloudward-fuzz-${name}-`);
    const files = filesUnder(source);
    const originals = files.map((f) => readFileSync(join(source, f), 'utf8'));
    for (const [i, f] of files.entries()) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), originals[i]!);
    }
    const paths = files.map((f) => join(dir, f));
    const context = { options: {}, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' };
    // The export as written imports: the fuzzed runs below reach the normalizer, not only the recogniser.
    t.true(adapter.normalize(await adapter.importFiles(paths, context)).sources.length > 0);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        textEdit,
        fc.boolean(),
        async (which, mutations, edits, asText) => {
          const index = which % files.length;
          const original = originals[index]!;
          let text: string;
          try {
            text = asText
              ? editText(original, edits)
              : JSON.stringify(mutate(JSON.parse(original), mutations), null, 1);
          } catch {
            text = editText(original, edits);
          }
          writeFileSync(paths[index]!, text);
          try {
            return await onlyUserErrors(
              t,
              async () => adapter.normalize(await adapter.importFiles(paths, context)),
              () => `${files[index]}: ${text}`,
            );
          } finally {
            writeFileSync(paths[index]!, original);
          }
        },
      ),
      fuzzParameters(14),
    );
    t.pass();
  });
}
