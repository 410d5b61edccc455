import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import fc from 'fast-check';
import { isUserError } from '../../src/errors.js';

/**
 * Seeded and bounded, so `npm test` stays fast and a failure replays: `npm run fuzz` raises the number of runs
 * (CLOUDWARD_FUZZ_RUNS) and CLOUDWARD_FUZZ_SEED picks another seed.
 */
export const SEED = Number(process.env.CLOUDWARD_FUZZ_SEED ?? 2026);
const SCALE = Number(process.env.CLOUDWARD_FUZZ_RUNS ?? 0);

/**
 * fast-check parameters: `base` runs in `npm test`, CLOUDWARD_FUZZ_RUNS runs under `npm run fuzz` (at most `most`
 * for the properties whose every run renders a whole report).
 */
export function fuzzParameters<T>(base: number, most = Infinity): fc.Parameters<T> {
  return { seed: SEED, numRuns: SCALE > 0 ? Math.min(SCALE, most) : base, endOnFailure: true };
}

/**
 * Characters a terminal or a viewer acts on: C0 controls (but tab, newline and carriage return, which CSV and XML
 * line ends use and a line-based output normalises), DEL, C1 controls.
 */
export const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Text an attacker would put where a name goes: escape sequences, BEL, NUL, bidi overrides, formula starts. */
export const hostileText = fc.oneof(
  fc.constantFrom(
    '\u001b]52;c;aGVsbG8=\u0007',
    '\u001b[2J\u001b[H',
    'a\u0000b',
    '\u0007',
    '\u009b31m',
    '\u202egnp.exe',
    '=HYPERLINK("x")',
    '__proto__',
    'constructor',
  ),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      '*',
      '?',
      ':',
      '/',
      '\\',
      '"',
      '<',
      '\u001b',
      '\u0000',
      '\u0007',
      '\n',
      '\r',
      '\u007f',
      '\u0085',
    ),
    maxLength: 24,
  }),
);

/** A value to put anywhere in a document: wrong types, nulls, huge and hostile strings, odd numbers. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 3, arbitrary: hostileText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      null,
      '',
      0,
      -1,
      1e308,
      true,
      [],
      {},
      [null],
      { __proto__: null },
      '9999-99-99T99:99:99Z',
      `iam:${'*'.repeat(30)}Z`,
      'x'.repeat(5000),
    ),
  },
);

export interface Mutation {
  /** Which node of the document (in a depth-first walk, modulo the number of nodes). */
  at: number;
  kind: 'replace' | 'rename' | 'delete' | 'duplicate';
  value: unknown;
  key: string;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'rename', 'delete', 'duplicate'),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', ''), hostileText),
});

type Json = unknown;

/** Every [container, key] pair of a document, depth first (the root as [holder, 'root']). */
function nodes(holder: Record<string, Json>): Array<[Record<string, Json> | Json[], string | number]> {
  const out: Array<[Record<string, Json> | Json[], string | number]> = [[holder, 'root']];
  const walk = (value: Json) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        out.push([value, i]);
        walk(v);
      });
    } else if (value && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        out.push([value as Record<string, Json>, key]);
        walk((value as Record<string, Json>)[key]);
      }
    }
  };
  walk(holder.root);
  return out;
}

/** The document with mutations applied to a copy: values replaced, keys renamed (to `__proto__` too), items dropped. */
export function mutate(document: Json, mutations: Mutation[]): Json {
  const holder: Record<string, Json> = { root: structuredClone(document) };
  for (const m of mutations) {
    const all = nodes(holder);
    const [container, key] = all[m.at % all.length]!;
    if (Array.isArray(container)) {
      const i = key as number;
      if (m.kind === 'delete') container.splice(i, 1);
      else if (m.kind === 'duplicate') container.splice(i, 0, structuredClone(container[i]));
      else container[i] = structuredClone(m.value);
      continue;
    }
    const record = container as Record<string, Json>;
    const k = key as string;
    if (m.kind === 'delete' && k !== 'root') delete record[k];
    else if (m.kind === 'rename' && k !== 'root') {
      // defineProperty: an own `__proto__` key, as JSON.parse would make from a file that has one.
      Object.defineProperty(record, m.key, { value: record[k], enumerable: true, writable: true, configurable: true });
      if (m.key !== k) delete record[k];
    } else record[k] = structuredClone(m.value);
  }
  return holder.root;
}

/** Bytes changed in place: a few splices of hostile text into a text file (XML, YAML, CSV lines). */
export const textEdit = fc.array(fc.tuple(fc.nat(), fc.nat({ max: 16 }), hostileText), { minLength: 1, maxLength: 4 });

export function editText(text: string, edits: Array<[number, number, string]>): string {
  let out = text;
  for (const [at, remove, insert] of edits) {
    const i = at % (out.length + 1);
    out = out.slice(0, i) + insert + out.slice(i + remove);
  }
  return out;
}

/** Every file under a folder, sorted, as paths relative to it. */
export function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((name) =>
      statSync(join(dir, prefix, name)).isDirectory() ? filesUnder(dir, join(prefix, name)) : [join(prefix, name)],
    );
}

/**
 * Runs a reader on fuzzed input: it may succeed or refuse with the project's one-line UserError; anything else
 * (a TypeError, a RangeError, a hang turned error) is a defect, reported with the input that caused it.
 */
export async function onlyUserErrors(
  t: ExecutionContext,
  run: () => unknown,
  describe: () => string,
): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (isUserError(error) && !error.oneLine().includes('\n')) return true;
    t.log(`input: ${describe().slice(0, 2000)}`);
    t.log(error instanceof Error ? error.stack : String(error));
    return false;
  }
}
