import { basename, extname, relative } from 'node:path';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, errorSegments, loadSchema, mostSpecificError } from '../util/ajv.js';
import { listYamlFiles, readInputText } from '../util/files.js';
import { packagePath } from '../util/paths.js';
import { pointerSegments, valueAt } from '../util/json-pointer.js';
import { parseYamlText, type YamlFile } from '../util/yaml.js';
import { cacheEntry, cacheKey, cacheStamp, cachedCheck, type PolicyCache } from './policy-cache.js';
import { _ } from 'ajv/dist/2020.js';
import { fullFormats } from '../snapshot/date-time.js';
import { loadValidator, validatorSource, type CodeModules } from '../util/precompiled.js';
import { assertLinearPatterns } from '../util/regex-safety.js';
import {
  addAgeKeywords,
  addParameterKeywords,
  AGE_TESTS,
  AGE_TESTS_MODULE,
  PARAMETER_TESTS,
  PARAMETER_TESTS_MODULE,
} from './keywords.js';
import { assertDeclaredParameters, bindParameters } from './parameters.js';
import type { Check, CheckDefinition } from './types.js';

/** Check files are small; a larger one is almost certainly not a check. */
const MAX_CHECK_FILE_BYTES = 1024 * 1024;

/** The checks that ship with cloudward. */
export const BUILTIN_POLICY_DIR = packagePath('policies');

/** The two ajv instances check schemas compile with: `where` stops at the first error, `require` collects all. */
interface Compilers {
  where: Ajv2020;
  require: Ajv2020;
}

let compilers: Compilers | undefined;
let trustedCompilers: Compilers | undefined;
let policyValidator: ValidateFunction | undefined;

/** Where compiled check code finds cloudward's formats and keywords (see precompiled.ts). */
const FORMATS_MODULE = 'cloudward:formats';
const CHECK_CODE_MODULES: CodeModules = {
  [FORMATS_MODULE]: fullFormats,
  [AGE_TESTS_MODULE]: AGE_TESTS,
  [PARAMETER_TESTS_MODULE]: PARAMETER_TESTS,
};

function makeCompilers(validateSchema: boolean, source = false): Compilers {
  // Check schemas are small and each runs over many resources once; ajv's optimizing pass over their generated code
  // cost more at load (~40% of compile time) than it saved during evaluation. `passContext`: the evaluator calls
  // each schema with the resource's reference time as `this` (see keywords.ts).
  const code = { optimize: false, source, formats: _`require(${FORMATS_MODULE})` };
  const options = { strictTypes: false, strictTuples: false, passContext: true, code, validateSchema } as const;
  const where = createAjv({ ...options, allErrors: false });
  const require = createAjv({ ...options, allErrors: true });
  addAgeKeywords(where);
  addAgeKeywords(require);
  addParameterKeywords(where);
  addParameterKeywords(require);
  return { where, require };
}

/**
 * The compilers of check schemas. `trusted`: for the built-in checks' cached schemas, which compiled, meta-schema
 * validation included, when the cache was built; validating them again compiled the draft 2020-12 meta-schema in
 * both instances on every run (~0.2 s). Strict mode still applies. Every other schema is validated as written.
 */
function getCompilers(trusted = false): Compilers {
  if (trusted) return (trustedCompilers ??= makeCompilers(false));
  return (compilers ??= makeCompilers(true));
}

/** Validates a check file's content against policy.schema.json (compiled only when a file is not in the cache). */
function getPolicyValidator(): ValidateFunction {
  // policy.schema.json ships with cloudward and the tests check it against the meta-schema; validating it here
  // again compiled the draft 2020-12 meta-schema once more per run (~60 ms). Checks' own schemas still are.
  policyValidator ??= createAjv({ allErrors: false, strictTypes: false, validateSchema: false }).compile(
    loadSchema('policy.schema.json'),
  );
  return policyValidator;
}

const listPolicyFiles = (path: string): Promise<string[]> =>
  listYamlFiles(path, { message: 'policy folder not found', hint: 'check the --policies path' });

