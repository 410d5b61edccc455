import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { EXAMPLE, ROOT, tempDir } from '../helpers/cli.js';
import { largeExample } from '../support/snapshots.js';

/** A copy of the package's source without dist/: what a checkout is before `npm run build`. */
async function unbuiltTree(): Promise<string> {
  const dir = await tempDir('cloudward-unbuilt-');
  // Copied, not linked: modules are found by their real path, which must not lead back to a tree with a build.
  for (const path of ['src', 'bin', 'test/helpers', 'package.json', 'tsconfig.json'])
    await cp(join(ROOT, path), join(dir, path), { recursive: true });
  for (const path of ['node_modules', 'policies', 'schemas', 'data', 'detections', 'examples'])
    await symlink(join(ROOT, path), join(dir, path));
  return dir;
}

function node(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('without a build, the CLI runs in the test process and as a process, and its workers load', async (t) => {
  const dir = await unbuiltTree();
  await mkdir(join(dir, 'out'));
  await writeFile(join(dir, 'out', 'large.json'), await largeExample());
  const script = `
    import { runCli } from './test/helpers/cli.ts';
    import { scanSnapshotBytes } from './src/snapshot/file-hash.ts';
    import { readFileSync } from 'node:fs';
    const inProcess = await runCli(['audit', 'out/large.json', '-f', 'sarif', '-o', 'out/in-process.sarif', '--fail-on', 'none']);
    const scanned = scanSnapshotBytes(readFileSync('out/large.json'), { digest: true, lineIndex: true });
    const digest = await scanned.digest;
    const index = await scanned.lineIndex;
    console.log(JSON.stringify({ inProcess, digest, uids: index.uids.length }));
  `;
  await writeFile(join(dir, 'check.ts'), script);
  const inProcess = await node(['--import', 'tsx', 'check.ts'], dir);
  t.is(inProcess.code, 0, inProcess.stderr);
  const result = JSON.parse(inProcess.stdout) as {
    inProcess: { code: number; stderr: string };
    digest?: string;
    uids: number;
  };
  t.is(result.inProcess.code, 0, result.inProcess.stderr);
  t.is(result.digest, (JSON.parse(await readFile(EXAMPLE, 'utf8')) as { digest: string }).digest);
  t.true(result.uids > 0);
  const sarif = JSON.parse(await readFile(join(dir, 'out', 'in-process.sarif'), 'utf8')) as {
    runs: Array<{ results: unknown[] }>;
  };
  t.true(sarif.runs[0]!.results.length > 0);

  const asProcess = await node(
    ['test/helpers/cloudward.mjs', 'audit', 'examples/acme/snapshot.json', '-f', 'json', '-o', 'out/report.json'],
    dir,
  );
  t.is(asProcess.code, 1, asProcess.stderr);
  t.regex(asProcess.stderr, /^cloudward: gate failed/);
  const report = JSON.parse(await readFile(join(dir, 'out', 'report.json'), 'utf8')) as { results: unknown[] };
  t.true(report.results.length > 0);
});
