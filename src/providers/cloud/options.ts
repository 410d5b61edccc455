/**
 * Adapter options as schemas, validated when the command starts (before any call), as Spectral validates rule
 * options: each declared option's JSON Schema is checked against the value commander parsed, coerced to the
 * schema's type; a bad value is a UserError naming the flag (exit 2).
 */
import type { ValidateFunction } from 'ajv';
import { UserError } from '../../errors.js';
import { createAjv } from '../../util/ajv.js';
import type { ProviderOption } from '../types.js';

/** commander's attribute name of a flag: `--endpoint-url <url>` -> `endpointUrl`, `--no-color` -> `color`. */
export function optionKey(flags: string): string {
  const long = /--([A-Za-z0-9-]+)/.exec(flags)?.[1] ?? flags;
  return long.replace(/^no-/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The long flag of an option, for messages: `--endpoint-url`. */
export function optionFlag(flags: string): string {
  return /--[A-Za-z0-9-]+/.exec(flags)?.[0] ?? flags;
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

/**
 * A whole-number setting from a flag, config key or variable: `fallback` when absent; written in decimal digits only
 * (`0x4`, `1e1`, `4.0` and ` 4` are refused), from `min` to `max`. A bad value is a UserError naming the flag.
 */
export function wholeNumber(value: unknown, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : WHOLE.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${flag} must be a whole number from ${min} to ${max}, not "${String(value)}"`, {
      where: flag,
    });
  return n;
}

const compiled = new WeakMap<ProviderOption, ValidateFunction>();
let ajv: ReturnType<typeof createAjv> | undefined;

function validatorOf(option: ProviderOption): ValidateFunction | undefined {
  if (!option.schema) return undefined;
  let validate = compiled.get(option);
  if (!validate) {
    ajv ??= createAjv({ coerceTypes: true, allErrors: false });
    validate = ajv.compile({ type: 'object', properties: { value: option.schema } });
    compiled.set(option, validate);
  }
  return validate;
}

function describe(schema: Record<string, unknown>): string {
  const parts: string[] = [];
  if (schema.type === 'integer') parts.push('a whole number');
  else if (schema.type === 'number') parts.push('a number');
  if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number')
    parts.push(`from ${schema.minimum} to ${schema.maximum}`);
  else if (typeof schema.minimum === 'number') parts.push(`of ${schema.minimum} or more`);
  else if (typeof schema.maximum === 'number') parts.push(`of at most ${schema.maximum}`);
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.join(', ')}`);
  if (schema.format === 'uri') parts.push('a URL');
  if (typeof schema.description === 'string') parts.push(schema.description);
  return parts.join(' ') || 'valid';
}

/**
 * Checks every declared option present in `values` against its schema and returns them, coerced (the number 8 for
 * "8"). Only declared options are returned: the command's own flags (--output, --quiet, --collected-at, ...) reach an
 * adapter through their own fields of its context, never among its options.
 */
export function validateOptions(
  declared: readonly ProviderOption[],
  values: Record<string, unknown>,
  run: OptionRun = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const given = { ...values };
  for (const option of declared) {
    if (!option.deprecated) continue;
    const key = optionKey(option.flags);
    if (given[key] === undefined) continue;
    const flag = optionFlag(option.flags);
    const current = optionFlag(option.deprecated.use);
    const currentKey = optionKey(option.deprecated.use);
    if (run.given?.(currentKey))
      throw new UserError(`${flag} and ${current} set the same thing`, {
        where: flag,
        hint: `give ${current} only (${flag} is deprecated)`,
      });
    given[currentKey] = String(option.deprecated.value(checked(option, given[key])));
    run.warn?.(`cloudward: ${flag} is deprecated and will be removed: use ${current} ${String(given[currentKey])}`);
  }
  for (const option of declared) {
    const key = optionKey(option.flags);
    if (option.deprecated || given[key] === undefined) continue;
    out[key] = checked(option, given[key]);
  }
  return out;
}

/** How a command runs validateOptions: where deprecation warnings go, and which options the user set (not defaults). */
export interface OptionRun {
  warn?: (line: string) => void;
  given?: (key: string) => boolean;
}

/** An option's value checked against its schema and coerced; a bad value is a UserError naming the flag. */
function checked(option: ProviderOption, value: unknown): unknown {
  const validate = validatorOf(option);
  if (!validate) return value;
  const holder = { value };
  // ajv coerces any string JavaScript reads as a number ("0x4", "1e1", " 8"); a flag takes decimal only.
  const decimalOnly =
    (option.schema?.type === 'integer' || option.schema?.type === 'number') &&
    typeof holder.value === 'string' &&
    !DECIMAL.test(holder.value);
  if (decimalOnly || !validate(holder)) {
    const flag = optionFlag(option.flags);
    throw new UserError(`${flag} must be ${describe(option.schema!)}, not "${String(value)}"`, {
      where: flag,
      ...(option.hint ? { hint: option.hint } : {}),
    });
  }
  return holder.value;
}
