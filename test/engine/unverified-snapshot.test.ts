import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import test from 'ava';
import { snapshotDigest } from '../../src/snapshot/digest.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE, fixture, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';

/** Report time the day after the example was collected: no stale-data warning mixes into what these tests read. */
const ENV = { SOURCE_DATE_EPOCH: '1793610000' };

async function exampleWith(dir: string, name: string, change: (s: Snapshot) => void): Promise<string> {
  const snapshot = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  change(snapshot);
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(snapshot, null, 2));
  return file;
}

/** The example edited after collection, with its digest deleted so the edit would pass unnoticed. */
const undigested = (dir: string) =>
  exampleWith(dir, 'undigested.json', (s) => {
    s.principals[0]!.name = 'renamed-after-collection';
    delete s.digest;
  });
/** The example edited after collection, its recorded digest left as it was. */
const edited = (dir: string) =>
  exampleWith(dir, 'edited.json', (s) => (s.principals[0]!.name = 'renamed-after-collection'));

test('bad input — audit of a snapshot without a digest: one line naming the file and --allow-modified, exit 2, nothing written', async (t) => {
  const dir = await tempDir();
  const file = await undigested(dir);
  const run = await runCli(['audit', file, '--output-dir', join(dir, 'out'), '--format', 'text,json'], { env: ENV });
  t.is(run.code, 2, run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /^cloudward: .*undigested\.json: snapshot has no digest.*--allow-modified/);
  t.false((await readdir(dir)).includes('out'), 'nothing written');
});

test('bad input — validate calls a snapshot without a digest invalid, as audit would refuse it', async (t) => {
  const dir = await tempDir();
  const run = await runCli(['validate', await undigested(dir), EXAMPLE]);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /undigested\.json: snapshot has no digest/);
  t.regex(run.stdout, /snapshot\.json: valid snapshot 1\.0 \(.*; digest verified\)/);
});

test('the digest-mismatch hint no longer recommends re-digesting through merge', async (t) => {
  const dir = await tempDir();
  const run = await runCli(['audit', await edited(dir), '--fail-on', 'none'], { env: ENV });
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /digest mismatch/);
  t.notRegex(run.stderr, /merge/);
});

test('with --allow-modified a snapshot without a digest is reported unverified in every format that carries run metadata', async (t) => {
  const dir = await tempDir();
  const file = await undigested(dir);
  const out = join(dir, 'reports');
  const run = await runCli(
    [
      'audit',
      file,
      '--allow-modified',
      '--output-dir',
      out,
      '--format',
      'text,json,sarif,html,markdown,junit,ocsf',
      '--fail-on',
      'none',
    ],
    { env: ENV },
  );
  t.is(run.code, 0, run.stderr);
  const read = (ext: string) => readFile(join(out, `cloudward.${ext}`), 'utf8');
  const report = JSON.parse(await read('json')) as {
    snapshot: { files: Array<{ digest?: string; modified?: { reason: string; actualDigest?: string } }> };
  };
  t.deepEqual(report.snapshot.files[0]!.modified, { reason: 'unverified: no digest' });
  for (const ext of ['txt', 'html', 'md', 'junit.xml'])
    t.regex(await read(ext), /undigested\.json is unverified \(no digest\)/, ext);
  const sarif = JSON.parse(await read('sarif')) as {
    runs: Array<{
      properties: { snapshotModified?: string[] };
      invocations: Array<{
        toolExecutionNotifications?: Array<{ level: string; message: { text: string }; descriptor: { id: string } }>;
      }>;
    }>;
  };
  t.regex(sarif.runs[0]!.properties.snapshotModified?.[0] ?? '', /is unverified \(no digest\)/);
  t.true(
    sarif.runs[0]!.invocations[0]!.toolExecutionNotifications!.some(
      (n) => n.level === 'warning' && n.descriptor.id === 'CW0003' && /unverified/.test(n.message.text),
    ),
  );
  const ocsf = JSON.parse(await read('ocsf.json')) as Array<{ unmapped: { run_notes?: string[] } }>;
  t.true(
    ocsf.every((f) => f.unmapped.run_notes?.some((n) => /is unverified \(no digest\)/.test(n))),
    'each OCSF finding carries it',
  );
  t.regex(run.stdout, /is unverified \(no digest\)/, 'the scorecard on the terminal says so too');
});

