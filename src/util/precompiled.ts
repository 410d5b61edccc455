import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';

const requireCjs = createRequire(import.meta.url);

/**
 * Validators compiled at build time and kept as code (ajv's "standalone" code, CommonJS): loading one costs a
 * function's parse instead of ajv's schema traversal and code generation (~0.2 s for the snapshot schema, most of it
 * ajv warming up, and as much again for the built-in checks). The code is what `ajv.compile` makes of the schema and
 * runs as such, so it validates, and reports errors, exactly as a validator compiled at run time.
 *
 * Kept code may `require` ajv's runtime helpers and the modules its loader names (cloudward's formats and keywords,
 * which ajv's code generation is told to reach by `require("cloudward:...")`), nothing else.
 */
export type CodeModules = Record<string, unknown>;

/** The kept form of a compiled validator (build time: `ajv` must have been made with `code: { source: true }`). */
export function validatorSource(ajv: Ajv2020, validate: ValidateFunction): string {
  const standaloneCode = (
    requireCjs('ajv/dist/standalone') as { default: (ajv: Ajv2020, validate: ValidateFunction) => string }
  ).default;
  return standaloneCode(ajv, validate);
}

/** A validator from kept code; throws when the code is not a validator's or requires anything else. */
export function loadValidator(source: string, modules: CodeModules): ValidateFunction {
  const module = { exports: {} as unknown };
  const require = (name: string): unknown => {
    if (Object.hasOwn(modules, name)) return modules[name];
    if (name.startsWith('ajv/dist/runtime/')) return requireCjs(name);
    throw new Error(`kept validator code requires ${name}`);
  };
  // Code this package's build wrote into dist/, as trusted as the rest of dist/.
  new Function('module', 'exports', 'require', source)(module, module.exports, require);
  if (typeof module.exports !== 'function') throw new Error('kept validator code exports no function');
  return module.exports as ValidateFunction;
}
