// Which test files `npm test` runs, and how (see ava.suite.config.js and load.ts). Plain JavaScript: ava's main
// process reads it too, before any TypeScript loader is there.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { ava } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Whether ava `files` globs (by default package.json's: every test file but the end-to-end ones) select a path. */
export function selects(path, globs = ava.files) {
  let chosen = false;
  for (const glob of globs) {
    if (glob.startsWith('!')) chosen &&= !minimatch(path, glob.slice(1));
    else chosen ||= minimatch(path, glob);
  }
  // ava itself never runs files under fixtures/ or helpers/, nor those whose name starts with _.
  return chosen && !path.split('/').some((part) => part === 'fixtures' || part === 'helpers' || part.startsWith('_'));
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * The files under test/ (or test/FOLDER) that ava `files` globs select, as paths from the repository root with `/`, in
 * name order.
 * @returns {string[]}
 */
export function selectedFiles(globs = ava.files, folder = '') {
  return walk(join(ROOT, 'test', folder))
    .map((file) => relative(ROOT, file).split(sep).join('/'))
    .filter((file) => selects(file, globs))
    .sort();
}

/** Every `npm test` file under test/ (or test/FOLDER). */
export const npmTestFiles = (folder = '') => selectedFiles(ava.files, folder);

/**
 * Whether a test file awaits at its top level (a statement starting `await`, or a declaration taking an awaited
 * value, at the start of a line). ava starts running a process's tests one tick after the first is declared, so such a
 * file, which declares its tests only after the await, cannot share a process with others: it runs alone.
 */
export const awaitsAtTopLevel = (path) => topLevelAwait(readFileSync(join(ROOT, path), 'utf8'));

/** Whether a module's source awaits at its top level, as awaitsAtTopLevel tells (formatted code: top level is column 0). */
export function topLevelAwait(source) {
  return /^(?:export\s+)?(?:(?:const|let|var)\s[^=;]*=\s*await\b|await\b|for\s+await\b)/m.test(source);
}

/** The files of test/FOLDER that its group's suite (test/suites/<group>.ts) runs in one process. */
export const suiteFiles = (folder) => npmTestFiles(folder).filter((file) => !awaitsAtTopLevel(file));

/**
 * The processes of `npm test`: each runs the files of its folders (test/suites/<folders joined by +>.ts), longest
 * first, so that the two cores are not left with one long process at the end. Loading the source and the SDKs through
 * tsx costs each process a few seconds of CPU: seven small folders run in one process took 27 s of CPU against 44 s in
 * seven, and the whole suite in these five took 141 s of CPU and 80 s against 188 s and 99 s in thirteen (one per
 * folder). Each folder is in exactly one group (test/core/test-split.test.ts): put a new one where its time suits.
 */
export const GROUPS = [
  ['whatif', 'gcp', 'vendor', 'privilege'],
  ['output', 'azure'],
  ['gate', 'engine', 'providers'],
  ['core', 'hosts'],
  ['aws', 'detect'],
];

/** The suite file name (without .ts) of a group of folders. */
export const groupName = (folders) => folders.join('+');

/** The `npm test` files that run alone, a process each. */
export const aloneFiles = () => npmTestFiles().filter(awaitsAtTopLevel);
