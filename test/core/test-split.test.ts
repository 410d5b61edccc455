import { readFile } from 'node:fs/promises';
import test from 'ava';
import { E2E } from '../../ava.e2e.config.js';

test('every test file runs in `npm test` or in `npm run test:e2e`, none in both', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { ava: { files: string[] }; scripts: Record<string, string> };
  t.deepEqual(pkg.ava.files, ['test/**/*.test.ts', ...E2E.map((glob: string) => `!${glob}`)], '`npm test` runs every test file but the end-to-end ones');
  t.true(E2E.every((glob: string) => glob.startsWith('test/') && glob.endsWith('.test.ts')));
  t.regex(pkg.scripts['test:e2e']!, /ava --config ava\.e2e\.config\.js$/);
});
