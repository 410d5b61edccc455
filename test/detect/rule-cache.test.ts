import { execFile } from 'node:child_process';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { runRuleCases } from '../../src/detect/cases.js';
import {
  BUILTIN_RULE_DIR,
  buildRuleCache,
  loadRuleFile,
  loadRules,
  readRuleCache,
  RULE_CACHE_FILE,
  type Rule,
  type RuleCacheEntry,
} from '../../src/detect/rules.js';
import { fixture, ROOT, tempDir } from '../helpers/cli.js';

/** A copy of the shipped rules and a cache made of it, as the build makes dist/detections.cache.json. */
async function copiedRules(): Promise<{ root: string; files: string[]; cache: Map<string, RuleCacheEntry> }> {
  const root = join(await tempDir('cloudward-rule-cache-'), 'detections');
  await cp(BUILTIN_RULE_DIR, root, { recursive: true });
  const files = (await readdir(root))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(root, f));
  return { root, files, cache: new Map(Object.entries((await buildRuleCache(root)).files)) };
}

/** What a rule says, tests included (read through `definition.tests`, which a cached rule parses on first use). */
const said = (rule: Rule): unknown =>
  JSON.parse(
    JSON.stringify({
      id: rule.id,
      line: rule.line,
      definition: rule.definition,
      threshold: rule.threshold,
      firstSeen: rule.firstSeen,
      sequence: rule.sequence,
      dedupe: rule.dedupe,
    }),
  );
const fromCache = (rule: Rule): boolean =>
  typeof Object.getOwnPropertyDescriptor(rule.definition, 'tests')?.get === 'function';

test('every rule loaded from the cache says and matches exactly what the parsed file does', async (t) => {
  const { root, files, cache } = await copiedRules();
  t.is(cache.size, files.length, 'every shipped rule is cached');
  for (const file of files) {
    const cached = await loadRuleFile(file, cache, root);
    const parsed = await loadRuleFile(file, null, root);
    t.true(fromCache(cached), file);
    t.false(fromCache(parsed), file);
    t.false(
      Object.hasOwn(cache.get(file.slice(root.length + 1))!.definition, 'tests'),
      'the cache leaves the tests out',
    );
    t.deepEqual(said(cached), said(parsed), file);
    // The kept validators decide every test event as the compiled ones do.
    t.deepEqual(runRuleCases(cached), runRuleCases(parsed), file);
  }
});

test('an edited rule file is parsed, not served from the cache made before the edit', async (t) => {
  const { root, files, cache } = await copiedRules();
  const file = files.find((f) => f.endsWith('offensive-tool-user-agent.yaml'))!;
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^title: .*$/m, 'title: Edited after the build'));
  const rule = await loadRuleFile(file, cache, root);
  t.false(fromCache(rule));
  t.is(rule.definition.title, 'Edited after the build');
  // Even an edit that changes nothing a rule says (a comment) is not served from an entry made of other text.
  await writeFile(file, `# edited\n${text}`);
  const commented = await loadRuleFile(file, cache, root);
  t.false(fromCache(commented));
  t.is(commented.line, (await loadRuleFile(file, null, root)).line);
});

test('an edited rule file that no longer loads is an error naming file:line, not the cached rule', async (t) => {
  const { root, files, cache } = await copiedRules();
  const file = files.find((f) => f.endsWith('offensive-tool-user-agent.yaml'))!;
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^severity: .*$/m, 'severity: urgent'));
  const error = await t.throwsAsync(loadRuleFile(file, cache, root));
  t.regex(error!.message, /severity/);
  t.regex((error as Error & { oneLine(): string }).oneLine(), /offensive-tool-user-agent\.yaml:\d+/);
});

test('a rule file added after the build is parsed; the others still come from the cache', async (t) => {
  const { root, files, cache } = await copiedRules();
  const source = files.find((f) => f.endsWith('offensive-tool-user-agent.yaml'))!;
  const added = join(root, 'offensive-tool-user-agent-copy.yaml');
  await writeFile(
    added,
    (await readFile(source, 'utf8')).replace(/^id: offensive-tool-user-agent$/m, 'id: offensive-tool-user-agent-copy'),
  );
  const rule = await loadRuleFile(added, cache, root);
  t.is(rule.id, 'offensive-tool-user-agent-copy');
  t.false(fromCache(rule));
  t.true(fromCache(await loadRuleFile(source, cache, root)));
});

test('a cache entry whose kept code does not load is passed over for the file', async (t) => {
  const { root, files, cache } = await copiedRules();
  const file = files.find((f) => f.endsWith('offensive-tool-user-agent.yaml'))!;
  const key = file.slice(root.length + 1);
  cache.set(key, { ...cache.get(key)!, code: ['module.exports = require("node:child_process")'] });
  const rule = await loadRuleFile(file, cache, root);
  t.false(fromCache(rule));
  t.is(rule.id, 'offensive-tool-user-agent');
});

test("a user's rule folder is never served from the shipped rules' cache, even with the same text", async (t) => {
  const { files } = await copiedRules();
  const rules = await loadRules({ paths: [files[0]!], builtIn: false });
  t.is(rules.length, 1);
  t.false(fromCache(rules[0]!));
});

test('the build caches every shipped rule, for this version, rule schema and event shape', async (t) => {
  const cache = readRuleCache(RULE_CACHE_FILE);
  t.truthy(cache, 'npm run build writes dist/detections.cache.json');
  const shipped = (await readdir(BUILTIN_RULE_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  t.deepEqual([...cache!.keys()].sort(), shipped);
  for (const rule of await loadRules()) t.true(fromCache(rule), rule.id);
});

test('detect loads neither ajv, the YAML parser nor a cloud SDK when the shipped rules are cached', async (t) => {
  // CommonJS packages (ajv, yaml, the SDKs) that the run loaded are in require.cache, ES modules or not.
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(join(ROOT, 'dist', 'cli', 'main.js'))});
    const code = await main(['detect', ${JSON.stringify(fixture('vendor', 'detect', 'stratus-red-team', 'aws.persistence.iam-create-admin-user.json'))}, '--format', 'json', '--output', ${JSON.stringify(join(await tempDir(), 'r.json'))}, '--fail-on', 'none', '--quiet']);
    const loaded = Object.keys(createRequire(import.meta.url).cache).map((f) => f.split('node_modules/').pop().split('/').slice(0, 2).join('/'));
    process.stdout.write(JSON.stringify({ code, loaded: [...new Set(loaded)] }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
  const { code, loaded } = JSON.parse(stdout) as { code: number; loaded: string[] };
  t.is(code, 0);
  for (const heavy of ['ajv/dist', 'yaml/dist', '@aws-sdk', '@azure', '@google-cloud'])
    t.false(
      loaded.some((m) => m.startsWith(heavy)),
      `${heavy} in ${loaded.join(', ')}`,
    );
});
