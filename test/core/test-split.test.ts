import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { E2E } from '../../ava.e2e.config.js';

test('every test file runs in `npm test` or in `npm run test:e2e`, none in both', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { ava: { files: string[] }; scripts: Record<string, string> };
  t.deepEqual(pkg.ava.files, ['test/**/*.test.ts', ...E2E.map((glob: string) => `!${glob}`)], '`npm test` runs every test file but the end-to-end ones');
  t.true(E2E.every((glob: string) => glob.startsWith('test/') && glob.endsWith('.test.ts')));
  t.regex(pkg.scripts['test:e2e']!, /ava --config ava\.e2e\.config\.js$/);
});

// A machine with Node and a Debian base has neither ICU nor an openssl binary: the tests must need neither.
test('the SARIF Multitool (.NET) runs in invariant globalization mode, so the tests need no ICU library', (t) => {
  t.is(process.env.DOTNET_SYSTEM_GLOBALIZATION_INVARIANT, '1', 'package.json\'s ava environmentVariables set it for every test process');
});

test('the fake Azure server\'s loopback certificate is checked in and stays valid for years, so the tests need no openssl', async (t) => {
  const cert = new X509Certificate(await readFile(new URL('../support/tls/localhost.cert.pem', import.meta.url)));
  const key = createPrivateKey(await readFile(new URL('../support/tls/localhost.key.pem', import.meta.url)));
  t.true(cert.checkPrivateKey(key), 'the key is the certificate\'s');
  t.true(cert.checkHost('localhost') === 'localhost' && cert.checkIP('127.0.0.1') === '127.0.0.1', 'it names the loopback host and address');
  t.true(Date.parse(cert.validTo) > Date.now() + 10 * 365 * 86_400_000, `valid until ${cert.validTo}: replace it as test/support/tls/README.md says`);
  t.true(Date.parse(cert.validFrom) <= Date.now());
});
