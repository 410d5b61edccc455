import type { FuncKeywordDefinition } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';

const DAY_MS = 86_400_000;

/**
 * The reference time that age keywords measure against: the collectedAt of the source the resource came from,
 * set by the evaluator before each validation. Never the wall clock, so an old snapshot audits the same way forever.
 */
export const evaluationClock = { now: Number.NaN };

function ageDays(value: string): number | undefined {
  const at = Date.parse(value);
  if (Number.isNaN(at) || Number.isNaN(evaluationClock.now)) return undefined;
  return (evaluationClock.now - at) / DAY_MS;
}

/** A keyword that holds when a date-time string's age in days compares as `holds` says with the schema's number. */
function ageKeyword(keyword: string, holds: (age: number, limit: number) => boolean): FuncKeywordDefinition {
  return {
    keyword,
    type: 'string',
    schemaType: 'number',
    errors: false,
    validate: (limit: number, data: string) => {
      const age = ageDays(data);
      return age !== undefined && holds(age, limit);
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
