import test from 'ava';
import { UserError } from '../../src/errors.js';
import { linuxAdapter } from '../../src/providers/linux/index.js';
import { fixture, importContext, tempFile } from './helpers.js';

const withFile = (t: import('ava').ExecutionContext, content: string) => tempFile(t, 'bundle.json', content);

async function rejects(t: import('ava').ExecutionContext, paths: string[], pattern: RegExp): Promise<void> {
  const error = await t.throwsAsync(linuxAdapter.importFiles(paths, importContext()), { instanceOf: UserError });
  t.regex(error!.oneLine(), pattern);
}

const bundle = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 'cloudward-host-bundle',
    formatVersion: 1,
    provider: 'linux',
    scope: { kind: 'host', id: 'h1', name: 'h1' },
    collectedAt: '2026-11-01T09:00:00Z',
    documents: [],
    gaps: [],
    ...extra,
  });

test('a minimal valid bundle imports, and everything it lacks becomes a gap or stays absent', async (t) => {
  const path = await withFile(t, bundle());
  const bundles = await linuxAdapter.importFiles([path], importContext());
  const part = linuxAdapter.normalize(bundles);
  t.deepEqual(part.sources[0]!.gaps.map((g) => g.what).sort(), [
    'linux.cloud-credentials',
    'linux.cloud-tools',
    'linux.groups',
    'linux.mounts',
  ]);
  t.is(part.hosts[0]!.mounts, undefined);
});

test('malformed JSON is refused with its position', async (t) => {
  await rejects(
    t,
    [await withFile(t, '{"format": "cloudward-host-bundle", ')],
    /bundle\.json:1:\d+: malformed Linux host bundle JSON/,
  );
});

test('JSON that is not a bundle is refused', async (t) => {
  await rejects(t, [await withFile(t, '{"hosts": []}')], /not a Linux host bundle: no "format"/);
  await rejects(t, [await withFile(t, '[1, 2]')], /not a Linux host bundle \(not a JSON object\)/);
});

test('an empty file, a directory and no file at all are refused', async (t) => {
  await rejects(t, [await withFile(t, '')], /Linux host bundle is empty/);
  await rejects(t, [fixture('windows', '')], /is a directory, not a file/);
  await rejects(t, [], /no files given/);
});

test('a Windows bundle, an unknown document kind and a broken field are refused', async (t) => {
  await rejects(t, [fixture('windows', 'bundle-ws-01.json')], /this is a windows host bundle, not a linux one/);
  await rejects(
    t,
    [await withFile(t, bundle({ documents: [{ kind: 'linux.shadow', origin: '/etc/shadow', body: '' }] }))],
    /unknown document kind "linux\.shadow"/,
  );
  await rejects(
    t,
    [await withFile(t, bundle({ gaps: [{ what: 'Linux Sudoers', reason: 'x' }] }))],
    /#\/gaps\/0\/what: invalid host bundle/,
  );
  await rejects(t, [await withFile(t, bundle({ formatVersion: 2 }))], /#\/formatVersion: invalid host bundle/);
});

test('a __proto__ key is refused', async (t) => {
  await rejects(
    t,
    [
      await withFile(
        t,
        bundle({ collector: JSON.parse('{"__proto__": {"polluted": true}}') }).replace(
          '"collector":{}',
          '"collector":{"__proto__":{"x":1}}',
        ),
      ),
    ],
    /"__proto__" key is not allowed/,
  );
});
