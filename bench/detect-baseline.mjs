// The baseline `bench/detect.ts` compares against: stream every log file (gunzip when gzip), split lines, JSON.parse
// each; a file that is one JSON document is parsed whole. No normalization, no rules: the floor any reader pays.
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

async function isGzip(file) {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

let records = 0;
let bytes = 0;
const dir = process.argv[2];
const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name))
  .sort();
const count = (value) => {
  const list = Array.isArray(value) ? value : (value.Records ?? value.records ?? value.value ?? [value]);
  records += list.length;
};
for (const file of files) {
  const raw = createReadStream(file);
  const stream = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  // Text without a newline yet is kept as a list of pieces and joined once a newline comes (or at the end), so a
  // delivered CloudTrail file (one JSON document on one line) costs one pass, not one pass per chunk.
  const decoder = new StringDecoder('utf8');
  let pieces = [];
  let doc = null;
  let first = true;
  const line = (text) => {
    if (doc !== null) doc.push(text);
    else if (text.trim() !== '') {
      try {
        count(JSON.parse(text));
      } catch {
        if (!first) throw new Error(`${file}: bad line`);
        doc = [text];
      }
      first = false;
    }
  };
  for await (const data of stream) {
    bytes += data.length;
    const chunk = decoder.write(data);
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      pieces.push(chunk);
      continue;
    }
    line(pieces.join('') + chunk.slice(0, nl));
    let start = nl + 1;
    for (nl = chunk.indexOf('\n', start); nl !== -1; nl = chunk.indexOf('\n', start)) {
      line(chunk.slice(start, nl));
      start = nl + 1;
    }
    pieces = [chunk.slice(start)];
  }
  const pending = pieces.join('') + decoder.end();
  if (doc !== null) {
    doc.push(pending);
    count(JSON.parse(doc.join('\n')));
  } else if (pending.trim() !== '') count(JSON.parse(pending));
}
process.stdout.write(JSON.stringify({ records, bytes, files: files.length }));
