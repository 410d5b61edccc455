import type { ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, errorSegments, loadSchema, mostSpecificError } from '../util/ajv.js';
import { formatPointer, valueAt } from '../util/json-pointer.js';
import { dateTimeFormat } from './date-time.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './model.js';

let validator: ValidateFunction | undefined;

function snapshotValidator(): ValidateFunction {
  if (!validator) {
    // The shipped schema is checked against the meta-schema by the tests; doing it again here compiled the whole
    // draft 2020-12 meta-schema on every run (~60 ms).
    const ajv = createAjv({ validateSchema: false });
    ajv.addFormat('date-time', dateTimeFormat);
    validator = ajv.compile(loadSchema('snapshot.schema.json'));
  }
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
    const segments = errorSegments(error);
    const seen = valueAt(value, segments);
    if (typeof seen === 'number' && !Number.isFinite(seen)) {
      // JSON.parse reads a literal too large for a double (1e400) as Infinity; no check may judge that.
      throw new UserError('invalid snapshot: number out of range (larger than a double can hold, read as Infinity)', {
        where: `${file}#${formatPointer(segments)}`,
        hint: 'write the number as the collector saw it; every number must be finite (at most 1.7976931348623157e308)',
      });
    }
    throw new UserError(`invalid snapshot: ${describeAjvError(error).replace(/^[^:]*: /, '')}`, {
      where: `${file}#${formatPointer(segments)}`,
      hint: 'see schemas/snapshot.schema.json',
    });
  }
  return value as Snapshot;
}
