/**
 * The shape of each raw export document, checked once where it is recognised, so a normalizer never meets a field of
 * the wrong type (a string where a list belongs, a number where an object does). Each provider declares, per document
 * kind, the fields its normalizer reads, in the types its documents.ts gives them; a document that breaks its shape
 * is refused with one line naming the file and the JSON pointer of the first field that does.
 *
 * Shapes are loose on purpose: fields not declared are free (exports differ by CLI version), every declared field is
 * optional, and null stands for a missing field (the Azure CLI prints absent values as null). Only items of a list
 * must be of the declared type.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { UserError } from '../../errors.js';
import { createAjv, describeAjvError, mostSpecificError } from '../../util/ajv.js';

/** A field's type: a scalar, a list of items of one shape, an object with declared fields, or anything. */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'object'
  | 'any'
  | readonly [Shape]
  | { readonly [field: string]: Shape };

type Schema = Record<string, unknown>;

function toSchema(shape: Shape, nullable: boolean): Schema {
  const types = (type: string): Schema => ({ type: nullable ? [type, 'null'] : type });
  if (shape === 'any') return {};
  if (typeof shape === 'string') return types(shape);
  if (Array.isArray(shape)) return { ...types('array'), items: toSchema((shape as readonly [Shape])[0], false) };
  const properties = Object.fromEntries(Object.entries(shape).map(([field, s]) => [field, toSchema(s, true)]));
  return { ...types('object'), properties };
}

const NAMES: Record<string, string> = {
  array: 'a list',
  object: 'an object',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** The last segment of a JSON pointer (an item's index, a field's name), or "document" for the root. */
function fieldName(pointer: string): string {
  const last = pointer.split('/').at(-1)?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
  return pointer === '' ? 'the document' : /^\d+$/.test(last) ? `item ${last}` : `"${last}"`;
}

const ajv = createAjv({ strict: false });

const compiled = new Map<string, ValidateFunction>();

/**
 * Checks a document (or the part of it at the JSON pointer `at`) against a shape, compiled once per key; a UserError
 * names the file and the JSON pointer of the first field of the wrong type.
 */
export function checkDocumentShape(
  key: string,
  shape: Shape,
  body: unknown,
  file: string,
  hint: string,
  at = '',
): void {
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(toSchema(shape, false))));
  if (validate(body)) return;
  const error = mostSpecificError(validate.errors ?? []);
  const type = String((error.params as { type?: unknown }).type ?? '').split(',')[0]!;
  const message =
    error.keyword === 'type' ? `must be ${NAMES[type] ?? type}` : describeAjvError(error).replace(/^[^:]*: /, '');
  throw new UserError(`${fieldName(at + error.instancePath)} ${message}`, {
    where: `${file}#${at}${error.instancePath}`,
    hint,
  });
}

/** A checker for one provider's document kinds; kinds without a declared shape pass as they are. */
export function shapeChecker(
  shapes: Readonly<Record<string, Shape>>,
  hint: string,
): (kind: string, body: unknown, file: string) => void {
  return (kind, body, file) => {
    const shape = shapes[kind];
    if (shape !== undefined) checkDocumentShape(kind, shape, body, file, hint);
  };
}
