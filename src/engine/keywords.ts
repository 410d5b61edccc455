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
      const test = cxt.gen.scopeValue('func', { ref: AGE_TESTS[keyword], code: _`require(${AGE_TESTS_MODULE})[${keyword}]` });
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
