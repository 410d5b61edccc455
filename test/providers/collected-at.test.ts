import test from 'ava';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { parseCollectedAt } from '../../src/cli/options.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { fixture, ROOT, runCli, tempDir } from '../helpers/cli.js';
import { BUILD_AGENT, buildRoot, removeRoot } from '../hosts/fake-root.js';

const GARBAGE = [
  'yesterday',
  '2026-13-01T00:00:00Z',
  '2026-02-30T09:00:00Z',
  '2026-11-01T25:00:00Z',
  '2026-11-01',
  '2026-11-01T09:00:00',
  '',
];

test('parseCollectedAt keeps real instants (as snapshot times: UTC, whole seconds) and rejects the rest', (t) => {
  t.is(parseCollectedAt('2026-11-01T09:00:00Z'), '2026-11-01T09:00:00Z');
  t.is(parseCollectedAt('2026-11-01T10:00:00+01:00'), '2026-11-01T09:00:00Z');
  t.is(parseCollectedAt('2026-11-01T09:00:00.250Z'), '2026-11-01T09:00:00Z');
  for (const value of GARBAGE) t.throws(() => parseCollectedAt(value), { instanceOf: InvalidArgumentError }, value);
});

test('garbage --collected-at is exit 2 with one line on every collect and import, collect linux included', async (t) => {
  const root = await buildRoot(BUILD_AGENT);
  t.teardown(() => removeRoot(root));
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const runs: Array<[string, string[]]> = [
    [
      'collect linux',
      ['collect', 'linux', '--root', root, '--host-name', 'build-07', '--output', join(dir, 'linux.json')],
    ],
    ['collect aws', ['collect', 'aws', '--endpoint-url', 'http://127.0.0.1:9', '--output', join(dir, 'aws.json')]],
    [
      'import aws',
      [
        'import',
        'aws',
        fixture('aws', '123456789012', 'iam-get-account-summary.json'),
        '--output',
        join(dir, 'aws.json'),
      ],
    ],
    [
      'import windows',
      ['import', 'windows', fixture('windows', 'bundle-ws-01.json'), '--output', join(dir, 'windows.json')],
    ],
  ];
  for (const [name, args] of runs) {
    for (const value of ['yesterday', '2026-02-30T09:00:00Z']) {
      const run = await runCli([...args, '--collected-at', value]);
      t.is(run.code, 2, `${name} ${value}: ${run.stderr}`);
      t.regex(run.stderr, /--collected-at/, name);
      t.is(run.stderr.trim().split('\n').length, 1, name);
    }
  }
  await t.throwsAsync(readFile(join(dir, 'linux.json')), undefined, 'nothing written');
});

test('a valid --collected-at pins collect linux: the snapshot and its source carry that time', async (t) => {
  const root = await buildRoot(BUILD_AGENT);
  t.teardown(() => removeRoot(root));
  const dir = await tempDir();
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const run = await runCli([
    'collect',
    'linux',
    '--root',
    root,
    '--host-name',
    'build-07',
    '--collected-at',
    '2026-11-01T10:00:00+01:00',
    '--output',
    join(dir, 'linux.json'),
    '--quiet',
  ]);
  t.is(run.code, 0, run.stderr);
  const snapshot = JSON.parse(await readFile(join(dir, 'linux.json'), 'utf8')) as {
    collectedAt: string;
    sources: Array<{ collectedAt: string }>;
  };
  t.is(snapshot.collectedAt, '2026-11-01T09:00:00Z');
  t.is(snapshot.sources[0]!.collectedAt, '2026-11-01T09:00:00Z');
});

// One flag, one time: the snapshot's and every source's are the same string, whichever importer read the files.
const RAW = join(ROOT, 'examples', 'acme', 'raw');

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const cases: Array<[string, () => Promise<string[]>, string[]]> = [
  ['aws', () => files(join(RAW, 'aws')), []],
  ['azure', () => files(join(RAW, 'azure')), []],
  ['gcp', () => files(join(RAW, 'gcp')), []],
  ['windows', async () => [fixture('windows', 'execution-policy-ps51.json')], ['--host', 'ws-07']],
];

for (const [provider, inputs, extra] of cases) {
  test(`import ${provider} --collected-at stamps the snapshot and its sources with one time`, async (t) => {
    const out = join(await tempDir(), 'snapshot.json');
    // Two hours east of UTC, with milliseconds: both are normalized away.
    const run = await runCli([
      'import',
      provider,
      ...(await inputs()),
      ...extra,
      '--collected-at',
      '2026-11-01T11:00:00.000+02:00',
      '-q',
      '-o',
      out,
    ]);
    t.is(run.code, 0, run.stderr);
    const snapshot = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
    t.is(snapshot.collectedAt, '2026-11-01T09:00:00Z');
    t.true(snapshot.sources.length > 0);
    t.deepEqual([...new Set(snapshot.sources.map((s) => s.collectedAt))], ['2026-11-01T09:00:00Z']);
  });
}

test('a host bundle keeps its own time, in the same form as every other snapshot time', async (t) => {
  const out = join(await tempDir(), 'snapshot.json');
  const run = await runCli(['import', 'linux', join(RAW, 'linux', 'acme-build-07.json'), '-q', '-o', out]);
  t.is(run.code, 0, run.stderr);
  const snapshot = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
  t.is(snapshot.collectedAt, '2026-11-01T09:00:00Z');
  t.deepEqual(
    snapshot.sources.map((s) => s.collectedAt),
    ['2026-11-01T09:00:00Z'],
  );
});
