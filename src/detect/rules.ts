import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Severity } from '../engine/types.js';
import { UserError } from '../errors.js';
import { keyUnder, readStampedCache, sha256, type CacheStamp } from '../util/build-cache.js';
import { listYamlFiles, readInputText } from '../util/files.js';
import { packagePath, toolVersion } from '../util/paths.js';
import { loadValidator, type CodeModules } from '../util/precompiled.js';
import { assertLinearPatterns } from '../util/regex-safety.js';
import { parseYamlText, type YamlFile } from '../util/yaml.js';
import { EVENT_FIELDS } from './event.js';
import { assertRuleClouds } from './log-readers.js';

/** The rules that ship with cloudward. */
export const BUILTIN_RULE_DIR = packagePath('detections');

export type Tunable = 'TimeWindow' | 'UserAgent' | 'CredentialType' | 'APISequence' | 'ConsoleContext';

export interface RuleTest {
  name: string;
  events: Array<Record<string, unknown>>;
  expect: number;
}

/** A rule as written in YAML. */
export interface RuleDefinition {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  /** The providers whose logs the rule is for (registered adapters with an `auditLogs` part); omitted: all. */
  clouds?: string[];
  attack: { technique: 'T1059.009'; related?: string[] };
  det0078: { analytic: 'AN0215'; tunables: Tunable[] };
  match: Record<string, unknown>;
  threshold?: { window: string; by: string[]; distinct?: string; split?: string; atLeast: number };
  firstSeen?: {
    key: string[];
    value?: string[];
    lookback: string;
    warmup?: string;
    newKey?: 'learn' | 'alert';
    alertWhen?: Record<string, unknown>;
    each?: boolean;
    knownAtMost?: number;
  };
  sequence?: {
    window: string;
    by: string[];
    history?: { key: string[]; value: string[]; lookback: string };
    steps: Array<{ name: string; match: Record<string, unknown>; by?: string[]; unseen?: string[] }>;
  };
  dedupe?: string;
  response: string;
  falsePositives?: string;
  references?: string[];
  tests: RuleTest[];
}

/** A loaded rule: the definition with its schemas compiled and durations in milliseconds. */
/** One loaded sequence step: what it matches, the fields it joins the earlier steps on, and the steps its value must be new for. */
export interface SequenceStep {
  name: string;
  match: ValidateFunction;
  by: string[];
  /** `by` as one string (fields joined by NUL): which steps continue one another's partial matches. */
  byKey: string;
  /** Indexes of the steps (earlier ones or this one) whose event's history key must not know this event's history value. */
  unseen: number[];
}

