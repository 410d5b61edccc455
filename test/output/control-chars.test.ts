import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { fixture, runCli, tempDir } from '../helpers/cli.js';
import { safeText } from '../../src/util/terminal.js';
import { snapshotDigest } from '../../src/snapshot/digest.js';

/** Anything a terminal would act on: ESC (CSI, OSC), BEL, C1 CSI, carriage return, bidi overrides. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const EVIL = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\r\u202egnp.exe\u0000';

/** The small snapshot with a hostile uid, name and scope name, as a compromised host's bundle could carry. */
async function hostileSnapshot(): Promise<string> {
  const snapshot = JSON.parse(await readFile(fixture('good', 'small-snapshot.json'), 'utf8'));
  delete snapshot.digest;
  snapshot.sources[0].scope.name = EVIL;
  for (const p of snapshot.principals) {
    p.uid = `${p.uid}${EVIL}`;
    p.name = EVIL;
    p.scope.name = EVIL;
  }
  // As the host's collector would write it: with the digest of this content.
  snapshot.digest = snapshotDigest(snapshot);
  const dir = await tempDir();
  const path = join(dir, `snap${'\u001b[1m'}.json`);
  await writeFile(path, JSON.stringify(snapshot));
  return path;
}

test('safeText shows every control character as a visible escape and leaves other text alone', (t) => {
  t.is(safeText('a\u001b[31mb\u0007c\nd\te\u009bf\u202eg'), 'a\\x1b[31mb\\x07c\\nd\\te\\x9bf\\u202eg');
  t.is(safeText('plain — ünïcode ✓'), 'plain — ünïcode ✓');
  t.false(CONTROL.test(safeText(EVIL)));
});

test('names from a snapshot never reach the terminal raw: text report, markdown, gate summary', async (t) => {
  const path = await hostileSnapshot();
  for (const format of ['text', 'markdown']) {
    const run = await runCli(['audit', path, '--fail-on', 'none', '--verbose', '-f', format]);
    t.is(run.code, 0, run.stderr);
    t.true(run.stdout.includes('evil\\x1b]0;pwned\\x07'), `${format} shows the escape visibly`);
    t.false(CONTROL.test(run.stdout), `${format} stdout`);
    t.false(CONTROL.test(run.stderr), `${format} stderr`);
  }
  const dir = await tempDir();
  const files = await runCli(['audit', path, '--fail-on', 'none', '--output-dir', dir, '-f', 'text,json']);
  t.false(CONTROL.test(files.stdout));
  t.false(CONTROL.test(files.stderr));
  // The JSON report is data: it keeps the value as it was (escaped by JSON itself).
  t.true(
    JSON.parse(await readFile(join(dir, 'cloudward.json'), 'utf8')).results.some((r: { resource: { uid: string } }) =>
      r.resource.uid.includes(EVIL),
    ),
  );
});

test('snippets of malformed input and hostile paths in error messages are escaped', async (t) => {
  const dir = await tempDir();
  const bad = join(dir, `bad\u001b[2J.json`);
  await writeFile(bad, '{"schemaVersion": \u001b]0;pwned\u0007}');
  for (const args of [
    ['audit', bad],
    ['validate', bad],
    ['audit', join(dir, 'missing\u001b[31m.json')],
    ['audit', bad, '--bogus\u001b[5m'],
  ]) {
    const run = await runCli(args);
    t.is(run.code, 2, run.stderr);
    t.false(CONTROL.test(run.stderr), JSON.stringify(run.stderr));
    t.regex(run.stderr, /\\x1b/);
  }
});

/** ESC, BEL, NUL, C1, CR and the bidi overrides; tabs and line feeds may stand in files as they are. */
const FILE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('every format that is not JSON shows the controls in snapshot names as visible escapes; JSON keeps them as JSON escapes', async (t) => {
  const path = await hostileSnapshot();
  const dir = await tempDir();
  const run = await runCli([
    'audit',
    path,
    '--fail-on',
    'none',
    '--output-dir',
    dir,
    '-f',
    'text,csv,html,markdown,junit,json,sarif,ocsf',
  ]);
  t.is(run.code, 0, run.stderr);
  for (const file of ['cloudward.txt', 'cloudward.csv', 'cloudward.html', 'cloudward.md', 'cloudward.junit.xml']) {
    // CSV rows end in CRLF (RFC 4180): those line ends are the format's own.
    const text = (await readFile(join(dir, file), 'utf8')).replace(/\r\n/g, '\n');
    const at = FILE_CONTROL.exec(text);
    t.is(at, null, `${file}: ${JSON.stringify(text.slice(Math.max(0, (at?.index ?? 0) - 30), (at?.index ?? 0) + 30))}`);
    t.regex(text, /evil\\\\?x1b/, `${file} shows the escape visibly`);
  }
  const { XMLValidator } = await import('fast-xml-parser');
  t.is(
    XMLValidator.validate(await readFile(join(dir, 'cloudward.junit.xml'), 'utf8')),
    true,
    'the JUnit XML is well-formed',
  );
  for (const file of ['cloudward.json', 'cloudward.sarif', 'cloudward.ocsf.json']) {
    const text = await readFile(join(dir, file), 'utf8');
    t.true(text.includes('evil\\u001b]0;pwned\\u0007'), `${file} carries the value, escaped by JSON`);
  }
});

test('cloudward diff shows the controls in report values as visible escapes, on stdout and in a file', async (t) => {
  const dir = await tempDir();
  const before = join(dir, 'before.json');
  const after = join(dir, 'after.json');
  t.is(
    (await runCli(['audit', fixture('good', 'small-snapshot.json'), '--fail-on', 'none', '-f', 'json', '-o', before]))
      .code,
    0,
  );
  t.is((await runCli(['audit', await hostileSnapshot(), '--fail-on', 'none', '-f', 'json', '-o', after])).code, 0);
  const out = join(dir, 'diff.txt');
  for (const format of ['text', 'markdown']) {
    const run = await runCli(['diff', before, after, '-f', format]);
    t.is(run.code, 0, run.stderr);
    t.is(FILE_CONTROL.exec(run.stdout), null, `${format} on stdout`);
    t.is((await runCli(['diff', before, after, '-f', format, '-o', out])).code, 0);
    const text = await readFile(out, 'utf8');
    t.is(FILE_CONTROL.exec(text), null, `${format} in a file`);
    t.regex(text, /evil\\\\?x1b/);
  }
});
