import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE, messageLines, runCli, tempDir } from '../helpers/cli.js';

test('cloudward.yaml is found from the working directory upward and flags override it', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'cloudward.yaml'), `snapshots: [${JSON.stringify(EXAMPLE)}]\nfailOn: none\nminScore: 99\n`);
  const nested = join(dir, 'a', 'b');
  await mkdir(nested, { recursive: true });
  const fromConfig = await runCli(['audit', '--quiet'], { cwd: nested });
  t.is(fromConfig.code, 1, 'minScore 99 from the project file fails the gate');
  t.regex(fromConfig.stderr, /below --min-score 99/);
  const overridden = await runCli(['audit', '--quiet', '--min-score', '10'], { cwd: nested });
  t.is(overridden.code, 0, overridden.stderr);
  const ignored = await runCli(['audit', '--quiet', '--no-config'], { cwd: nested });
  t.is(ignored.code, 2);
  t.regex(ignored.stderr, /no snapshot to audit/);
});

test('an invalid project file is one line naming its line, exit 2', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'cloudward.yaml'), 'snapshots: [x.json]\nfailOn: sometimes\n');
  const run = await runCli(['audit'], { cwd: dir });
  t.is(run.code, 2);
  t.deepEqual(messageLines(run.stderr).length, 1);
  t.regex(run.stderr, /cloudward\.yaml:2: invalid project file: \/failOn: must be one of/);
  await writeFile(join(dir, 'cloudward.yaml'), 'snapshots: [x.json]\nfailOnn: high\n');
  const typo = await runCli(['audit'], { cwd: dir });
  t.regex(typo.stderr, /cloudward\.yaml:2: invalid project file: \/: unknown field "failOnn"/);
});

test('relative paths in the project file are relative to the file, not the working directory', async (t) => {
  const dir = await tempDir();
  await mkdir(join(dir, 'snaps'));
  await writeFile(join(dir, 'snaps', 's.json'), await (await import('node:fs/promises')).readFile(EXAMPLE));
  await writeFile(
    join(dir, 'cloudward.yaml'),
    'snapshots: [snaps/s.json]\nfailOn: none\noutputDir: out\nformats: [json]\n',
  );
  await mkdir(join(dir, 'elsewhere'));
  const run = await runCli(['audit'], { cwd: join(dir, 'elsewhere') });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, new RegExp(`wrote ${join(dir, 'out', 'cloudward.json').replace(/[.]/g, '\\.')}`));
});
