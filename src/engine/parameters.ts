/**
 * Check parameters: a check may declare named lists (`parameters: { administrators: { description, default } }`) that
 * its schemas read through the `namedIn` keyword, and a project sets them once (`parameters:` in cloudward.yaml) for
 * every check that declares them. A value is bound to the check's validators when it loads: the engine's shared
 * per-source time never carries it, and a check without parameters is left exactly as compiled.
 */
import type { ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import type { EvaluationTime } from './keywords.js';
import type { Check, CheckDefinition } from './types.js';

/** Parameter values as a project file or a test case gives them: lists of names, by parameter. */
export type ParameterValues = Readonly<Record<string, readonly string[]>>;

/** The validator each bound wrapper calls, so that binding again starts from the compiled one. */
const compiled = new WeakMap<ValidateFunction, ValidateFunction>();

/** A validator called with the caller's time and the bound parameters as its context (`this`). */
function bound(validate: ValidateFunction, parameters: EvaluationTime['parameters']): ValidateFunction {
  const inner = compiled.get(validate) ?? validate;
  // One context per time object: the evaluator passes one per source, shared by every resource of it.
  const contexts = new WeakMap<object, EvaluationTime>();
  const wrapper = function (this: EvaluationTime | undefined, data: unknown): boolean {
    let context = this === undefined || this === null ? undefined : contexts.get(this);
    if (!context) {
      context = { now: this?.now ?? Number.NaN, parameters };
      if (this !== undefined && this !== null) contexts.set(this, context);
    }
    const valid = inner.call(context, data) as boolean;
    wrapper.errors = inner.errors;
    return valid;
  } as ValidateFunction;
  wrapper.schema = inner.schema;
  compiled.set(wrapper, inner);
  return wrapper;
}

/**
 * The check with its parameters bound: each declared one takes the value given, else its default, else no names.
 * A check that declares none is returned as it is.
 */
export function bindParameters(check: Check, values: ParameterValues = {}): Check {
  const declared = check.parameters;
  if (!declared || Object.keys(declared).length === 0) return check;
  const parameters: Record<string, ReadonlySet<string>> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const list = Object.hasOwn(values, name) ? values[name]! : (spec.default ?? []);
    parameters[name] = new Set(list.map((v) => v.toLowerCase()));
  }
  return {
    ...check,
    matches: bound(check.matches, parameters),
    requires: bound(check.requires, parameters),
    aggregates: check.aggregates.map((a) => ({ ...a, matches: bound(a.matches, parameters) })),
  };
}

/**
 * The checks with the project's parameter values bound. A name no loaded check declares is an error (a typo would
 * otherwise leave every check at its default, silently).
 */
export function applyParameters(checks: Check[], values: ParameterValues | undefined, where?: string): Check[] {
  if (!values || Object.keys(values).length === 0) return checks;
  const declared = new Set(checks.flatMap((c) => Object.keys(c.parameters ?? {})));
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) {
      throw new UserError(`parameter "${name}" is not declared by any check run`, {
        ...(where ? { where } : {}),
        hint:
          declared.size > 0
            ? `declared parameters: ${[...declared].sort().join(', ')}`
            : 'no check of this run takes parameters; remove it',
      });
    }
  }
  return checks.map((c) => (c.parameters ? bindParameters(c, values) : c));
}

/** Every `namedIn` in a schema, with its path in the check file. */
function namedInUses(
  schema: unknown,
  at: Array<string | number>,
  out: Array<{ name: unknown; at: Array<string | number> }>,
): void {
  if (schema === null || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => namedInUses(item, [...at, i], out));
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'namedIn') out.push({ name: value, at: [...at, key] });
    else namedInUses(value, [...at, key], out);
  }
}

/** A check's `namedIn` may only name a parameter the check declares; `where` says where a path is in its file. */
export function assertDeclaredParameters(
  definition: CheckDefinition,
  where: (at: Array<string | number>) => string,
): void {
  const uses: Array<{ name: unknown; at: Array<string | number> }> = [];
  namedInUses(definition.where, ['where'], uses);
  namedInUses(definition.require, ['require'], uses);
  for (const [name, spec] of Object.entries(definition.aggregate ?? {}))
    namedInUses(spec.where, ['aggregate', name, 'where'], uses);
  const declared = Object.keys(definition.parameters ?? {});
  for (const use of uses) {
    if (typeof use.name === 'string' && declared.includes(use.name)) continue;
    throw new UserError(`namedIn names "${String(use.name)}", which is not among the check's parameters`, {
      where: where(use.at),
      hint:
        declared.length > 0
          ? `use one of: ${declared.join(', ')}`
          : `declare it: parameters: { ${String(use.name)}: { description: ..., default: [] } }`,
    });
  }
}
