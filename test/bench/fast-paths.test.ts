import { createHash } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import * as formatsModule from 'ajv-formats/dist/formats.js';
import { writeSnapshotFile } from '../../bench/generate.js';
import { dateTimeFormat, isUtcDateTime } from '../../src/snapshot/date-time.js';
import { scanSnapshotBytes } from '../../src/snapshot/file-hash.js';
import { createAjv, loadSchema } from '../../src/util/ajv.js';
import { readSnapshotFile } from '../../src/snapshot/load.js';
import { runCli, tempDir } from '../helpers/cli.js';

const { fullFormats } = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as typeof formatsModule;
const reference = (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate;

const TRICKY = [
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2000-02-29T00:00:00Z',
  '2024-04-31T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-00-10T00:00:00Z',
  '2024-01-00T00:00:00Z',
  '2024-12-31T23:59:60Z',
  '2024-06-30T23:59:60Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T23:60:00Z',
  '2024-01-01T00:00:00.Z',
  '2024-01-01T00:00:00.123456789Z',
  '2024-01-01t00:00:00z',
  '2024-01-01 00:00:00Z',
  '2024-01-01T00:00:00+01:00',
  '2024-01-01T00:00:00-0530',
  '2024-01-01T00:00:00',
  '2024-1-01T00:00:00Z',
  '+2024-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '２０２４-01-01T00:00:00Z',
  '2024-01-01T00:00:0aZ',
  '2024-01-01T00:00:00ZZ',
  '2024-01-01TT00:00:00Z',
  '',
  'Z',
  '2024-01-01T00:00:00.1-00:00',
];

test('the fast date-time check only accepts what ajv-formats accepts, and the format as a whole agrees with it', (t) => {
  const base = Date.parse('2026-11-01T00:00:00Z');
  const generated = Array.from({ length: 5000 }, (_, i) => new Date(base - i * 7_777_777_777).toISOString());
  for (const value of [...TRICKY, ...generated, ...generated.map((s) => s.replace('.000', ''))]) {
    if (isUtcDateTime(value)) t.true(reference(value), `fast path accepted ${value}`);
    t.is((dateTimeFormat.validate as (s: string) => boolean)(value), reference(value), value);
  }
});

test('a large file is hashed off-thread to the same sha256 as hashing it inline', async (t) => {
  const bytes = Buffer.alloc(9 * 1024 * 1024, 'cloudward ');
  const expected = createHash('sha256').update(bytes).digest('hex');
  t.is(await scanSnapshotBytes(Buffer.from(bytes)).sha256, expected);
  t.is(
    await scanSnapshotBytes(bytes.subarray(0, 1000)).sha256,
    createHash('sha256').update(bytes.subarray(0, 1000)).digest('hex'),
  );
  t.is(scanSnapshotBytes(bytes.subarray(0, 1000)).lineIndex, undefined, 'no line index unless asked for');
});

test('a large snapshot file records the sha256 of its bytes', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'tenant.json');
  await writeSnapshotFile(file, { principals: 8000, seed: 5 });
  const bytes = await readFile(file);
  t.true(bytes.length > 8 * 1024 * 1024, 'big enough to be hashed off-thread');
  const { file: recorded } = await readSnapshotFile(file);
  t.is(recorded.sha256, createHash('sha256').update(bytes).digest('hex'));
});

test('a snapshot too large for one string is a one-line input error naming the limit, not a crash', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'huge.json');
  // Sparse: a file of 513 MiB of zero bytes costs no disk and decodes to more characters than a string can hold.
  const handle = await open(file, 'w');
  await handle.truncate(513 * 1024 * 1024);
  await handle.close();
  const run = await runCli(['audit', file, '--no-config']);
  t.is(run.code, 2);
  const line = run.stderr.trim().split('\n').at(-1) ?? '';
  t.regex(
    line,
    /huge\.json: snapshot is 513\.0 MiB, more text than one JSON document can hold here \(512\.0 MiB of characters\) — split it by scope/,
  );
  await writeFile(file, '');
});

test('snapshots too large for the heap are refused before reading, with the limit and how to raise it', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'tenant.json');
  await writeSnapshotFile(file, { principals: 10_000, seed: 5 });
  // An old generation of 48 MiB: one 12.8 MiB snapshot fits (3x is 38.4 MiB), two of them do not.
  const env = { NODE_OPTIONS: '--max-old-space-size=48' };
  const one = await runCli(['audit', file, '--no-config', '--fail-on', 'none'], { env });
  t.is(one.code, 0, one.stderr);
  const two = await runCli(['audit', file, file, '--no-config'], { env });
  t.is(two.code, 2);
  const lines = two.stderr.trim().split('\n');
  t.is(lines.length, 1, two.stderr);
  t.regex(
    lines[0]!,
    /^cloudward: snapshot files: 2 snapshots total 25\.\d MiB: auditing that in one run needs about 7\d\.\d MiB of memory, over this Node\.js heap limit of \d+\.\d MiB — audit scope groups in separate runs, or raise the limit .*NODE_OPTIONS=--max-old-space-size=1024$/,
  );
});

test('the shipped snapshot and policy schemas are valid draft 2020-12 schemas (they are compiled unchecked at run time)', (t) => {
  for (const name of ['snapshot.schema.json', 'policy.schema.json']) {
    const ajv = createAjv({ strictTypes: false });
    t.true(ajv.validateSchema(loadSchema(name)) as boolean, `${name}: ${ajv.errorsText()}`);
    t.notThrows(() => ajv.compile(loadSchema(name)), name);
  }
});
