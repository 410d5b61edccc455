import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import {
  BUILTIN_POLICY_DIR,
  buildPolicyCache,
  loadCheckFile,
  loadChecks,
  parseCheckText,
} from '../../src/engine/load-checks.js';
import {
  cacheEntry,
  cacheStamp,
  lookupCheck,
  POLICY_CACHE_FILE,
  readPolicyCache,
  type PolicyCache,
} from '../../src/engine/policy-cache.js';
import { tempDir } from '../helpers/cli.js';

// Built before the tests run rather than at the top level, so that this file can share a process (test/suites/).
let cache: Awaited<ReturnType<typeof buildPolicyCache>>;
let checks: Awaited<ReturnType<typeof loadChecks>>;
test.before(async () => {
  cache = await buildPolicyCache();
  checks = await loadChecks({ builtIn: true });
});

async function writeCache(content: unknown): Promise<string> {
  const file = join(await tempDir(), 'policies.cache.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('the cache holds every built-in check, exactly as parsing its YAML gives it', async (t) => {
  t.is(Object.keys(cache.files).length, checks.length);
  const map = readPolicyCache(await writeCache(cache));
  t.truthy(map);
  for (const check of checks) {
    const text = await readFile(check.file, 'utf8');
    const { parsed } = parseCheckText(text, check.file);
    const { code, ...found } = lookupCheck(map, check.file, text)!;
    t.deepEqual(found, parsed, check.id);
    // where, require, and each aggregate's where, kept as code.
    t.is(code?.length, 2 + Object.keys(parsed.definition.aggregate ?? {}).length, check.id);
    t.is(parsed.line, check.line, check.id);
  }
});

test('the cache this build ships is current (`npm run build` writes it)', async (t) => {
  const shipped = JSON.parse(await readFile(POLICY_CACHE_FILE, 'utf8')) as PolicyCache;
  t.deepEqual(shipped, cache, 'dist/policies.cache.json is stale: run `npm run build`');
});

test('an edited check is not taken from the cache', async (t) => {
  const map = readPolicyCache(await writeCache(cache));
  const file = checks[0]!.file;
  const text = await readFile(file, 'utf8');
  t.truthy(lookupCheck(map, file, text));
  t.is(lookupCheck(map, file, `${text}\n# edited\n`), undefined);
  t.is(lookupCheck(map, file, text.replace(/^severity: \w+/m, 'severity: low')), undefined);
});

test('only files under the built-in policy folder are looked up', async (t) => {
  const map = readPolicyCache(await writeCache(cache));
  const file = checks[0]!.file;
  const text = await readFile(file, 'utf8');
  const copy = join(await tempDir(), file.slice(BUILTIN_POLICY_DIR.length + 1));
  t.is(lookupCheck(map, copy, text), undefined);
});

test('a cache made for another version, schema or format, or damaged, is ignored', async (t) => {
  const stamp = cacheStamp();
  t.is(readPolicyCache(await writeCache({ ...cache, tool: '0.0.0-other' })), null);
  t.is(readPolicyCache(await writeCache({ ...cache, schema: '0'.repeat(64) })), null);
  t.is(readPolicyCache(await writeCache({ ...cache, format: stamp.format + 1 })), null);
  t.is(readPolicyCache(await writeCache({ ...stamp })), null);
  t.is(readPolicyCache(await writeCache('{"format": 1, "files": {')), null);
  t.is(readPolicyCache(await writeCache('null')), null);
  t.is(readPolicyCache(join(await tempDir(), 'absent.json')), null);
});

test('a damaged entry is ignored, not trusted', async (t) => {
  const check = checks[0]!;
  const text = await readFile(check.file, 'utf8');
  const key = check.file.slice(BUILTIN_POLICY_DIR.length + 1);
  const good = cacheEntry(text, check.line, parseCheckText(text, check.file).parsed.definition);
  for (const entry of [{ ...good, line: 'one' }, { ...good, definition: null }, 'not an entry']) {
    const map = readPolicyCache(await writeCache({ ...cache, files: { [key]: entry } }));
    t.is(lookupCheck(map, check.file, text), undefined, JSON.stringify(entry).slice(0, 40));
  }
});

test('what the cache hands out is a copy', async (t) => {
  const map = readPolicyCache(await writeCache(cache));
  const file = checks[0]!.file;
  const text = await readFile(file, 'utf8');
  const first = lookupCheck(map, file, text)!;
  first.definition.title = 'changed by a caller';
  t.not(lookupCheck(map, file, text)!.definition.title, 'changed by a caller');
});

test('a built-in check loads the same from the cache as from its YAML', async (t) => {
  for (const check of checks.slice(0, 5)) {
    const text = await readFile(check.file, 'utf8');
    const copy = join(await tempDir(), `${check.id}.yaml`);
    await writeFile(copy, text);
    const fromYaml = await loadCheckFile(copy);
    const fromCache = await loadCheckFile(check.file);
    const plain = (c: typeof check) => JSON.parse(JSON.stringify({ ...c, file: undefined })) as unknown;
    t.deepEqual(plain(fromCache), plain(fromYaml), check.id);
  }
});

test('a check loaded again in one process is the same frozen check; an edited or broken file is read afresh', async (t) => {
  const builtIn = checks[0]!;
  t.is(await loadCheckFile(builtIn.file), builtIn, 'the same file and text give the check already loaded');
  t.true(Object.isFrozen(builtIn));

  const file = join(await tempDir(), `${builtIn.id}.yaml`);
  const text = await readFile(builtIn.file, 'utf8');
  await writeFile(file, text);
  const first = await loadCheckFile(file);
  t.is(first.severity, builtIn.severity);
  await writeFile(file, text.replace(/^severity: \w+/m, 'severity: low'));
  const edited = await loadCheckFile(file);
  t.not(edited, first);
  t.is(edited.severity, 'low', 'the edit is read');
  await writeFile(file, text.replace(/^id: .*$/m, 'id: [unclosed'));
  await t.throwsAsync(loadCheckFile(file));
  await t.throwsAsync(loadCheckFile(file), undefined, 'a file that failed to load fails again');
  await writeFile(file, text);
  t.is((await loadCheckFile(file)).severity, builtIn.severity);
});
