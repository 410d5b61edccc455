import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BIN, EXAMPLE, ROOT, messageLines, runCli, runCliProcess, tempDir, type CliRun } from '../helpers/cli.js';

const AUDIT = ['audit', EXAMPLE, '--fail-on', 'none'];

/** The error line of a run that must fail with exit 2, one line, naming the path and no temp file. */
function assertOneLineError(t: import('ava').ExecutionContext, run: CliRun, pattern: RegExp): void {
  t.is(run.code, 2, run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /^cloudward: /);
  t.regex(lines[0]!, pattern);
  t.notRegex(run.stderr, /internal error|\.tmp\b|\n\s+at /);
}

test('-o naming a folder: one line with the path and the fix, exit 2', async (t) => {
  const dir = await tempDir();
  const run = await runCli([...AUDIT, '-f', 'json', '-o', dir]);
  assertOneLineError(t, run, /--output .*: is a folder, not a file — name a file inside it, or use --output-dir DIR/);
  t.deepEqual(await readdir(dir), []);
});

test('--output-dir naming a file: one line, exit 2, the file untouched', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'reports');
  await writeFile(file, 'not a folder\n');
  const run = await runCli([...AUDIT, '-f', 'json,sarif', '--output-dir', file]);
  assertOneLineError(t, run, /--output-dir .*reports: is a file, not a folder/);
  t.is(await readFile(file, 'utf8'), 'not a folder\n');
});

test('-o into a missing folder is refused (a mistyped path); --output-dir creates its folder', async (t) => {
  const dir = await tempDir();
  const run = await runCli([...AUDIT, '-f', 'json', '-o', join(dir, 'missing', 'report.json')]);
  assertOneLineError(t, run, /folder .*missing does not exist — create it first/);
  t.deepEqual(await readdir(dir), []);
  const made = await runCli([...AUDIT, '-f', 'json', '--output-dir', join(dir, 'a', 'b')]);
  t.is(made.code, 0, made.stderr);
  t.deepEqual(await readdir(join(dir, 'a', 'b')), ['cloudward.json']);
});

test('a path through a file (-o file/x.json) is refused with the path', async (t) => {
  const dir = await tempDir();
  await writeFile(join(dir, 'plain'), 'x');
  const run = await runCli([...AUDIT, '-f', 'json', '-o', join(dir, 'plain', 'x.json')]);
  assertOneLineError(t, run, /plain.*(is a file, not a folder|part of the path is a file)/);
});

/** Runs the CLI as an unprivileged user (root writes anywhere, so the test needs to drop privileges). */
function runAs(uid: number, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, uid, gid: uid, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

test('an unwritable folder: permission denied with the path and the fix, before any work, nothing left behind', async (t) => {
  if (process.getuid?.() !== 0) {
    t.pass('needs root to run the CLI as another user');
    return;
  }
  const dir = await tempDir();
  await chmod(dir, 0o755);
  const run = await runAs(65534, [...AUDIT, '-f', 'json', '-o', join(dir, 'report.json')]);
  assertOneLineError(
    t,
    run,
    /--output .*report\.json: cannot write: permission denied — choose a folder you can write to/,
  );
  const runDir = await runAs(65534, [...AUDIT, '-f', 'json,sarif', '--output-dir', dir]);
  assertOneLineError(t, runDir, /--output-dir .*: cannot write: permission denied/);
  t.deepEqual(await readdir(dir), []);
});

test('-o /dev/stdout and -o - write to stdout; the device is never replaced', async (t) => {
  const before = await lstat('/dev/stdout');
  for (const target of ['/dev/stdout', '-']) {
    const run = await runCliProcess([...AUDIT, '-f', 'json', '-o', target]);
    t.is(run.code, 0, run.stderr);
    t.is(JSON.parse(run.stdout).reportVersion, '1.0');
  }
  const after = await lstat('/dev/stdout');
  t.true(after.isSymbolicLink() && before.isSymbolicLink());
  t.is(await readlink('/dev/stdout'), '/proc/self/fd/1');
});

test('-o /dev/full fails with "no space left" (written through, not replaced by a file)', async (t) => {
  const run = await runCli([...AUDIT, '-f', 'json', '-o', '/dev/full']);
  assertOneLineError(t, run, /--output \/dev\/full: cannot write: no space left on the device/);
  t.true((await stat('/dev/full')).isCharacterDevice());
});

test('-o to a FIFO streams the report through it; the FIFO stays a FIFO', async (t) => {
  const dir = await tempDir();
  const fifo = join(dir, 'pipe');
  await new Promise<void>((resolve, reject) =>
    spawn('mkfifo', [fifo]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error('mkfifo failed')))),
  );
  const run = runCli([...AUDIT, '-f', 'json', '-o', fifo]);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) =>
    createReadStream(fifo)
      .on('data', (c) => chunks.push(c as Buffer))
      .on('end', resolve)
      .on('error', reject),
  );
  const done = await run;
  t.is(done.code, 0, done.stderr);
  t.is(JSON.parse(Buffer.concat(chunks).toString('utf8')).reportVersion, '1.0');
  t.true((await stat(fifo)).isFIFO());
  t.deepEqual(await readdir(dir), ['pipe']);
});

