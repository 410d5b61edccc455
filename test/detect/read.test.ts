import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import type { DetectEvent } from '../../src/detect/event.js';
import { newFileStats, readLogFile } from '../../src/detect/read.js';
import { tempDir } from '../helpers/cli.js';

/** A CloudTrail record per line, each with its own time, caller and address. */
const record = (i: number): string =>
  JSON.stringify({
    eventTime: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 1000).toISOString(),
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    userAgent: `aws-cli/2.15.${i % 40} md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exe/x86_64.ubuntu.22 prompt/off`,
    sourceIPAddress: `198.51.100.${i % 250}`,
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::111122223333:user/u${i}`,
      accessKeyId: `AKIA${String(i).padStart(16, '0')}`,
      accountId: '111122223333',
    },
    requestParameters: { durationSeconds: 3600, note: 'é'.repeat(i % 7) },
  });

async function readAll(file: string): Promise<{ events: DetectEvent[]; bytes: number }> {
  const stats = newFileStats(file);
  const events: DetectEvent[] = [];
  for await (const batch of readLogFile(file, { maxDocumentBytes: 1e9, onBad: () => undefined }, stats))
    events.push(...batch);
  return { events, bytes: stats.bytes };
}

/** The events less the file they came from, to compare two files' reading. */
const bare = (events: DetectEvent[]): unknown[] =>
  events.map(({ ref, ...e }) => ({ ...e, line: ref.line, index: ref.index }));

test('a small gzip file read in one step and a large plain one streamed give the same events', async (t) => {
  const dir = await tempDir('cloudward-read-');
  // Over 1 MiB of JSON lines (streamed), whose gzip is a few KiB (read whole).
  const text = `${Array.from({ length: 3000 }, (_, i) => record(i)).join('\n')}\n`;
  t.true(Buffer.byteLength(text) > 1024 * 1024);
  await writeFile(join(dir, 'plain.json'), text);
  await writeFile(join(dir, 'small.json.gz'), gzipSync(text));
  const plain = await readAll(join(dir, 'plain.json'));
  const small = await readAll(join(dir, 'small.json.gz'));
  t.is(plain.events.length, 3000);
  t.deepEqual(bare(small.events), bare(plain.events));
  t.is(small.bytes, plain.bytes);
});

test('a small gzip file that inflates to more than is held at once is streamed, to the same events', async (t) => {
  const dir = await tempDir('cloudward-read-');
  // 34 MiB of blank space between two records: a few KiB of gzip.
  const blank = ' '.repeat(1024 * 1024);
  const text = `${record(1)}\n${Array.from({ length: 34 }, () => blank).join('\n')}\n${record(2)}\n`;
  const gz = gzipSync(text);
  t.true(gz.length < 1024 * 1024);
  await writeFile(join(dir, 'bomb.json.gz'), gz);
  const read = await readAll(join(dir, 'bomb.json.gz'));
  t.deepEqual(
    read.events.map((e) => [e.actor.principal, e.ref.line]),
    [
      ['arn:aws:iam::111122223333:user/u1', 1],
      ['arn:aws:iam::111122223333:user/u2', 36],
    ],
  );
  t.is(read.bytes, Buffer.byteLength(text));
});
