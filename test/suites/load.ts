/**
 * `npm test` runs a few groups of test/ folders, each in one process (ava.suite.config.js, GROUPS in files.mjs): a
 * suite file here imports the test files of its folders, so they share one Node process, one load of ava, tsx, the
 * source and the SDKs, instead of paying them once per file (about 2 s of CPU each, most of the suite's time). The
 * test files stay as they are: `npx ava test/aws/cli.test.ts` still runs one file alone, in a process of its own.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, suiteFiles } from './files.mjs';

/**
 * Declares the tests of the files of test/FOLDER, for each folder given, that can share a process. They are imported
 * by one module with a static import each, so that they all declare their tests in one synchronous run: ava starts a
 * process's tests one tick after the first is declared, and refuses any declared later.
 */
export async function loadSuite(...folders: string[]): Promise<void> {
  const imports = folders
    .flatMap((folder) => suiteFiles(folder))
    .map((file) => `import ${JSON.stringify(pathToFileURL(join(ROOT, file)).href)};`);
  await import(`data:text/javascript,${encodeURIComponent(imports.join('\n'))}`);
}