function compileSchema(
  ajv: Ajv2020,
  schema: Record<string, unknown>,
  yaml: YamlFile | undefined,
  file: string,
  at: Array<string | number>,
): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    const message = (error as Error).message
      .replace(/^schema is invalid: /, '')
      .split('\n')[0]!
      .split(/, (?=data\/)/)[0]!;
    // ajv names the offending spot as `data/properties/x/...`; strict-mode errors only name the keyword.
    const pointer = /data(\/[^\s:]*)/.exec(message)?.[1];
    const keyword = /unknown keyword: "([^"]+)"/.exec(message)?.[1];
    const segments =
      pointer !== undefined
        ? [...at, ...pointerSegments(pointer)]
        : keyword && yaml
          ? (findKey(valueAt(yaml.value, at), keyword, at) ?? at)
          : at;
    throw new UserError(`invalid JSON Schema in ${at.join('.')}: ${message}`, {
      where: yaml ? `${file}:${yaml.lineOf(segments)}` : file,
      hint: 'write a valid draft 2020-12 JSON Schema (custom keywords: maxAgeDays, minAgeDays, namedIn)',
    });
  }
}

/** The path of the first key named `key` inside `value` (depth first), for pointing at a strict-mode error. */
function findKey(value: unknown, key: string, path: Array<string | number>): Array<string | number> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = [...path, Array.isArray(value) ? Number(k) : k];
    if (k === key && !Array.isArray(value)) return here;
    const found = findKey(v, key, here);
    if (found) return found;
  }
  return undefined;
}

/** JSON pointers of the data `require` reads: the chains of nested `properties` from its root. */
function derivePropertyPaths(schema: unknown, prefix: string[] = []): string[][] {
  if (!schema || typeof schema !== 'object') return [];
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  if (!properties) return prefix.length > 0 ? [prefix] : [];
  const paths: string[][] = [];
  for (const [key, sub] of Object.entries(properties)) paths.push(...derivePropertyPaths(sub, [...prefix, key]));
  return paths;
}

/** Values a `where` pins `properties.provider` to, so evaluation only visits that provider's resources. */
function pinnedProviders(where: Record<string, unknown> | undefined): string[] | undefined {
  const provider = (where?.properties as Record<string, { const?: unknown; enum?: unknown[] }> | undefined)?.provider;
  if (provider?.const !== undefined) return [String(provider.const)];
  if (Array.isArray(provider?.enum)) return provider.enum.map(String);
  return undefined;
}

/**
 * String values a `where` pins `properties.kind` to, so evaluation can pass over resources of another kind without
 * running it (such a resource would fail that `const` or `enum`); undefined when it pins none, or not to strings only.
 */
function pinnedKinds(where: Record<string, unknown> | undefined): string[] | undefined {
  const kind = (where?.properties as Record<string, { const?: unknown; enum?: unknown[] }> | undefined)?.kind;
  const values = kind?.const !== undefined ? [kind.const] : Array.isArray(kind?.enum) ? kind.enum : undefined;
  return values?.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A check file parsed and validated against the policy schema, not yet compiled: plain data, so it can be cached. */
interface ParsedCheck {
  /** 1-based line of `id`. */
  line: number;
  definition: CheckDefinition;
}

/** Parses a check file's text and validates it against the policy schema, its file name and its placeholders. */
export function parseCheckText(text: string, file: string): { parsed: ParsedCheck; yaml: YamlFile } {
  const yaml = parseYamlText(text, file);
  const value = yaml.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError('not a check: the top level must be a mapping', {
      where: `${file}:1`,
      hint: 'see schemas/policy.schema.json',
    });
  }
  const policy = getPolicyValidator();
  if (!policy(value)) {
    const error = mostSpecificError(policy.errors ?? []);
    throw new UserError(`invalid check: ${describeAjvError(error)}`, {
      where: `${file}:${yaml.lineOf(errorSegments(error))}`,
      hint: 'see schemas/policy.schema.json',
    });
  }
  const definition = value as CheckDefinition;
  const expectedId = basename(file, extname(file));
  if (definition.id !== expectedId) {
    throw new UserError(`check id "${definition.id}" does not match its file name "${expectedId}"`, {
      where: `${file}:${yaml.lineOf(['id'])}`,
      hint: `rename the file to ${definition.id}${extname(file)} or change the id`,
    });
  }
  for (const match of definition.message.matchAll(PLACEHOLDER)) {
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\|[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)*$/.test(match[1] ?? '')) {
      throw new UserError(`bad placeholder {${match[1]}} in message`, {
        where: `${file}:${yaml.lineOf(['message'])}`,
        hint: 'use {dotted.path} into the resource, e.g. {scope.id}, or {first.path|fallback.path}',
      });
    }
  }
  for (const [topic, effect] of Object.entries(definition.gapEffect ?? {})) {
    if (!(definition.needs ?? []).includes(topic)) {
      throw new UserError(`gapEffect names "${topic}", which is not among the check's needs`, {
        where: `${file}:${yaml.lineOf(['gapEffect', topic])}`,
        hint: `add "${topic}" to needs, or remove it from gapEffect`,
      });
    }
    if (effect === 'undercount' && definition.aggregate === undefined) {
      throw new UserError(`gapEffect "undercount" for "${topic}" needs an aggregate to count`, {
        where: `${file}:${yaml.lineOf(['gapEffect', topic])}`,
        hint: 'use fail-stands, pass-stands, none or unknown for a check without aggregate',
      });
    }
  }
  assertDeclaredParameters(definition, (at) => `${file}:${yaml.lineOf(at)}`);
  // Checks run their patterns over names and ids from the tenant: one that can backtrack without bound is refused.
  assertLinearPatterns(definition, [], (at) => `${file}:${yaml.lineOf(at)}`);
  return { parsed: { line: yaml.lineOf(['id']), definition }, yaml };
}

