import { readFile } from 'node:fs/promises';
import test from 'ava';
import { linuxAdapter } from '../../src/providers/linux/index.js';
import { windowsAdapter } from '../../src/providers/windows/index.js';
import { packagePath } from '../../src/util/paths.js';
import { importContext, tempFile } from './helpers.js';

const example = (...parts: string[]) => packagePath('examples', 'acme', 'raw', ...parts);

interface BundleFile {
  documents: Array<{ kind: string; origin: string; body: unknown }>;
}

test('a Windows bundle with two documents of one kind keeps the last and says it dropped the first', async (t) => {
  const bundle = JSON.parse(await readFile(example('windows', 'acme-jump-01.json'), 'utf8')) as BundleFile;
  const policy = bundle.documents.find((d) => d.kind === 'windows.execution-policy')!;
  bundle.documents.splice(0, 0, { ...policy, origin: 'an older Get-ExecutionPolicy -List' });
  const mp = bundle.documents.find((d) => d.kind === 'windows.mp-preference')!;
  (mp.body as { AttackSurfaceReductionRules_Ids: unknown[] }).AttackSurfaceReductionRules_Ids.push(42);
  const path = await tempFile(t, 'jump.json', JSON.stringify(bundle));
  const part = windowsAdapter.normalize(await windowsAdapter.importFiles([path], importContext()));
  const account = part.sources[0]!.items!.find((i) => i.origin === path)!;
  t.is(account.read, 18 + 1 + 1);
  t.is(account.used, 18);
  t.deepEqual(account.dropped?.map((d) => [d.count, d.gap]).sort(), [
    [1, undefined],
    [1, 'windows.defender'],
  ]);
  t.true(
    part.sources[0]!.gaps.some(
      (g) => g.what === 'windows.defender' && /ASR rule whose id is not a string/.test(g.reason),
    ),
  );
});

test('a Linux bundle accounts every host file: used when a check read it, skipped with its path when none did', async (t) => {
  const file = example('linux', 'acme-build-07.json');
  const part = linuxAdapter.normalize(await linuxAdapter.importFiles([file], importContext()));
  const account = part.sources[0]!.items!.find((i) => i.origin === file)!;
  t.like(account, { read: 18, used: 16 });
  t.deepEqual(account.skipped?.map((s) => s.reason.split(' ')[0]).sort(), ['/etc/fstab', '/etc/hostname']);
});
