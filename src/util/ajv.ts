import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import { pointerSegments } from './json-pointer.js';
import { packagePath } from './paths.js';

// ajv-formats ships CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv2020, formats: string[]) => Ajv2020 }).default;

/** A draft 2020-12 validator with formats; `strict` so typos in user-written schemas are errors, not no-ops. */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false, allowUnionTypes: true, ...options });
  addFormats(ajv, ['date-time', 'date', 'uri', 'email', 'regex']);
  return ajv;
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(packagePath('schemas', name), 'utf8')) as Record<string, unknown>;
}

/** One readable sentence for an ajv error: `/principals/3/mfa/state: must be one of enabled, disabled, unknown`. */
export function describeAjvError(error: ErrorObject): string {
  const at = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  // A key that breaks `propertyNames`: name it, since the pointer stops at the object that holds it.
  if (error.propertyName !== undefined)
    return `${at}: key ${JSON.stringify(error.propertyName)} ${error.message ?? 'is not allowed'}`;
  switch (error.keyword) {
    case 'enum':
      return `${at}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at}: must be ${JSON.stringify(params.allowedValue)}`;
    case 'additionalProperties':
      return `${at}: unknown field "${String(params.additionalProperty)}"`;
    case 'required':
      return `${at}: missing required field "${String(params.missingProperty)}"`;
    case 'type':
      return `${at}: must be ${String(params.type)}`;
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}

/** Picks the most useful of ajv's errors: the deepest one, since `if/then` and `anyOf` wrappers say less. */
export function mostSpecificError(errors: ErrorObject[]): ErrorObject {
  return errors.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), errors[0]!);
}

/** The path segments an error points at; for an unknown field, the field itself (so its line can be named). */
export function errorSegments(error: ErrorObject): Array<string | number> {
  const segments = pointerSegments(error.instancePath);
  if (error.keyword === 'additionalProperties')
    segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return segments;
}
