import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { runCli, tempDir } from '../helpers/cli.js';

// The snapshot's bytes are searched for `__proto__` (from its underscores) before its text is parsed; these hold
// that every way a snapshot can be written is still refused with the key's line and column.
const document = (filler: string) => `{\n  "schemaVersion": "1.0",\n  "note": "${filler}",\n  "__proto__": {}\n}\n`;

const cases: Array<[string, Buffer]> = [
  ['UTF-8', Buffer.from(document('x'))],
  ['UTF-8 with a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(document('x'))])],
  ['UTF-16 LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(document('x'), 'utf16le')])],
  ['many underscores before the key', Buffer.from(document('_x'.repeat(150_000)))],
];

for (const [name, bytes] of cases) {
  test(`a __proto__ key is refused: ${name}`, async (t) => {
    const file = join(await tempDir(), 'proto.json');
    await writeFile(file, bytes);
    const run = await runCli(['audit', file, '--fail-on', 'none']);
    t.is(run.code, 2);
    t.regex(run.stderr, /proto\.json:4:3: a "__proto__" key is not allowed/);
  });
}

test('__proto__ inside a string is not a key', async (t) => {
  const file = join(await tempDir(), 'value.json');
  await writeFile(file, '{\n  "schemaVersion": "1.0",\n  "note": "a __proto__ b"\n}\n');
  const run = await runCli(['audit', file, '--fail-on', 'none']);
  t.is(run.code, 2);
  t.regex(run.stderr, /value\.json#: invalid snapshot: /);
  t.notRegex(run.stderr, /__proto__/);
});