export interface Rule {
  definition: RuleDefinition;
  id: string;
  file: string;
  line: number;
  match: ValidateFunction;
  threshold?: { window: number; by: string[]; distinct?: string; split?: string; atLeast: number };
  firstSeen?: {
    key: string[];
    value: string[];
    lookback: number;
    warmup: number;
    newKey: 'learn' | 'alert';
    alertWhen?: ValidateFunction;
    /** Every value field must be new on its own, not only their combination. */
    each: boolean;
    /** Alert only for keys whose look-back holds at most this many distinct values of each value field. */
    knownAtMost?: number;
  };
  sequence?: {
    window: number;
    by: string[];
    /** What the rule learns from every event it matches (key -> values), for steps' `unseen` conditions. */
    history?: { key: string[]; value: string[]; lookback: number };
    steps: SequenceStep[];
    /** True when some step joins on fields of its own (`by`), not the sequence's, or has an `unseen` condition. */
    joined: boolean;
  };
  dedupe: number;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const m = /^([1-9][0-9]*)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`bad duration "${text}"`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

const MAX_RULE_FILE_BYTES = 1024 * 1024;
let ruleValidator: ValidateFunction | undefined;
let matchAjv: Ajv2020 | undefined;
/** Where kept match code finds the formats `createAjv` adds (see precompiled.ts). */
const FORMATS_MODULE = 'cloudward:detect-formats';

/**
 * ajv (and its schema compiler) is loaded only when a rule file is not in the build's cache. `source`: the build keeps
 * each compiled match as code, formats reached through FORMATS_MODULE. Rule schemas are small and each runs over
 * every event; ajv's optimizing pass costs more at load than it saves.
 */
async function makeMatchAjv(source = false): Promise<Ajv2020> {
  const { createAjv } = await import('../util/ajv.js');
  const { _ } = await import('ajv/dist/2020.js');
  return createAjv({
    allErrors: false,
    strictTypes: false,
    strictTuples: false,
    code: { optimize: false, ...(source ? { source, formats: _`require(${FORMATS_MODULE})` } : {}) },
  });
}

const listRuleFiles = (path: string): Promise<string[]> =>
  listYamlFiles(path, { message: 'rule folder or file not found', hint: 'check the --rules path' });

const KNOWN_TOP = new Set(EVENT_FIELDS.map((f) => f.split('.')[0]!).concat(['time', 'ref']));
const KNOWN_NESTED = new Set<string>(EVENT_FIELDS.filter((f) => f.includes('.')));

/** A property name the event does not have is almost always a typo that makes the rule never (or always) match. */
function checkFieldNames(
  schema: unknown,
  path: Array<string | number>,
  yaml: YamlFile,
  file: string,
  prefix = '',
): void {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  const props = s.properties as Record<string, unknown> | undefined;
  if (props && typeof props === 'object') {
    for (const [name, sub] of Object.entries(props)) {
      const full = prefix ? `${prefix}.${name}` : name;
      const known = prefix ? KNOWN_NESTED.has(full) : KNOWN_TOP.has(name);
      if (!known)
        throw new UserError(`match names "${full}", which the event shape has not`, {
          where: `${file}:${yaml.lineOf([...path, 'properties', name])}`,
          hint: `use one of: ${EVENT_FIELDS.join(', ')}`,
        });
      if (!prefix) checkFieldNames(sub, [...path, 'properties', name], yaml, file, name);
    }
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = s[key];
    if (Array.isArray(list)) list.forEach((sub, i) => checkFieldNames(sub, [...path, key, i], yaml, file, prefix));
  }
  if (s.not) checkFieldNames(s.not, [...path, 'not'], yaml, file, prefix);
}

function compileAt(
  ajv: Ajv2020,
  schema: Record<string, unknown>,
  path: Array<string | number>,
  yaml: YamlFile,
  file: string,
): ValidateFunction {
  checkFieldNames(schema, path, yaml, file);
  // Rules run their patterns over log text an attacker chooses: one that can backtrack without bound is refused.
  assertLinearPatterns(schema, path, (at) => `${file}:${yaml.lineOf(at)}`);
  try {
    return ajv.compile(schema);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    throw new UserError(`invalid JSON Schema in ${path.join('.')}: ${message}`, {
      where: `${file}:${yaml.lineOf(path)}`,
      hint: 'write a valid draft 2020-12 JSON Schema over the event shape (docs/detect.md)',
    });
  }
}

/**
 * Parses, validates and compiles one rule's text. `compile` makes each match schema's validator, in the order the
 * build's cache keeps them: `match`, `firstSeen.alertWhen`, then each sequence step's `match`.
 */
async function parseRuleText(
  text: string,
  file: string,
  compile: (schema: Record<string, unknown>, path: Array<string | number>, yaml: YamlFile) => ValidateFunction,
): Promise<Rule> {
  const yaml = parseYamlText(text, file);
  if (yaml.value === null || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) {
    throw new UserError('not a detection rule: the top level must be a mapping', {
      where: `${file}:1`,
      hint: 'see schemas/detection.schema.json',
    });
  }
  const { createAjv, describeAjvError, errorSegments, loadSchema, mostSpecificError } = await import('../util/ajv.js');
  ruleValidator ??= createAjv({
    allErrors: false,
    strictTypes: false,
    validateSchema: false,
    code: { optimize: false },
  }).compile(loadSchema('detection.schema.json'));
  if (!ruleValidator(yaml.value)) {
    const error = mostSpecificError(ruleValidator.errors!);
    const oneOf = error.keyword === 'oneOf' || error.keyword === 'not';
    throw new UserError(
      `invalid detection rule: ${oneOf ? 'use at most one of threshold, firstSeen, sequence' : describeAjvError(error)}`,
      {
        where: `${file}:${yaml.lineOf(errorSegments(error))}`,
        hint: 'see schemas/detection.schema.json and docs/detect.md',
      },
    );
  }
  const d = yaml.value as RuleDefinition;
  const expectedId = basename(file, extname(file));
  if (d.id !== expectedId)
    throw new UserError(`rule id "${d.id}" does not match its file name "${expectedId}"`, {
      where: `${file}:${yaml.lineOf(['id'])}`,
      hint: `rename the file to ${d.id}.yaml or change the id`,
    });
  if (!d.tests.some((t) => t.expect > 0) || !d.tests.some((t) => t.expect === 0)) {
    throw new UserError('a rule needs a test that expects a finding and one that expects none', {
      where: `${file}:${yaml.lineOf(['tests'])}`,
      hint: 'add the missing test case',
    });
  }
  return makeRule(
    d,
    file,
    yaml.lineOf(['id']),
    (schema, path) => compile(schema, path, yaml),
    (path) => yaml.lineOf(path),
  );
}

/**
 * A rule from its definition (valid against the rule schema); `compile` makes the match validators, in the order the
 * cache keeps them, and `lineOf` places an error.
 */
function makeRule(
  d: RuleDefinition,
  file: string,
  line: number,
  compile: (schema: Record<string, unknown>, path: Array<string | number>) => ValidateFunction,
  lineOf: (path: Array<string | number>) => number,
): Rule {
  assertRuleClouds(d.clouds, (i) => `${file}:${lineOf(['clouds', i])}`);
  const rule: Rule = {
    definition: d,
    id: d.id,
    file,
    line,
    match: compile(d.match, ['match']),
    dedupe: parseDuration(d.dedupe ?? '1h'),
  };
  if (d.threshold) rule.threshold = { ...d.threshold, window: parseDuration(d.threshold.window) };
  if (d.firstSeen) {
    const f = d.firstSeen;
    if (!f.value && f.newKey === 'learn')
      throw new UserError('firstSeen without value must alert on a new key', {
        where: `${file}:${lineOf(['firstSeen', 'newKey'])}`,
        hint: 'set newKey: alert, or add value',
      });
    rule.firstSeen = {
      key: f.key,
      value: f.value ?? [],
      lookback: parseDuration(f.lookback),
      warmup: parseDuration(f.warmup ?? '24h'),
      newKey: f.newKey ?? (f.value ? 'learn' : 'alert'),
      ...(f.alertWhen ? { alertWhen: compile(f.alertWhen, ['firstSeen', 'alertWhen']) } : {}),
      each: f.each ?? false,
      ...(f.knownAtMost !== undefined ? { knownAtMost: f.knownAtMost } : {}),
    };
    if ((f.each || f.knownAtMost !== undefined) && !f.value)
      throw new UserError('firstSeen each and knownAtMost need value fields', {
        where: `${file}:${lineOf(['firstSeen', f.each ? 'each' : 'knownAtMost'])}`,
        hint: 'add value, or drop the option',
      });
    if (rule.firstSeen.warmup > rule.firstSeen.lookback)
      throw new UserError('firstSeen warmup is longer than its lookback', {
        where: `${file}:${lineOf(['firstSeen', 'warmup'])}`,
        hint: 'shorten warmup or lengthen lookback',
      });
  }
  if (d.sequence) rule.sequence = loadSequence(d.sequence, file, compile, lineOf);
  return rule;
}

/** Compiles a sequence; a join on a different number of fields, or an `unseen` naming no earlier step, names file:line. */
function loadSequence(
  d: NonNullable<RuleDefinition['sequence']>,
  file: string,
  compile: (schema: Record<string, unknown>, path: Array<string | number>) => ValidateFunction,
  lineOf: (path: Array<string | number>) => number,
): NonNullable<Rule['sequence']> {
  const steps = d.steps.map((s, i): SequenceStep => {
    const at = (...path: Array<string | number>) => `${file}:${lineOf(['sequence', 'steps', i, ...path])}`;
    const by = s.by ?? d.by;
    if (by.length !== d.by.length)
      throw new UserError(`step "${s.name}" joins on ${by.length} field(s), the sequence on ${d.by.length}`, {
        where: at('by'),
        hint: "a step's by pairs its fields one by one with the sequence's by: give as many",
      });
    const unseen = (s.unseen ?? []).map((name, j) => {
      const found = d.steps.slice(0, i + 1).flatMap((x, k) => (x.name === name ? [k] : []));
      if (found.length !== 1)
        throw new UserError(
          `unseen names "${name}", which is ${found.length === 0 ? 'not this or an earlier step' : 'the name of several steps'}`,
          { where: at('unseen', j), hint: 'name this step or an earlier one, by its unique name' },
        );
      return found[0]!;
    });
    if (unseen.length > 0 && !d.history)
      throw new UserError("unseen needs the sequence's history (what is learnt)", {
        where: at('unseen'),
        hint: 'add sequence.history: { key, value, lookback }',
      });
    return {
      name: s.name,
      match: compile(s.match, ['sequence', 'steps', i, 'match']),
      by,
      byKey: by.join('\u0000'),
      unseen,
    };
  });
  return {
    window: parseDuration(d.window),
    by: d.by,
    ...(d.history
      ? { history: { key: d.history.key, value: d.history.value, lookback: parseDuration(d.history.lookback) } }
      : {}),
    steps,
    joined: steps.some((step) => step.byKey !== d.by.join('\u0000') || step.unseen.length > 0),
  };
}

// ---------------------------------------------------------------- the build's cache of the shipped rules

/**
 * The shipped rules, validated and compiled at build time (`npm run build` writes this file): a rule whose text is
 * exactly what an entry was made from (sha256 of the file) loads from the entry's definition and its match validators
 * kept as code, with no YAML parse and no schema compile (~0.6 s of every run). An edited or added rule file, a
 * user's own folder, a cache made by another version or for another rule schema or event shape, a missing or damaged
 * cache: all take the full path above, so the cache changes how fast rules load, never what they say.
 *
 * Entries leave out the rules' `tests:` (most of each file's text): `definition.tests` parses them from the file's
 * text on first use (`detect --test`, `cloudward test`).
 */
export const RULE_CACHE_FILE = packagePath('dist', 'detections.cache.json');

/** Bumped when what an entry holds, or how a rule file is turned into a rule, changes. */
const RULE_CACHE_FORMAT = 1;

export interface RuleCacheEntry {
  sha256: string;
  /** 1-based line of `id`. */
  line: number;
  definition: Omit<RuleDefinition, 'tests'>;
  /** The match validators as code (see precompiled.ts), in makeRule's order. */
  code: string[];
}

/** Stamped with the sha256 of schemas/detection.schema.json and of the event fields a rule may name. */
export interface RuleCache extends CacheStamp {
  /** By path relative to the built-in detections/ folder, with `/` separators. */
  files: Record<string, RuleCacheEntry>;
}

function ruleCacheStamp(): CacheStamp {
  return {
    format: RULE_CACHE_FORMAT,
    tool: toolVersion(),
    schema: sha256(
      `${readFileSync(packagePath('schemas', 'detection.schema.json'), 'utf8')}\u0000${EVENT_FIELDS.join(',')}`,
    ),
  };
}

/** A cache file's entries when it is well formed and made for this version, rule schema and event shape; else null. */
export function readRuleCache(path: string): Map<string, RuleCacheEntry> | null {
  return readStampedCache<RuleCacheEntry>(path, ruleCacheStamp);
}

let shippedCache: Map<string, RuleCacheEntry> | null | undefined;
const requireCjs = createRequire(import.meta.url);
/** ajv-formats' formats, which `createAjv` adds; loaded only if kept code asks for them. */
const RULE_CODE_MODULES: CodeModules = Object.defineProperty({}, FORMATS_MODULE, {
  enumerable: true,
  get: () => (requireCjs('ajv-formats/dist/formats') as { fullFormats: unknown }).fullFormats,
});

/** The rule a cache entry holds for exactly this text, or undefined (then the file is parsed). */
function cachedRule(
  cache: Map<string, RuleCacheEntry> | null,
  root: string,
  file: string,
  text: string,
): Rule | undefined {
  const key = keyUnder(root, file);
  const entry = key === undefined || !cache ? undefined : cache.get(key);
  if (
    !entry ||
    typeof entry !== 'object' ||
    entry.sha256 !== sha256(text) ||
    typeof entry.line !== 'number' ||
    !Array.isArray(entry.code)
  )
    return undefined;
  try {
    // A copy: callers own what they get, and the cache must not change under them.
    const definition = structuredClone(entry.definition) as RuleDefinition;
    let tests: RuleTest[] | undefined;
    Object.defineProperty(definition, 'tests', {
      enumerable: true,
      configurable: true,
      get: () => (tests ??= (parseYamlText(text, file).value as RuleDefinition).tests),
      set: (value: RuleTest[]) => void (tests = value),
    });
    let next = 0;
    const rule = makeRule(
      definition,
      file,
      entry.line,
      () => {
        const source = entry.code[next++];
        if (typeof source !== 'string') throw new Error('kept code for fewer schemas than the rule has');
        return loadValidator(source, RULE_CODE_MODULES);
      },
      () => entry.line,
    );
    if (next !== entry.code.length) throw new Error('kept code for more schemas than the rule has');
    return rule;
  } catch {
    // A damaged entry: the file is parsed instead.
    return undefined;
  }
}

/**
 * Parses, validates and compiles one rule file; every error names file:line. A shipped rule whose text is unchanged
 * comes from the build's cache (`cache` and `root`: another cache, of the rules under another folder).
 */
export async function loadRuleFile(
  file: string,
  cache: Map<string, RuleCacheEntry> | null = (shippedCache ??=
    readRuleCache(RULE_CACHE_FILE)),
  root = BUILTIN_RULE_DIR,
): Promise<Rule> {
  const text = await readInputText(file, 'rule file', MAX_RULE_FILE_BYTES);
  const cached = cachedRule(cache, root, file, text);
  if (cached) return cached;
  const ajv = (matchAjv ??= await makeMatchAjv());
  return parseRuleText(text, file, (schema, path, yaml) => compileAt(ajv, schema, path, yaml, file));
}

/** The cache of the shipped rules (or those under `root`), made from the files as they are now; a file that does not load is left out. */
export async function buildRuleCache(root = BUILTIN_RULE_DIR): Promise<RuleCache> {
  const { validatorSource } = await import('../util/precompiled.js');
  const ajv = await makeMatchAjv(true);
  const files: RuleCache['files'] = {};
  for (const file of await listRuleFiles(root)) {
    const key = keyUnder(root, file);
    if (key === undefined) continue;
    try {
      const text = await readInputText(file, 'rule file', MAX_RULE_FILE_BYTES);
      const code: string[] = [];
      const rule = await parseRuleText(text, file, (schema, path, yaml) => {
        const validate = compileAt(ajv, schema, path, yaml, file);
        code.push(validatorSource(ajv, validate));
        return validate;
      });
      const { tests: _tests, ...definition } = rule.definition;
      files[key] = { sha256: sha256(text), line: rule.line, definition, code };
    } catch {
      // Not cached: loading it reports why.
    }
  }
  return { ...ruleCacheStamp(), files };
}

/** Loads the built-in rules and/or the named files and folders; duplicate ids are an error. */
export async function loadRules(options: { paths?: string[]; builtIn?: boolean } = {}): Promise<Rule[]> {
  const files: string[] = [];
  if (options.builtIn !== false) files.push(...(await listRuleFiles(BUILTIN_RULE_DIR)));
  for (const path of options.paths ?? []) {
    const found = await listRuleFiles(path);
    if (found.length === 0)
      throw new UserError('no rule files (*.yaml) found', {
        where: path,
        hint: 'name a folder of detection rules or a rule file',
      });
    files.push(...found);
  }
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rule = await loadRuleFile(file);
    const other = seen.get(rule.id);
    if (other)
      throw new UserError(`rule id "${rule.id}" is defined twice (also in ${other})`, {
        where: `${file}:${rule.line}`,
        hint: 'rename one of them',
      });
    seen.set(rule.id, file);
    rules.push(rule);
  }
  return rules;
}

export function selectRules(rules: Rule[], ids: string[]): Rule[] {
  if (ids.length === 0) return rules;
  for (const id of ids)
    if (!rules.some((r) => r.id === id))
      throw new UserError(`unknown rule id "${id}"`, {
        where: '--rule',
        hint: 'list them with `cloudward detect --list-rules`',
      });
  return rules.filter((r) => ids.includes(r.id));
}
