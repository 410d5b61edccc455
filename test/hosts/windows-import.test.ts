import test from 'ava';
import { UserError } from '../../src/errors.js';
import { windowsAdapter } from '../../src/providers/windows/index.js';
import { fixture, importContext, tempFile } from './helpers.js';

const w = (name: string) => fixture('windows', name);

async function rejects(
  t: import('ava').ExecutionContext,
  paths: string[],
  pattern: RegExp,
  options: Record<string, unknown> = { host: 'ws-01' },
): Promise<UserError> {
  const error = await t.throwsAsync(windowsAdapter.importFiles(paths, importContext(options)), {
    instanceOf: UserError,
  });
  t.regex(error!.oneLine(), pattern);
  return error!;
}

test('raw exports are recognised by content, whatever their names, and form one host', async (t) => {
  const bundles = await windowsAdapter.importFiles(
    [
      w('applocker-jump-host.xml'),
      w('execution-policy-ps51.json'),
      w('device-guard.json'),
      w('mp-preference.json'),
      w('local-admins.json'),
      w('appidsvc.json'),
      w('language-mode.json'),
    ],
    importContext({ host: 'WS-07', collectedAt: '2026-11-01T09:00:00Z' }),
  );
  t.is(bundles.length, 1);
  const bundle = bundles[0]!;
  t.deepEqual(bundle.scope, { kind: 'host', id: 'ws-07', name: 'WS-07' });
  t.is(bundle.collectedAt, '2026-11-01T09:00:00Z');
  t.deepEqual(bundle.documents.map((d) => d.kind).sort(), [
    'windows.appidsvc',
    'windows.applocker-xml',
    'windows.device-guard',
    'windows.execution-policy',
    'windows.language-mode',
    'windows.local-admins',
    'windows.mp-preference',
  ]);
});

test('Get-MpPreference keeps only the ASR fields, not exclusions or other settings', async (t) => {
  const [bundle] = await windowsAdapter.importFiles([w('mp-preference.json')], importContext({ host: 'h' }));
  t.deepEqual(Object.keys(bundle!.documents[0]!.body as object).sort(), [
    'AttackSurfaceReductionRules_Actions',
    'AttackSurfaceReductionRules_Ids',
  ]);
});

test('a UTF-16 LE AppLocker export with a BOM is read', async (t) => {
  const [bundle] = await windowsAdapter.importFiles(
    [w('applocker-hardened-utf16le.xml')],
    importContext({ host: 'h' }),
  );
  const host = windowsAdapter.normalize([bundle!]).hosts[0]!;
  t.is(host.applocker?.collections.Exe?.enforcement, 'Enabled');
  t.is(host.applocker?.collections.Exe?.rules.length, 4);
});

test('a collector bundle names its own host and needs no --host', async (t) => {
  const [bundle] = await windowsAdapter.importFiles([w('bundle-ws-01.json')], importContext());
  t.is(bundle!.scope.id, 'ws-01');
  t.is(bundle!.method, 'import');
  t.is(bundle!.gaps[0]?.what, 'windows.defender');
});

test('bundles and raw exports together give one host each', async (t) => {
  const bundles = await windowsAdapter.importFiles(
    [w('bundle-ws-01.json'), w('applocker-none.xml')],
    importContext({ host: 'ws-02', collectedAt: '2026-11-01T00:00:00Z' }),
  );
  t.deepEqual(
    bundles.map((b) => b.scope.id),
    ['ws-01', 'ws-02'],
  );
});

test('a DOCTYPE with entity expansion is refused with a clear error', async (t) => {
  await rejects(
    t,
    [w('hostile-billion-laughs.xml')],
    /hostile-billion-laughs\.xml: XML with a DOCTYPE or ENTITY declaration is refused/,
  );
});

test('an external entity is refused before any parsing', async (t) => {
  const error = await rejects(t, [w('hostile-external-entity.xml')], /DOCTYPE or ENTITY declaration is refused/);
  t.notRegex(error.message, /root:x:0/);
});