/** How a check's schemas become validators: `where` and `require` are each schema's kind, `at` its place in the file. */
type MakeValidator = (
  kind: 'where' | 'require',
  schema: Record<string, unknown>,
  at: Array<string | number>,
) => ValidateFunction;

/** Compiles a parsed check's schemas; `yaml` (when at hand) lets a schema error name its line. */
function compileCheck(
  file: string,
  parsed: ParsedCheck,
  yaml?: YamlFile,
  compilers: Compilers = getCompilers(),
): Check {
  return makeCheck(file, parsed, (kind, schema, at) => compileSchema(compilers[kind], schema, yaml, file, at));
}

/** A parsed check with its validators, as `make` gives them, and what evaluation derives from it. */
function makeCheck(file: string, { line, definition }: ParsedCheck, make: MakeValidator): Check {
  const providers = pinnedProviders(definition.where);
  const kinds = pinnedKinds(definition.where);
  return bindParameters({
    ...definition,
    file,
    line,
    matches: make('where', definition.where ?? {}, ['where']),
    requires: make('require', definition.require, ['require']),
    aggregates: Object.entries(definition.aggregate ?? {}).map(([name, spec]) => ({
      name,
      resource: spec.resource,
      matches: make('where', spec.where ?? {}, ['aggregate', name, 'where']),
      providers: pinnedProviders(spec.where),
    })),
    evidencePaths: definition.evidence
      ? definition.evidence.map((p) => pointerSegments(p).map(String))
      : definition.resource === 'scopes'
        ? Object.keys(definition.aggregate ?? {}).map((name) => [name])
        : derivePropertyPaths(definition.require),
    ...(providers ? { providers } : {}),
    ...(kinds ? { kinds } : {}),
  });
}

/** A cached check with the validators kept as code at build time, in the order makeCheck asks for them. */
function precompiledCheck(file: string, parsed: ParsedCheck, code: string[]): Check {
  let next = 0;
  const check = makeCheck(file, parsed, () => {
    const source = code[next++];
    if (source === undefined) throw new Error('kept code for fewer schemas than the check has');
    return loadValidator(source, CHECK_CODE_MODULES);
  });
  if (next !== code.length) throw new Error('kept code for more schemas than the check has');
  return check;
}

/**
 * A check may only `need` gap topics some registered provider adapter declares (the vocabulary lives with the
 * adapters; the registry is imported on first use so that a provider module problem is reported as a load error).
 */
async function assertKnownTopics(check: Check, text: string): Promise<Check> {
  if (!check.needs || check.needs.length === 0) return check;
  const topics = (await import('../providers/index.js')).declaredGapTopics();
  const index = check.needs.findIndex((topic) => !topics.has(topic));
  if (index < 0) return check;
  const topic = check.needs[index]!;
  const prefix = `${topic.split('.')[0]}.`;
  const near = [...topics.keys()].filter((t) => t.startsWith(prefix)).sort();
  throw new UserError(`needs "${topic}", a gap topic no provider adapter declares`, {
    where: `${check.file}:${parseYamlText(text, check.file).lineOf(['needs', index])}`,
    hint:
      near.length > 0
        ? `use one of: ${near.join(', ')}`
        : "declare the topic in the adapter's gapTopics (see docs/providers/adding.md)",
  });
}

/**
 * The checks this process has loaded, by file, with the text each was loaded from: a process that loads the checks
 * again (a service, the test suite) gets the same frozen check for the same text instead of compiling it again. The
 * text decides, so an edited file is loaded afresh.
 */
