// `npm test`: the files package.json's ava settings select (every test file but the end-to-end ones), in a few
// processes of several folders each (GROUPS in test/suites/files.mjs): test/suites/<folders>.ts imports their files
// (see test/suites/load.ts). A process per file spent about 2 s of CPU each on starting Node, ava and tsx and loading
// the source and the SDKs, most of the suite's time. A file that awaits at its top level would run alone
// (test/suites/files.mjs says why). `npx ava test/dir/file.test.ts` still runs one file alone, with the same settings.
import { readFileSync } from 'node:fs';
import { aloneFiles, GROUPS, groupName } from './test/suites/files.mjs';

const { ava } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const suiteOf = (file) => /[/\\]suites[/\\]([^/\\]+)\.ts$/.exec(file)?.[1];
const rank = (file) => {
  const at = GROUPS.findIndex((folders) => groupName(folders) === suiteOf(file));
  return at === -1 ? GROUPS.length : at;
};

export default {
  ...ava,
  files: ['test/suites/*.ts', '!test/suites/load.ts', ...aloneFiles()],
  sortTestFiles: (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  // A process's tests all start at once, so on two busy cores none may finish for a while: ava's timeout counts time
  // without a finished test, and 120 s was seen to run out on the what-if folder.
  timeout: '6m',
};