test('bad input — merge refuses an input edited after collection and one without a digest, and writes nothing', async (t) => {
  const dir = await tempDir();
  for (const file of [await edited(dir), await undigested(dir)]) {
    const output = join(dir, 'merged.json');
    const run = await runCli(['merge', file, '--output', output], { env: ENV });
    t.is(run.code, 2, run.stderr);
    const lines = messageLines(run.stderr);
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, new RegExp(`^cloudward: .*${file.split('/').pop()!.replace('.', '\\.')}.*--allow-modified`));
    t.false((await readdir(dir)).includes('merged.json'), 'nothing written');
  }
});

test('merge --allow-modified records the unverified inputs, so an audit of the merge still says unverified', async (t) => {
  const dir = await tempDir();
  const input = await undigested(dir);
  const merged = join(dir, 'merged.json');
  const merge = await runCli(['merge', input, '--output', merged, '--allow-modified'], { env: ENV });
  t.is(merge.code, 0, merge.stderr);
  const snapshot = JSON.parse(await readFile(merged, 'utf8')) as Snapshot;
  t.deepEqual(snapshot.unverifiedInputs, [{ file: input, reason: 'unverified: no digest' }]);
  t.is(snapshot.digest, snapshotDigest(snapshot), 'the record is covered by the fresh digest');

  const refused = await runCli(['audit', merged, '--fail-on', 'none'], { env: ENV });
  t.is(refused.code, 2, refused.stderr);
  t.regex(
    messageLines(refused.stderr)[0]!,
    /merged\.json#\/unverifiedInputs: snapshot was merged from inputs no digest vouched for .*--allow-modified/,
  );

  const allowed = await runCli(['audit', merged, '--allow-modified', '--format', 'json', '--fail-on', 'none'], {
    env: ENV,
  });
  t.is(allowed.code, 0, allowed.stderr);
  const report = JSON.parse(allowed.stdout) as { snapshot: { files: Array<{ modified?: { reason: string } }> } };
  t.regex(
    report.snapshot.files[0]!.modified?.reason ?? '',
    /^unverified: merged from unverified inputs \(.*undigested\.json: unverified: no digest\)$/,
  );
});

test('a merge of verified snapshots records nothing unverified and audits without --allow-modified', async (t) => {
  const dir = await tempDir();
  const merged = join(dir, 'merged.json');
  const merge = await runCli(['merge', EXAMPLE, '--output', merged], { env: ENV });
  t.is(merge.code, 0, merge.stderr);
  t.false('unverifiedInputs' in (JSON.parse(await readFile(merged, 'utf8')) as Snapshot));
  const run = await runCli(['audit', merged, '--format', 'json', '--fail-on', 'none'], { env: ENV });
  t.is(run.code, 0, run.stderr);
  t.notRegex(run.stdout, /"modified"/);
});

/** Every snapshot-shaped JSON file under a folder (the bad-input fixtures excepted: they are meant to be broken). */
async function snapshotFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (
      !entry.isFile() ||
      !entry.name.endsWith('.json') ||
      relative(ROOT, path).startsWith(join('test', 'fixtures', 'bad'))
    )
      continue;
    const text = await readFile(path, 'utf8');
    if (!text.includes('"schemaVersion"')) continue;
    const value = JSON.parse(text) as Partial<Snapshot>;
    if (Array.isArray(value.principals) && Array.isArray(value.sources)) out.push(path);
  }
  return out;
}

test('the example and every good test fixture snapshot carry a digest that matches their content', async (t) => {
  const files = [...(await snapshotFiles(join(ROOT, 'examples'))), ...(await snapshotFiles(fixture()))];
  t.true(files.length >= 2, files.join(', '));
  for (const file of files) {
    const snapshot = JSON.parse(await readFile(file, 'utf8')) as Snapshot;
    t.is(snapshot.digest, snapshotDigest(snapshot), relative(ROOT, file));
  }
});