const loaded = new Map<string, { text: string; check: Promise<Check> }>();

/** Parses, validates and compiles one check file (a built-in one from the build's cache when its text is unchanged). */
export async function loadCheckFile(file: string): Promise<Check> {
  const text = await readInputText(file, 'check file', MAX_CHECK_FILE_BYTES);
  const known = loaded.get(file);
  if (known?.text === text) return known.check;
  const check = compileCheckFile(file, text).then((c) => Object.freeze(c));
  loaded.set(file, { text, check });
  // A file that does not load is not kept: loading it again reports the problem again.
  check.catch(() => {
    if (loaded.get(file)?.check === check) loaded.delete(file);
  });
  return check;
}

async function compileCheckFile(file: string, text: string): Promise<Check> {
  const cached = cachedCheck(file, text);
  if (cached) {
    let check: Check | undefined;
    try {
      check = cached.code ? precompiledCheck(file, cached, cached.code) : undefined;
    } catch {
      // Kept code that does not load: compile the schemas instead.
    }
    try {
      check ??= compileCheck(file, cached, undefined, getCompilers(true));
    } catch {
      // A schema error: parse the file below, so the error can name its line.
    }
    if (check) return assertKnownTopics(check, text);
  }
  const { parsed, yaml } = parseCheckText(text, file);
  return assertKnownTopics(compileCheck(file, parsed, yaml), text);
}

interface LoadChecksOptions {
  /** Extra policy folders or files (`--policies`). */
  paths?: string[];
  /** Load the built-in policies/ folder too (default true). */
  builtIn?: boolean;
}

/** Loads every check; duplicate ids across files are an error naming both files. */
export async function loadChecks(options: LoadChecksOptions = {}): Promise<Check[]> {
  const roots = [...(options.builtIn === false ? [] : [BUILTIN_POLICY_DIR]), ...(options.paths ?? [])];
  const checks: Check[] = [];
  const seen = new Map<string, string>();
  for (const root of roots) {
    for (const file of await listPolicyFiles(root)) {
      const check = await loadCheckFile(file);
      const earlier = seen.get(check.id);
      if (earlier !== undefined) {
        throw new UserError(`duplicate check id "${check.id}" (also defined in ${displayPath(earlier)})`, {
          where: `${displayPath(file)}:${check.line}`,
          hint: 'check ids are unique and stable; rename one of them',
        });
      }
      seen.set(check.id, file);
      checks.push(check);
    }
  }
  return checks;
}

/**
 * The cache of the built-in checks (see policy-cache.ts), made from the files as they are now. A file that does not
 * load is left out, so that loading it at run time reports the problem as usual.
 */
export async function buildPolicyCache(): Promise<PolicyCache> {
  const files: PolicyCache['files'] = {};
  const sourceCompilers = makeCompilers(true, true);
  for (const file of await listPolicyFiles(BUILTIN_POLICY_DIR)) {
    const key = cacheKey(file);
    if (key === undefined) continue;
    try {
      const text = await readInputText(file, 'check file', MAX_CHECK_FILE_BYTES);
      const { parsed, yaml } = parseCheckText(text, file);
      // Compiled with the schemas validated, and each validator kept as code, in the order makeCheck makes them.
      const code: string[] = [];
      makeCheck(file, parsed, (kind, schema, at) => {
        const validate = compileSchema(sourceCompilers[kind], schema, yaml, file, at);
        code.push(validatorSource(sourceCompilers[kind], validate));
        return validate;
      });
      files[key] = cacheEntry(text, parsed.line, parsed.definition, code);
    } catch {
      // Not cached: loading it reports why.
    }
  }
  return { ...cacheStamp(), files };
}

/** A path relative to the working directory when that is shorter, for messages. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

/** Keeps the checks named (by id) or all when none are named; an unknown id is an error. */
export function selectChecks(checks: Check[], only: string[] = [], skip: string[] = []): Check[] {
  const ids = new Set(checks.map((c) => c.id));
  for (const id of [...only, ...skip]) {
    if (!ids.has(id)) {
      const near = [...ids].filter((known) => known.includes(id) || id.includes(known)).slice(0, 3);
      throw new UserError(`unknown check id "${id}"`, {
        hint: near.length > 0 ? `did you mean ${near.join(', ')}?` : 'run `cloudward checks list` to see the ids',
      });
    }
  }
  return checks.filter((c) => (only.length === 0 || only.includes(c.id)) && !skip.includes(c.id));
}
