import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Severity } from '../engine/types.js';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, errorSegments, loadSchema, mostSpecificError } from '../util/ajv.js';
import { readInputText } from '../util/files.js';
import { packagePath } from '../util/paths.js';
import { assertLinearPatterns } from '../util/regex-safety.js';
import { parseYamlText, type YamlFile } from '../util/yaml.js';
import { EVENT_FIELDS } from './event.js';

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
  clouds?: Array<'aws' | 'azure' | 'gcp'>;
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

/** One loaded sequence step: what it matches, the fields it joins the earlier steps on, and the steps its value must be new for. */
export interface SequenceStep {
  name: string;
  match: ValidateFunction;
  by: string[];
  /** Indexes of the steps (earlier ones or this one) whose event's history key must not know this event's history value. */
  unseen: number[];
}

/** A loaded rule: the definition with its schemas compiled and durations in milliseconds. */
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
    /** True when some step joins on fields of its own (`by`), not the sequence's. */
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
// Rule schemas are small and compiled on every run; ajv's optimizing pass costs more at load than it saves.
const matchAjv = createAjv({ allErrors: false, strictTypes: false, strictTuples: false, code: { optimize: false } });

async function listRuleFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError('rule folder or file not found', { where: path, hint: 'check the --rules path' });
  }
  if (info.isFile()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && ['.yaml', '.yml'].includes(extname(e.name))).map((e) => join(e.parentPath, e.name)).sort();
}

const KNOWN_TOP = new Set(EVENT_FIELDS.map((f) => f.split('.')[0]!).concat(['time', 'ref']));
const KNOWN_NESTED = new Set<string>(EVENT_FIELDS.filter((f) => f.includes('.')));

/** A property name the event does not have is almost always a typo that makes the rule never (or always) match. */
function checkFieldNames(schema: unknown, path: Array<string | number>, yaml: YamlFile, file: string, prefix = ''): void {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  const props = s.properties as Record<string, unknown> | undefined;
  if (props && typeof props === 'object') {
    for (const [name, sub] of Object.entries(props)) {
      const full = prefix ? `${prefix}.${name}` : name;
      const known = prefix ? KNOWN_NESTED.has(full) : KNOWN_TOP.has(name);
      if (!known) throw new UserError(`match names "${full}", which the event shape has not`, { where: `${file}:${yaml.lineOf([...path, 'properties', name])}`, hint: `use one of: ${EVENT_FIELDS.join(', ')}` });
      if (!prefix) checkFieldNames(sub, [...path, 'properties', name], yaml, file, name);
    }
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = s[key];
    if (Array.isArray(list)) list.forEach((sub, i) => checkFieldNames(sub, [...path, key, i], yaml, file, prefix));
  }
  if (s.not) checkFieldNames(s.not, [...path, 'not'], yaml, file, prefix);
}

function compileAt(schema: Record<string, unknown>, path: Array<string | number>, yaml: YamlFile, file: string): ValidateFunction {
  checkFieldNames(schema, path, yaml, file);
  // Rules run their patterns over log text an attacker chooses: one that can backtrack without bound is refused.
  assertLinearPatterns(schema, path, (at) => `${file}:${yaml.lineOf(at)}`);
  try {
    return matchAjv.compile(schema);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    throw new UserError(`invalid JSON Schema in ${path.join('.')}: ${message}`, { where: `${file}:${yaml.lineOf(path)}`, hint: 'write a valid draft 2020-12 JSON Schema over the event shape (docs/detect.md)' });
  }
}

