import { readFile } from 'node:fs/promises';
import test from 'ava';
import { relativeItemOrigins } from '../../src/providers/cloud/ledger.js';
import { linuxAdapter } from '../../src/providers/linux/index.js';
import { windowsAdapter } from '../../src/providers/windows/index.js';
import { packagePath } from '../../src/util/paths.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { importContext } from './helpers.js';

const example = (...parts: string[]) => packagePath('examples', 'acme', ...parts);

test('examples/acme/parts/hosts.json is what importing the raw host bundles gives', async (t) => {
  const windows = windowsAdapter.normalize(
    await windowsAdapter.importFiles([example('raw', 'windows', 'acme-jump-01.json')], importContext()),
  );
  const linux = linuxAdapter.normalize(
    await linuxAdapter.importFiles([example('raw', 'linux', 'acme-build-07.json')], importContext()),
  );
  // As `cloudward import` writes them: each file named relative to the folder of the files imported.
  relativeItemOrigins(windows.sources, [example('raw', 'windows', 'acme-jump-01.json')]);
  relativeItemOrigins(linux.sources, [example('raw', 'linux', 'acme-build-07.json')]);
  const stored = JSON.parse(await readFile(example('parts', 'hosts.json'), 'utf8')) as Snapshot;
  t.deepEqual(stored.hosts, [...windows.hosts, ...linux.hosts]);
  t.deepEqual(stored.sources, [...windows.sources, ...linux.sources]);
});

test('the example hosts show what the example is about', async (t) => {
  const stored = JSON.parse(await readFile(example('parts', 'hosts.json'), 'utf8')) as Snapshot;
  const jump = stored.hosts.find((h) => h.name === 'ACME-JUMP-01')!;
  t.like(jump.applocker!.collections, {
    Exe: { enforcement: 'Enabled', userWritableAllowed: true },
    Script: { enforcement: 'AuditOnly' },
  });
  t.like(jump.powershell, { effective: 'RemoteSigned', effectiveScope: 'MachinePolicy' });
  t.deepEqual(jump.asr!.rules.find((r) => r.id.startsWith('5beb7efe'))!.action, 'audit');
  t.is(jump.localAdmins!.length, 6);
  t.deepEqual(
    jump.cloudTools!.map((c) => c.tool),
    ['az', 'az-powershell'],
  );
  const build = stored.hosts.find((h) => h.name === 'acme-build-07')!;
  t.deepEqual(
    build.mounts!.filter((m) => m.options.includes('noexec')).map((m) => m.path),
    ['/tmp'],
  );
  t.true(build.sudoers!.some((s) => s.who === 'ci' && s.nopasswd && s.commands.includes('ALL')));
  t.is(build.mac!.apparmor, 'enabled');
  t.like(build.cloudCredentials![0], { tool: 'aws', path: '/home/ci/.aws/credentials', kind: 'long-lived' });
  t.false(JSON.stringify(stored).includes('AKIA'));
});
