import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { writeSnapshotFile } from '../../bench/generate.js';
import { listenOnLoopback } from '../support/listen.js';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';

/*
 * A CI cancel sends SIGTERM (Ctrl-C sends SIGINT) while reports of a large snapshot are being written. What the run
 * had half-written must go with it, and the exit code must say which signal ended it (128 + its number).
 */

let snapshot = '';
test.before(async () => {
  // ~13 MB of snapshot: its reports take long enough to write that a temp file is there to be caught.
  snapshot = join(await tempDir('cloudward-interrupt-'), 'tenant.json');
  await writeSnapshotFile(snapshot, { principals: 10_000 });
});

function start(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exit };
}

/** Polls the folder until `match` names a file in it; false if the process ended first. */
async function waitForFile(dir: string, match: RegExp, running: () => boolean): Promise<boolean> {
  while (running()) {
    if ((await readdir(dir).catch(() => [] as string[])).some((name) => match.test(name))) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test.serial(
    `${signal} while audit writes its reports removes the half-written files and exits ${code}`,
    async (t) => {
      const out = join(await tempDir(), 'reports');
      await mkdir(out);
      const run = start([
        'audit',
        snapshot,
        '--output-dir',
        out,
        '--format',
        'json,sarif,html,junit,csv',
        '--fail-on',
        'none',
      ]);
      let ended = false;
      void run.exit.then(() => (ended = true));
      t.true(
        await waitForFile(out, /^\.cloudward\..*\.tmp$/, () => !ended),
        'a temp file appeared while the run went on',
      );
      run.child.kill(signal);
      const result = await run.exit;
      t.is(result.code, code, result.stderr);
      t.deepEqual(
        (await readdir(out)).filter((name) => name.startsWith('.cloudward.')),
        [],
      );
      t.regex(result.stderr, new RegExp(`^cloudward: interrupted by ${signal}`, 'm'));
    },
  );
}

test.serial('SIGTERM while merge writes a snapshot removes its temp file and exits 143', async (t) => {
  const out = await tempDir();
  const run = start(['merge', snapshot, '--output', join(out, 'merged.json')]);
  let ended = false;
  void run.exit.then(() => (ended = true));
  t.true(await waitForFile(out, /^\.merged\.json\..*\.tmp$/, () => !ended));
  run.child.kill('SIGTERM');
  const result = await run.exit;
  t.is(result.code, 143, result.stderr);
  t.deepEqual(await readdir(out), []);
});

test.serial('SIGTERM during a live collection removes its spool folder and exits 143', async (t) => {
  // An endpoint that takes requests and never answers: the collection is under way, its spool made, when it is ended.
  let asked!: () => void;
  const reached = new Promise<void>((resolve) => (asked = resolve));
  const server = createServer(() => asked());
  const port = await listenOnLoopback(server);
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const temp = await tempDir();
  const out = await tempDir();
  const run = start(
    [
      'collect',
      'aws',
      '--endpoint-url',
      `http://127.0.0.1:${port}`,
      '--region',
      'us-east-1',
      '--output',
      join(out, 'aws.json'),
      '--quiet',
    ],
    {
      TMPDIR: temp,
      AWS_ACCESS_KEY_ID: 'AKIDCALLER',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
      AWS_CONFIG_FILE: join(temp, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(temp, 'no-credentials'),
    },
  );
  await reached;
  t.true(
    (await readdir(temp)).some((name) => name.startsWith('cloudward-spool-')),
    'the spool folder is there while the collection runs',
  );
  run.child.kill('SIGTERM');
  const result = await run.exit;
  t.is(result.code, 143, result.stderr);
  t.deepEqual(
    (await readdir(temp)).filter((name) => name.startsWith('cloudward-')),
    [],
  );
  t.deepEqual(await readdir(out), []);
});