/** Parses, validates and compiles one rule file; every error names file:line. */
export async function loadRuleFile(file: string): Promise<Rule> {
  const text = await readInputText(file, 'rule file', MAX_RULE_FILE_BYTES);
  const yaml = parseYamlText(text, file);
  if (yaml.value === null || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) {
    throw new UserError('not a detection rule: the top level must be a mapping', { where: `${file}:1`, hint: 'see schemas/detection.schema.json' });
  }
  ruleValidator ??= createAjv({ allErrors: false, strictTypes: false, validateSchema: false, code: { optimize: false } }).compile(loadSchema('detection.schema.json'));
  if (!ruleValidator(yaml.value)) {
    const error = mostSpecificError(ruleValidator.errors!);
    const oneOf = error.keyword === 'oneOf' || error.keyword === 'not';
    throw new UserError(`invalid detection rule: ${oneOf ? 'use at most one of threshold, firstSeen, sequence' : describeAjvError(error)}`, {
      where: `${file}:${yaml.lineOf(errorSegments(error))}`,
      hint: 'see schemas/detection.schema.json and docs/detect.md',
    });
  }
  const d = yaml.value as RuleDefinition;
  const expectedId = basename(file, extname(file));
  if (d.id !== expectedId) throw new UserError(`rule id "${d.id}" does not match its file name "${expectedId}"`, { where: `${file}:${yaml.lineOf(['id'])}`, hint: `rename the file to ${d.id}.yaml or change the id` });
  if (!d.tests.some((t) => t.expect > 0) || !d.tests.some((t) => t.expect === 0)) {
    throw new UserError('a rule needs a test that expects a finding and one that expects none', { where: `${file}:${yaml.lineOf(['tests'])}`, hint: 'add the missing test case' });
  }
  const rule: Rule = { definition: d, id: d.id, file, line: yaml.lineOf(['id']), match: compileAt(d.match, ['match'], yaml, file), dedupe: parseDuration(d.dedupe ?? '1h') };
  if (d.threshold) rule.threshold = { ...d.threshold, window: parseDuration(d.threshold.window) };
  if (d.firstSeen) {
    const f = d.firstSeen;
    if (!f.value && f.newKey === 'learn') throw new UserError('firstSeen without value must alert on a new key', { where: `${file}:${yaml.lineOf(['firstSeen', 'newKey'])}`, hint: 'set newKey: alert, or add value' });
    rule.firstSeen = {
      key: f.key,
      value: f.value ?? [],
      lookback: parseDuration(f.lookback),
      warmup: parseDuration(f.warmup ?? '24h'),
      newKey: f.newKey ?? (f.value ? 'learn' : 'alert'),
      ...(f.alertWhen ? { alertWhen: compileAt(f.alertWhen, ['firstSeen', 'alertWhen'], yaml, file) } : {}),
      each: f.each ?? false,
      ...(f.knownAtMost !== undefined ? { knownAtMost: f.knownAtMost } : {}),
    };
    if ((f.each || f.knownAtMost !== undefined) && !f.value) throw new UserError('firstSeen each and knownAtMost need value fields', { where: `${file}:${yaml.lineOf(['firstSeen', f.each ? 'each' : 'knownAtMost'])}`, hint: 'add value, or drop the option' });
    if (rule.firstSeen.warmup > rule.firstSeen.lookback) throw new UserError('firstSeen warmup is longer than its lookback', { where: `${file}:${yaml.lineOf(['firstSeen', 'warmup'])}`, hint: 'shorten warmup or lengthen lookback' });
  }
  if (d.sequence) rule.sequence = loadSequence(d.sequence, yaml, file);
  return rule;
}

/** Compiles a sequence; a join on a different number of fields, or an `unseen` naming no earlier step, names file:line. */
function loadSequence(d: NonNullable<RuleDefinition['sequence']>, yaml: YamlFile, file: string): NonNullable<Rule['sequence']> {
  const steps = d.steps.map((s, i): SequenceStep => {
    const at = (...path: Array<string | number>) => `${file}:${yaml.lineOf(['sequence', 'steps', i, ...path])}`;
    const by = s.by ?? d.by;
    if (by.length !== d.by.length) throw new UserError(`step "${s.name}" joins on ${by.length} field(s), the sequence on ${d.by.length}`, { where: at('by'), hint: 'a step\'s by pairs its fields one by one with the sequence\'s by: give as many' });
    const unseen = (s.unseen ?? []).map((name, j) => {
      const found = d.steps.slice(0, i + 1).flatMap((x, k) => (x.name === name ? [k] : []));
      if (found.length !== 1) throw new UserError(`unseen names "${name}", which is ${found.length === 0 ? 'not this or an earlier step' : 'the name of several steps'}`, { where: at('unseen', j), hint: 'name this step or an earlier one, by its unique name' });
      return found[0]!;
    });
    if (unseen.length > 0 && !d.history) throw new UserError('unseen needs the sequence\'s history (what is learnt)', { where: at('unseen'), hint: 'add sequence.history: { key, value, lookback }' });
    return { name: s.name, match: compileAt(s.match, ['sequence', 'steps', i, 'match'], yaml, file), by, unseen };
  });
  return {
    window: parseDuration(d.window),
    by: d.by,
    ...(d.history ? { history: { key: d.history.key, value: d.history.value, lookback: parseDuration(d.history.lookback) } } : {}),
    steps,
    joined: d.steps.some((s) => s.by !== undefined && s.by.join('\u0000') !== d.by.join('\u0000')),
  };
}

/** Loads the built-in rules and/or the named files and folders; duplicate ids are an error. */
export async function loadRules(options: { paths?: string[]; builtIn?: boolean } = {}): Promise<Rule[]> {
  const files: string[] = [];
  if (options.builtIn !== false) files.push(...(await listRuleFiles(BUILTIN_RULE_DIR)));
  for (const path of options.paths ?? []) {
    const found = await listRuleFiles(path);
    if (found.length === 0) throw new UserError('no rule files (*.yaml) found', { where: path, hint: 'name a folder of detection rules or a rule file' });
    files.push(...found);
  }
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const rule = await loadRuleFile(file);
    const other = seen.get(rule.id);
    if (other) throw new UserError(`rule id "${rule.id}" is defined twice (also in ${other})`, { where: `${file}:${rule.line}`, hint: 'rename one of them' });
    seen.set(rule.id, file);
    rules.push(rule);
  }
  return rules;
}

export function selectRules(rules: Rule[], ids: string[]): Rule[] {
  if (ids.length === 0) return rules;
  for (const id of ids) if (!rules.some((r) => r.id === id)) throw new UserError(`unknown rule id "${id}"`, { where: '--rule', hint: 'list them with `cloudward detect --list-rules`' });
  return rules.filter((r) => ids.includes(r.id));
}