test('symlinks are followed on purpose: a link to a file has the file replaced and stays a link; a dangling one is refused', async (t) => {
  const dir = await tempDir();
  const real = join(dir, 'real.json');
  await writeFile(real, 'old\n');
  await symlink(real, join(dir, 'link.json'));
  const run = await runCli([...AUDIT, '-f', 'json', '-o', join(dir, 'link.json')]);
  t.is(run.code, 0, run.stderr);
  t.true((await lstat(join(dir, 'link.json'))).isSymbolicLink());
  t.is(JSON.parse(await readFile(real, 'utf8')).reportVersion, '1.0');
  await symlink(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
  const dangling = await runCli([...AUDIT, '-f', 'json', '-o', join(dir, 'dangling.json')]);
  assertOneLineError(t, dangling, /dangling\.json: is a symbolic link to a missing file/);
  t.deepEqual((await readdir(dir)).sort(), ['dangling.json', 'link.json', 'real.json']);
});

test('a multi-format run that fails part-way writes nothing: the previous run’s files stay as they were', async (t) => {
  const dir = await tempDir();
  const first = await runCli([...AUDIT, '-f', 'json,sarif,html', '--output-dir', dir]);
  t.is(first.code, 0, first.stderr);
  const before = Object.fromEntries(
    await Promise.all((await readdir(dir)).map(async (f) => [f, await readFile(join(dir, f), 'utf8')])),
  );
  // The SARIF target now fails when written (a device that is always full): JSON and HTML must not be replaced either.
  await rm(join(dir, 'cloudward.sarif'));
  await symlink('/dev/full', join(dir, 'cloudward.sarif'));
  const second = await runCli([
    'audit',
    EXAMPLE,
    '--fail-on',
    'none',
    '--checks',
    'aws-root-mfa-enabled',
    '-f',
    'json,sarif,html',
    '--output-dir',
    dir,
  ]);
  assertOneLineError(t, second, /cloudward\.sarif: cannot write: no space left/);
  t.deepEqual((await readdir(dir)).sort(), Object.keys(before).sort());
  for (const f of ['cloudward.json', 'cloudward.html']) t.is(await readFile(join(dir, f), 'utf8'), before[f], f);
  // A folder where a report goes is caught before any work, with the same result.
  await mkdir(join(dir, 'cloudward.md'));
  const third = await runCli([...AUDIT, '-f', 'json,markdown', '--output-dir', dir]);
  assertOneLineError(t, third, /cloudward\.md: is a folder, not a file/);
  t.is(await readFile(join(dir, 'cloudward.json'), 'utf8'), before['cloudward.json']);
});

test('diff and merge outputs get the same care: a folder as --output is one line, exit 2', async (t) => {
  const dir = await tempDir();
  const diff = await runCli(['diff', 'examples/acme/baseline.json', 'examples/acme/baseline.json', '-o', dir]);
  assertOneLineError(t, diff, /--output .*: is a folder, not a file/);
  const merge = await runCli(['merge', EXAMPLE, '--output', join(dir, 'nope', 'merged.json')]);
  assertOneLineError(t, merge, /does not exist — create it first/);
  // Checked before collecting, which can take minutes live.
  const collect = await runCli(['collect', 'linux', '--root', dir, '--output', join(dir, 'nope', 'host.json')]);
  assertOneLineError(t, collect, /--output .*host\.json: folder .*nope does not exist/);
});
