// The baseline `bench/detect.ts` compares against: stream every log file (gunzip when gzip), split lines, JSON.parse
// each; a file that is one JSON document is parsed whole. No normalization, no rules: the floor any reader pays.
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
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
const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
const count = (value) => {
  const list = Array.isArray(value) ? value : (value.Records ?? value.records ?? value.value ?? [value]);
  records += list.length;
};
for (const file of files) {
  const raw = createReadStream(file);
  const stream = (await isGzip(file)) ? raw.pipe(createGunzip()) : raw;
  let pending = '';
  let doc = null;
  let first = true;
  for await (const data of stream) {
    bytes += data.length;
    const text = pending + data.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (doc !== null) doc.push(line);
      else if (line.trim() !== '') {
        try {
          count(JSON.parse(line));
        } catch {
          if (!first) throw new Error(`${file}: bad line`);
          doc = [line];
        }
        first = false;
      }
    }
    pending = text.slice(start);
  }
  if (doc !== null) {
    doc.push(pending);
    count(JSON.parse(doc.join('\n')));
  } else if (pending.trim() !== '') count(JSON.parse(pending));
}
process.stdout.write(JSON.stringify({ records, bytes, files: files.length }));
