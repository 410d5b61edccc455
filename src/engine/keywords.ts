import type { FuncKeywordDefinition } from 'ajv';
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

/** A keyword that holds when a date-time string's age in days compares as `holds` says with the schema's number. */
function ageKeyword(keyword: string, holds: (age: number, limit: number) => boolean): FuncKeywordDefinition {
  return {
    keyword,
    type: 'string',
    schemaType: 'number',
    errors: false,
    // A function, not an arrow: ajv passes the caller's EvaluationTime as `this`. Without one (a schema called
    // directly) no age is known, and the keyword does not hold.
    validate: function (this: EvaluationTime | undefined, limit: number, data: string): boolean {
      const now = this?.now;
      const at = Date.parse(data);
      if (typeof now !== 'number' || !Number.isFinite(now) || Number.isNaN(at)) return false;
      return holds((now - at) / DAY_MS, limit);
    },
  };
}

/**
 * `maxAgeDays: N`: a date-time string is at most N days older than the reference time.
 * `minAgeDays: N`: it is at least N days old. Both ignore non-strings (let `type` speak for those).
 */
export function addAgeKeywords(ajv: Ajv2020): void {
  ajv.addKeyword(ageKeyword('maxAgeDays', (age, limit) => age <= limit));
  ajv.addKeyword(ageKeyword('minAgeDays', (age, limit) => age >= limit));
}
