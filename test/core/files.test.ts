import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { inChunks, writeOutputs } from '../../src/util/files.js';
import { tempDir } from '../helpers/cli.js';

/** ~64 KiB chunks, each naming its index, so order and completeness can be checked. */
function* chunks(count: number, failAt?: number): Iterable<string> {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error(`renderer failed at chunk ${i}`);
    yield `${String(i).padStart(6, '0')}${'x'.repeat(65_530)}\n`;
  }
}

test('a streamed output of several MiB is written whole, in order, mode 0600', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'report.json');
  await writeOutputs([{ path, data: chunks(80) }]);
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  t.is(lines.length, 80);
  t.deepEqual(
    lines.map((l) => Number(l.slice(0, 6))),
    [...Array(80).keys()],
  );
  t.is((await stat(path)).mode & 0o777, 0o600);
  t.deepEqual(await readdir(dir), ['report.json']);
});

test('a renderer that fails part-way leaves nothing behind and the previous file untouched', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'report.json');
  await writeFile(path, 'previous report\n');
  // Fails after ~2.5 MiB, with writes already issued.
  await t.throwsAsync(writeOutputs([{ path, data: chunks(80, 40) }]), { message: 'renderer failed at chunk 40' });
  t.is(await readFile(path, 'utf8'), 'previous report\n');
  t.deepEqual(await readdir(dir), ['report.json']);
});

test('when a later output fails, earlier ones are not put in place either', async (t) => {
  const dir = await tempDir();
  const first = join(dir, 'a.json');
  const second = join(dir, 'b.json');
  await t.throwsAsync(
    writeOutputs([
      { path: first, data: chunks(40) },
      { path: second, data: chunks(40, 20) },
    ]),
  );
  t.deepEqual(await readdir(dir), []);
});

test('pieces are joined into chunks of at least 1 MiB, in order, the last one holding the rest', (t) => {
  const pieces = Array.from({ length: 5000 }, (_, i) => `${i},`.padEnd(700, ' '));
  const chunks = [...inChunks(pieces)];
  t.is(chunks.join(''), pieces.join(''));
  t.true(chunks.length > 2);
  for (const chunk of chunks.slice(0, -1)) t.true(chunk.length >= 1 << 20 && chunk.length < (1 << 20) + 700);
  t.deepEqual([...inChunks([])], []);
  t.deepEqual([...inChunks(['a', '', 'b'])], ['ab']);
});
