import test from 'ava';
import { DIGEST_BYTES_MODULE } from '../../src/snapshot/digest-bytes.js';
import { scanSnapshotBytes } from '../../src/snapshot/file-hash.js';
import { buildLineIndex, LINE_INDEX_MODULE } from '../../src/snapshot/line-index.js';
import { VERIFY_MODULE } from '../../src/whatif/verify.js';
import { largeExample } from '../support/snapshots.js';

const source = (path: string) => new URL(`../../src/${path}`, import.meta.url).href;

test('worker threads started from source import the source, not the build', (t) => {
  t.is(LINE_INDEX_MODULE.url, source('snapshot/line-index.ts'));
  t.is(DIGEST_BYTES_MODULE.url, source('snapshot/digest-bytes.ts'));
  t.is(VERIFY_MODULE.url, source('whatif/verify.ts'));
  for (const module of [LINE_INDEX_MODULE, DIGEST_BYTES_MODULE, VERIFY_MODULE])
    t.regex(module.loader ?? '', /\/tsx\//, 'the worker registers tsx before importing TypeScript');
});

test('a large snapshot is digested and indexed on a worker thread from source', async (t) => {
  const bytes = await largeExample();
  const expected = buildLineIndex(bytes);
  const snapshot = JSON.parse(bytes.toString('utf8')) as { digest: string };
  const scanned = scanSnapshotBytes(bytes, { digest: true, lineIndex: true });
  t.is(bytes.length, 0, 'the bytes moved to a worker');
  t.is(
    await scanned.digest,
    snapshot.digest,
    'the worker digested the snapshot (undefined when its module failed to load)',
  );
  t.deepEqual(await scanned.lineIndex, expected);
});
