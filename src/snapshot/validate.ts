import type { ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, errorSegments, loadSchema, mostSpecificError } from '../util/ajv.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './model.js';

let validator: ValidateFunction | undefined;

function snapshotValidator(): ValidateFunction {
  validator ??= createAjv().compile(loadSchema('snapshot.schema.json'));
  return validator;
}

/** Throws a UserError naming the JSON pointer of the first violation; returns the value typed on success. */
export function assertSnapshot(value: unknown, file: string): Snapshot {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError('not a snapshot: the top level must be a JSON object', { where: file, hint: 'pass a file written by `cloudward collect` or `cloudward import`' });
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) {
    throw new UserError('not a snapshot: no "schemaVersion" field', { where: `${file}#/schemaVersion`, hint: 'pass a file written by `cloudward collect` or `cloudward import`' });
  }
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new UserError(`unsupported snapshot schemaVersion ${JSON.stringify(version)}; this cloudward reads "${SNAPSHOT_SCHEMA_VERSION}"`, {
      where: `${file}#/schemaVersion`,
      hint: 'upgrade cloudward, or re-create the snapshot with this version',
    });
  }
  const validate = snapshotValidator();
  if (!validate(value)) {
    const error = mostSpecificError(validate.errors ?? []);
    throw new UserError(`invalid snapshot: ${describeAjvError(error).replace(/^[^:]*: /, '')}`, {
      where: `${file}#/${errorSegments(error).map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
      hint: 'see schemas/snapshot.schema.json',
    });
  }
  return value as Snapshot;
}
