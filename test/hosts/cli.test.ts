import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Snapshot } from '../../src/snapshot/model.js';
import { messageLines, runCli, tempDir } from '../helpers/cli.js';
import { BUILD_AGENT, SECRETS, buildRoot, removeRoot } from './fake-root.js';
import { fixture } from './helpers.js';

const readSnapshot = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Snapshot;

test('collect linux --root --bundle-out, then import linux, give the same host through the CLI', async (t) => {
  const root = await buildRoot(BUILD_AGENT);
  const dir = await tempDir();
  t.teardown(async () => Promise.all([removeRoot(root), removeRoot(dir)]));
  const bundle = join(dir, 'build-07.bundle.json');
  const live = await runCli([
    'collect',
    'linux',
    '--root',
    root,
    '--bundle-out',
    bundle,
    '--collected-at',
    '2026-11-01T09:00:00Z',
    '--output',
    join(dir, 'live.json'),
    '--quiet',
  ]);
  t.is(live.code, 0, live.stderr);
  t.is((await stat(bundle)).mode & 0o777, 0o600);
  const imported = await runCli(['import', 'linux', bundle, '--output', join(dir, 'imported.json'), '--quiet']);
  t.is(imported.code, 0, imported.stderr);
  const a = await readSnapshot(join(dir, 'live.json'));
  const b = await readSnapshot(join(dir, 'imported.json'));
  t.deepEqual(b.hosts, a.hosts);
  t.is(a.sources[0]!.method, 'live');
  t.is(b.sources[0]!.method, 'import');
  t.is(a.sources[0]!.collectedAt, '2026-11-01T09:00:00Z');
  const written = await readFile(bundle, 'utf8');
  for (const secret of SECRETS) t.false(written.includes(secret), secret);
});

test('import windows takes --host and --collected-at for raw exports', async (t) => {
  const dir = await tempDir();
  t.teardown(() => removeRoot(dir));
  const out = join(dir, 'ws.json');
  const run = await runCli([
    'import',
    'windows',
    fixture('windows', 'applocker-jump-host.xml'),
    fixture('windows', 'execution-policy-ps51.json'),
    '--host',
    'WS-07',
    '--collected-at',
    '2026-11-01T09:00:00Z',
    '--output',
    out,
  ]);
  t.is(run.code, 0, run.stderr);
  const snapshot = await readSnapshot(out);
  t.is(snapshot.hosts[0]!.uid, 'windows:host/ws-07');
  t.is(snapshot.sources[0]!.collectedAt, '2026-11-01T09:00:00Z');
  t.like(snapshot.hosts[0]!.powershell, { effective: 'RemoteSigned', effectiveScope: 'MachinePolicy' });
});

test('a hostile XML on the command line is one line on stderr and exit 2, nothing written', async (t) => {
  const dir = await tempDir();
  t.teardown(() => removeRoot(dir));
  const out = join(dir, 'never.json');
  const run = await runCli([
    'import',
    'windows',
    fixture('windows', 'hostile-external-entity.xml'),
    '--host',
    'x',
    '--output',
    out,
  ]);
  t.is(run.code, 2);
  t.deepEqual(messageLines(run.stderr).length, 1);
  t.regex(run.stderr, /hostile-external-entity\.xml: XML with a DOCTYPE or ENTITY declaration is refused/);
  await t.throwsAsync(stat(out));
});

test('permissions windows and linux say what needs elevation or root', async (t) => {
  const windows = await runCli(['permissions', 'windows']);
  t.is(windows.code, 0);
  t.regex(windows.stdout, /Needs an elevated \(administrator\) session:/);
  t.regex(windows.stdout, /Get-MpPreference/);
  const linux = await runCli(['permissions', 'linux']);
  t.is(linux.code, 0);
  t.regex(linux.stdout, /Run as root to read everything: \/etc\/sudoers/);
  t.regex(linux.stdout, /read \/etc\/ssh\/sshd_config/);
});
