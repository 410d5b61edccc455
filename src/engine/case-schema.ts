import type { ErrorObject, ValidateFunction } from 'ajv';
import { dateTimeFormat } from '../snapshot/date-time.js';
import { createAjv, describeAjvError, loadSchema } from '../util/ajv.js';
import type { CheckCase, ResourceKind } from './types.js';

/** Where a snapshot resource kind is defined in schemas/snapshot.schema.json. */
const DEFINITION: Record<Exclude<ResourceKind, 'scopes'>, string> = {
  principals: 'principal',
  roles: 'role',
  controls: 'control',
  hosts: 'host',
};

interface CaseValidators {
  resource: Record<Exclude<ResourceKind, 'scopes'>, ValidateFunction>;
  scope: ValidateFunction;
  gaps: ValidateFunction;
  collectedAt: ValidateFunction;
}

let validators: CaseValidators | undefined;

/**
 * Validators for test-case data, made from the snapshot schema's own definitions, so a case can only describe data a
 * snapshot can hold. A case resource may leave out top-level fields (defaults fill uid, provider and scope; others
 * are simply absent, as a collector may leave them), but every field it gives must have the snapshot's shape, down to
 * nested objects' required fields.
 */
function caseValidators(): CaseValidators {
  if (validators) return validators;
  const snapshot = loadSchema('snapshot.schema.json') as {
    $id: string;
    $defs: Record<string, Record<string, unknown>>;
  };
  const ajv = createAjv({ validateSchema: false, allErrors: true, strictTypes: false });
  ajv.addFormat('date-time', dateTimeFormat);
  ajv.addSchema(snapshot);
  const definition = (name: string) => `${snapshot.$id}#/$defs/${name}`;
  // A definition whose own `required` is dropped, its inner references pointed back at the snapshot schema.
  const partial = (name: string): Record<string, unknown> => {
    const { required: _required, ...rest } = snapshot.$defs[name]!;
    return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${snapshot.$id}#/$defs/`)) as Record<
      string,
      unknown
    >;
  };
  validators = {
    resource: {
      principals: ajv.compile(partial(DEFINITION.principals)),
      roles: ajv.compile(partial(DEFINITION.roles)),
      controls: ajv.compile(partial(DEFINITION.controls)),
      hosts: ajv.compile(partial(DEFINITION.hosts)),
    },
    // A `resource: scopes` case names the source it stands for.
    scope: ajv.compile({
      type: 'object',
      additionalProperties: false,
      properties: { provider: { $ref: definition('provider') }, scope: { $ref: definition('scope') } },
    }),
    gaps: ajv.compile({ type: 'array', items: { $ref: definition('gap') } }),
    collectedAt: ajv.compile({ $ref: definition('dateTime') }),
  };
  return validators;
}

/** A problem with a case's data: the JSON pointer into the check file, and what is wrong there. */
interface CaseDataError {
  pointer: string;
  message: string;
}

function problems(validate: ValidateFunction, value: unknown, at: string): CaseDataError[] {
  if (validate(value)) return [];
  // `if`/`anyOf` wrappers only restate their branches; the deepest errors say what to fix.
  const errors = (validate.errors ?? []).filter((e: ErrorObject) => !['if', 'anyOf', 'oneOf'].includes(e.keyword));
  return errors.map((e) => {
    const described = describeAjvError(e);
    const path =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.instancePath;
    return { pointer: `${at}${path}`, message: described.replace(/^[^:]*: /, '') };
  });
}

/**
 * Checks a case's resource, related resources, gaps and collectedAt against the snapshot schema; returns every
 * problem, each at its JSON pointer from the check file's root (`/tests/2/resource/mfa/state`).
 */
export function validateCaseData(kind: ResourceKind, testCase: CheckCase, index: number): CaseDataError[] {
  const v = caseValidators();
  const at = `/tests/${index}`;
  const out: CaseDataError[] = [];
  if (testCase.resource)
    out.push(...problems(kind === 'scopes' ? v.scope : v.resource[kind], testCase.resource, `${at}/resource`));
  for (const [related, list] of Object.entries(testCase.related ?? {}) as Array<
    [Exclude<ResourceKind, 'scopes'>, unknown[]]
  >) {
    list.forEach((item, i) => out.push(...problems(v.resource[related], item, `${at}/related/${related}/${i}`)));
  }
  if (testCase.gaps) out.push(...problems(v.gaps, testCase.gaps, `${at}/gaps`));
  if (testCase.collectedAt !== undefined)
    out.push(...problems(v.collectedAt, testCase.collectedAt, `${at}/collectedAt`));
  return out;
}
