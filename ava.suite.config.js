// `npm test`: the files package.json's ava settings select (every test file but the end-to-end ones), each folder's in
// one process: test/suites/<folder>.ts imports them all (see test/suites/load.ts). A process per file spent about 2 s
// of CPU each on starting Node, ava and tsx and loading the source and the SDKs, most of the suite's time. Some files
// still run alone (test/suites/files.mjs says which and why). `npx ava test/dir/file.test.ts` still runs one
// file alone, with the same settings.
import { readFileSync } from 'node:fs';
import { aloneFiles } from './test/suites/files.mjs';

const { ava } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/**
 * The longest folders first (as measured with --cpu-prof), so that the two cores are not left with one long folder at
 * the end. Every folder is listed (test/core/test-split.test.ts): add a new one where its time puts it.
 */
export const ORDER = [
  'whatif',
  'core',
  'gate',
  'output',
  'azure',
  'aws',
  'engine',
  'detect',
  'providers',
  'gcp',
  'hosts',
  'vendor',
  'privilege',
];
const rank = (file) => {
  const suite = /[/\\]suites[/\\]([^/\\]+)\.ts$/.exec(file)?.[1];
  return suite === undefined ? ORDER.length : ORDER.indexOf(suite) === -1 ? ORDER.length : ORDER.indexOf(suite);
};

export default {
  ...ava,
  files: ['test/suites/*.ts', '!test/suites/load.ts', ...aloneFiles()],
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  // A folder's tests all start at once in its one process, so on two busy cores none may finish for a while: ava's
  // timeout counts time without a finished test, and 120 s was seen to run out on the what-if folder.
  timeout: '6m',
};
