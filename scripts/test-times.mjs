#!/usr/bin/env node
// Where `npm test`'s time goes: runs each test file alone under ava, one after the other, and prints the CPU time
// (user + system, of ava and every process it starts: test worker, spawned CLI runs, browser, .NET tool) and wall
// time of each, most CPU first. CPU time hardly moves with the machine's load, wall time does.
//
//   node scripts/test-times.mjs                     # every file `npm test` runs
//   node scripts/test-times.mjs test/aws/ test/gate/exit-codes.test.ts
//   node scripts/test-times.mjs --e2e               # the files of `npm run test:e2e`
//   node scripts/test-times.mjs --top 25 --json times.json
//
// Each file pays the start-up of ava, tsx and what it imports, as under `npx ava FILE`; `npm test` pays that once per
// folder (ava.suite.config.js). The children's times come from bash's `times`, so nothing beyond bash is needed.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { E2E } from '../ava.e2e.config.js';
import { selectedFiles } from '../test/suites/files.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const take = (flag) => {
  const at = args.indexOf(flag);
  if (at === -1) return undefined;
  const [value] = args.splice(at, 2).slice(1);
  if (value === undefined) {
    console.error(`test-times: ${flag} needs a value`);
    process.exit(2);
  }
  return value;
};
const e2e = args.includes('--e2e');
if (e2e) args.splice(args.indexOf('--e2e'), 1);
const top = Number(take('--top') ?? Infinity);
const jsonOut = take('--json');

const config = e2e ? ['--config', 'ava.e2e.config.js'] : [];
const wanted = args.length === 0 ? [''] : args.map((arg) => relative(ROOT, join(process.cwd(), arg)));
const files = (e2e ? selectedFiles(E2E) : selectedFiles())
  .filter((file) =>
    wanted.some((prefix) => prefix === '' || file === prefix || file.startsWith(`${prefix.replace(/\/$/, '')}/`)),
  )
  .sort();
if (files.length === 0) {
  console.error(`test-times: no test file matches ${args.join(' ')}`);
  process.exit(2);
}

const seconds = (text) => {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
};
const AVA = join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
const rows = [];
for (const file of files) {
  const started = performance.now();
  // `times` prints the shell's own user/system time, then its children's.
  const run = spawnSync(
    'bash',
    ['-c', '"$@" >/dev/null 2>&1; code=$?; times; exit $code', 'bash', process.execPath, AVA, ...config, file],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const wall = (performance.now() - started) / 1000;
  const [user, system] = run.stdout.trim().split('\n').at(-1).split(/\s+/).map(seconds);
  const row = { file, cpu: user + system, user, system, wall, ok: run.status === 0 };
  rows.push(row);
  process.stderr.write(
    `${row.cpu.toFixed(1).padStart(6)} s CPU ${row.wall.toFixed(1).padStart(6)} s wall  ${row.ok ? '' : 'FAILED '}${file}\n`,
  );
}

rows.sort((a, b) => b.cpu - a.cpu);
const total = rows.reduce((sum, row) => ({ cpu: sum.cpu + row.cpu, wall: sum.wall + row.wall }), { cpu: 0, wall: 0 });
console.log(`${'CPU s'.padStart(7)} ${'wall s'.padStart(7)}  file`);
for (const row of rows.slice(0, top))
  console.log(
    `${row.cpu.toFixed(2).padStart(7)} ${row.wall.toFixed(2).padStart(7)}  ${row.ok ? '' : 'FAILED '}${row.file}`,
  );
console.log(
  `${total.cpu.toFixed(1).padStart(7)} ${total.wall.toFixed(1).padStart(7)}  total of ${rows.length} files run alone`,
);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ files: rows, total }, null, 2)}\n`);
if (rows.some((row) => !row.ok)) process.exitCode = 1;
