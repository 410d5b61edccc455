import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import test from 'ava';
import { E2E } from '../../ava.e2e.config.js';
import suiteConfig from '../../ava.suite.config.js';
import {
  aloneFiles,
  awaitsAtTopLevel,
  GROUPS,
  groupName,
  npmTestFiles,
  suiteFiles,
  topLevelAwait,
} from '../suites/files.mjs';

test('every test file runs in `npm test` or in `npm run test:e2e`, none in both', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    ava: { files: string[] };
    scripts: Record<string, string>;
  };
  t.deepEqual(
    pkg.ava.files,
    ['test/**/*.test.ts', ...E2E.map((glob: string) => `!${glob}`)],
    '`npm test` runs every test file but the end-to-end ones',
  );
  t.true(E2E.every((glob: string) => glob.startsWith('test/') && glob.endsWith('.test.ts')));
  t.regex(pkg.scripts['test:e2e']!, /ava --config ava\.e2e\.config\.js$/);
  t.is(pkg.scripts.test, 'ava --config ava.suite.config.js', '`npm test` runs the files folder by folder');
});

test("`npm test` runs each of its files exactly once: in its folder's group, or alone when it awaits at its top level", async (t) => {
  const files = npmTestFiles();
  t.true(files.length > 100 && files.includes('test/core/test-split.test.ts'));
  const folders = [...new Set(files.map((file) => file.split('/')[1]!))].sort();
  t.deepEqual(
    GROUPS.flat().sort(),
    folders,
    'each folder of test files is in exactly one of the GROUPS in test/suites/files.mjs',
  );
  const suites = (await readdir(new URL('../suites/', import.meta.url)))
    .filter((f) => f.endsWith('.ts') && f !== 'load.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  t.deepEqual(
    suites,
    GROUPS.map(groupName).sort(),
    'a suite file in test/suites/ for each group (copy one for a new group)',
  );
  for (const group of GROUPS) {
    const text = await readFile(new URL(`../suites/${groupName(group)}.ts`, import.meta.url), 'utf8');
    t.true(
      text.includes(`await loadSuite(${group.map((folder) => `'${folder}'`).join(', ')});`),
      `test/suites/${groupName(group)}.ts loads the folders of its group`,
    );
  }
  const run = [...folders.flatMap((folder) => suiteFiles(folder)), ...aloneFiles()].sort();
  t.deepEqual(run, files);
  t.deepEqual(suiteConfig.files, ['test/suites/*.ts', '!test/suites/load.ts', ...aloneFiles()]);
  t.true(aloneFiles().every((file) => awaitsAtTopLevel(file)));
});

test('a file that awaits at its top level is told apart from one that awaits only inside its tests', (t) => {
  t.true(topLevelAwait("import test from 'ava';\nconst checks = await loadChecks();\ntest('x', (t) => t.pass());"));
  t.true(topLevelAwait('await loadOcsfClouds();'));
  t.true(topLevelAwait('export const cache = await build();'));
  t.true(topLevelAwait('for await (const line of lines) test(line, (t) => t.pass());'));
  t.false(topLevelAwait("test('x', async (t) => {\n  const run = await runCli([]);\n  await rm(dir);\n});"));
  t.false(awaitsAtTopLevel('test/core/test-split.test.ts'));
});

// A machine with Node and a Debian base has neither ICU nor an openssl binary: the tests must need neither.
test('the SARIF Multitool (.NET) runs in invariant globalization mode, so the tests need no ICU library', (t) => {
  t.is(
    process.env.DOTNET_SYSTEM_GLOBALIZATION_INVARIANT,
    '1',
    "package.json's ava environmentVariables set it for every test process",
  );
});

test("the fake Azure server's loopback certificate is checked in and stays valid for years, so the tests need no openssl", async (t) => {
  const cert = new X509Certificate(await readFile(new URL('../support/tls/localhost.cert.pem', import.meta.url)));
  const key = createPrivateKey(await readFile(new URL('../support/tls/localhost.key.pem', import.meta.url)));
  t.true(cert.checkPrivateKey(key), "the key is the certificate's");
  t.true(
    cert.checkHost('localhost') === 'localhost' && cert.checkIP('127.0.0.1') === '127.0.0.1',
    'it names the loopback host and address',
  );
  t.true(
    Date.parse(cert.validTo) > Date.now() + 10 * 365 * 86_400_000,
    `valid until ${cert.validTo}: replace it as test/support/tls/README.md says`,
  );
  t.true(Date.parse(cert.validFrom) <= Date.now());
});
