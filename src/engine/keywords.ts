import { _, str } from 'ajv/dist/2020.js';
import type { CodeKeywordDefinition, KeywordCxt } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';

const DAY_MS = 86_400_000;

/**
 * What a compiled check schema is called with (`validate.call(time, resource)`; the ajv instances use `passContext`):
 * the reference time age keywords measure against, in epoch milliseconds. It is the collectedAt of the source the
 * resource came from, never the wall clock, so an old snapshot audits the same way forever. The engine keeps no
 * clock of its own: each call carries its time.
 */
export interface EvaluationTime {
  now: number;
  /**
   * The values of the check's parameters (see parameters.ts), each a set of lower-cased names: bound to the check when
   * it loads, never part of the shared per-source time.
   */
  parameters?: Readonly<Record<string, ReadonlySet<string>>>;
}

/** Whether a date-time string's age in days, measured at `time`, compares as the keyword says with `limit`. */
type AgeTest = (time: EvaluationTime | undefined, limit: number, data: string) => boolean;

function ageTest(holds: (age: number, limit: number) => boolean): AgeTest {
  // Without a time (a schema called directly, not by the evaluator) no age is known, and the keyword does not hold.
  return (time, limit, data) => {
    const now = time?.now;
    const at = Date.parse(data);
    if (typeof now !== 'number' || !Number.isFinite(now) || Number.isNaN(at)) return false;
    return holds((now - at) / DAY_MS, limit);
  };
}

/**
 * The age keywords' tests, by keyword: what compiled code calls. Code made ahead of time (the build's cache of the
 * built-in checks) reaches them as `require("cloudward:keywords")`; see precompiled.ts.
 */
export const AGE_TESTS: Record<string, AgeTest> = {
  maxAgeDays: ageTest((age, limit) => age <= limit),
  minAgeDays: ageTest((age, limit) => age >= limit),
};
export const AGE_TESTS_MODULE = 'cloudward:keywords';

/**
 * A keyword that holds when a date-time string's age in days compares as its test says with the schema's number.
 * Generated as a call of the test with the caller's EvaluationTime (`this`), so that the code can be kept and loaded
 * without ajv. Its error carries the limit (`params.limit`), which evidence states (`must be at most 90 days old`).
 */
function ageKeyword(keyword: string): CodeKeywordDefinition {
  const bound = keyword === 'maxAgeDays' ? 'at most' : 'at least';
  return {
    keyword,
    type: 'string',
    schemaType: 'number',
    error: {
      message: ({ schemaCode }) => str`must be ${bound} ${schemaCode} days old`,
      params: ({ schemaCode }) => _`{limit: ${schemaCode}}`,
    },
    code(cxt: KeywordCxt) {
      const test = cxt.gen.scopeValue('func', {
        ref: AGE_TESTS[keyword],
        code: _`require(${AGE_TESTS_MODULE})[${keyword}]`,
      });
      cxt.fail(_`!${test}(this, ${cxt.schemaCode}, ${cxt.data})`);
    },
  };
}

/**
 * `maxAgeDays: N`: a date-time string is at most N days older than the reference time.
 * `minAgeDays: N`: it is at least N days old. Both ignore non-strings (let `type` speak for those).
 */
export function addAgeKeywords(ajv: Ajv2020): void {
  ajv.addKeyword(ageKeyword('maxAgeDays'));
  ajv.addKeyword(ageKeyword('minAgeDays'));
}

/**
 * Whether a resource is one a list parameter names: by its uid or nativeId, or by its name when it is a user (a user
 * principal name, an email or an IAM user name is unique in its directory; a service principal's or group's display
 * name is not, and anyone who can create one could borrow an administrator's). Case-insensitive.
 */
function namedIn(context: EvaluationTime | undefined, parameter: string, data: unknown): boolean {
  const names = context?.parameters?.[parameter];
  if (!names || names.size === 0 || data === null || typeof data !== 'object') return false;
  const resource = data as Record<string, unknown>;
  const has = (value: unknown) => typeof value === 'string' && names.has(value.toLowerCase());
  return has(resource.uid) || has(resource.nativeId) || (resource.kind === 'user' && has(resource.name));
}

/** The parameter keywords' tests, as compiled code reaches them (`require("cloudward:parameters")`). */
export const PARAMETER_TESTS = { namedIn };
export const PARAMETER_TESTS_MODULE = 'cloudward:parameters';

/**
 * `namedIn: P`: the resource is one the check's list parameter P names (see namedIn). Generated as a call with the
 * caller's context (`this`), which carries the parameter values the check was loaded with.
 */
export function addParameterKeywords(ajv: Ajv2020): void {
  ajv.addKeyword({
    keyword: 'namedIn',
    type: 'object',
    schemaType: 'string',
    error: { message: ({ schemaCode }) => str`must be one of the ${schemaCode} named in the check's parameter` },
    code(cxt: KeywordCxt) {
      const test = cxt.gen.scopeValue('func', { ref: namedIn, code: _`require(${PARAMETER_TESTS_MODULE}).namedIn` });
      cxt.fail(_`!${test}(this, ${cxt.schemaCode}, ${cxt.data})`);
    },
  });
}
