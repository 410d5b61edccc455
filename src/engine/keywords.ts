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

/**
 * `maxAgeDays: N`: a date-time string is at most N days older than the reference time.
 * `minAgeDays: N`: it is at least N days old. Both ignore non-strings (let `type` speak for those).
 */
export function addAgeKeywords(ajv: Ajv2020): void {
  ajv.addKeyword({
    keyword: 'maxAgeDays',
    type: 'string',
    schemaType: 'number',
    errors: false,
    validate: (limit: number, data: string) => {
      const age = ageDays(data);
      return age !== undefined && age <= limit;
    },
  });
  ajv.addKeyword({
    keyword: 'minAgeDays',
    type: 'string',
    schemaType: 'number',
    errors: false,
    validate: (limit: number, data: string) => {
      const age = ageDays(data);
      return age !== undefined && age >= limit;
    },
  });
}