test('malformed XML names the file, line and column', async (t) => {
  await rejects(t, [w('malformed-truncated.xml')], /malformed-truncated\.xml:\d+:\d+: malformed XML/);
});

test('XML that is not an AppLocker policy is refused', async (t) => {
  await rejects(t, [w('not-applocker.xml')], /not an AppLocker policy: the root element is <SiPolicy>/);
});

test('malformed JSON names the position and says it looks truncated', async (t) => {
  await rejects(
    t,
    [w('malformed-truncated.json')],
    /malformed-truncated\.json:\d+:\d+: malformed Windows export JSON.*truncated/,
  );
});

test('JSON that is no known export is refused with what is accepted', async (t) => {
  await rejects(
    t,
    [w('unrecognised.json')],
    /unrecognised\.json: not a recognised Windows export — pass a collector bundle/,
  );
});

test('an empty file is refused', async (t) => {
  await rejects(t, [w('empty.json')], /empty\.json: Windows export is empty/);
});

test('a directory is refused', async (t) => {
  await rejects(t, [fixture('windows', '')], /is a directory, not a file/);
});

test('no files at all is refused', async (t) => {
  await rejects(t, [], /no files given/);
});

test('raw exports without --host are refused', async (t) => {
  await rejects(t, [w('appidsvc.json')], /raw exports do not name their host — pass --host NAME/, {});
});

test('two exports of one kind for one host are refused', async (t) => {
  await rejects(
    t,
    [w('execution-policy-ps51.json'), w('execution-policy-strings.json')],
    /two exports of the same kind \(windows\.execution-policy\)/,
  );
});

test('the same host twice is refused', async (t) => {
  await rejects(t, [w('bundle-ws-01.json'), w('bundle-ws-01.json')], /host ws-01 is in two inputs/);
});

test('plain text is refused', async (t) => {
  const path = await tempFile(
    t,
    'policy.txt',
    'Scope ExecutionPolicy\n----- ---------------\nMachinePolicy RemoteSigned\n',
  );
  await rejects(t, [path], /not a recognised Windows export \(neither XML nor JSON\)/);
});

test('a bundle with a hostile AppLocker policy inside is refused', async (t) => {
  const body = '<!DOCTYPE x [<!ENTITY a "b">]><AppLockerPolicy Version="1" />';
  const path = await tempFile(
    t,
    'bundle.json',
    JSON.stringify({
      format: 'cloudward-host-bundle',
      formatVersion: 1,
      provider: 'windows',
      scope: { kind: 'host', id: 'x' },
      collectedAt: '2026-11-01T00:00:00Z',
      documents: [{ kind: 'windows.applocker-xml', origin: 'x', body }],
      gaps: [],
    }),
  );
  await rejects(t, [path], /bundle\.json \(AppLocker policy\): XML with a DOCTYPE/);
});

test('a Linux bundle given to the Windows import says which command reads it', async (t) => {
  const path = await tempFile(
    t,
    'bundle.json',
    JSON.stringify({
      format: 'cloudward-host-bundle',
      formatVersion: 1,
      provider: 'linux',
      scope: { kind: 'host', id: 'x' },
      collectedAt: '2026-11-01T00:00:00Z',
      documents: [],
      gaps: [],
    }),
  );
  await rejects(t, [path], /this is a linux host bundle, not a windows one — read it with `cloudward import linux/);
});

test('a bundle that breaks its format names the JSON pointer', async (t) => {
  const path = await tempFile(
    t,
    'bundle.json',
    JSON.stringify({
      format: 'cloudward-host-bundle',
      formatVersion: 1,
      provider: 'windows',
      scope: { kind: 'host', id: 'x' },
      collectedAt: 'yesterday',
      documents: [],
      gaps: [],
    }),
  );
  await rejects(t, [path], /bundle\.json#\/collectedAt: invalid host bundle/);
});
