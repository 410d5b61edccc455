import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { _ } from 'ajv/dist/2020.js';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, errorSegments, mostSpecificError } from '../util/ajv.js';
import { formatPointer, valueAt } from '../util/json-pointer.js';
import { packagePath, toolVersion } from '../util/paths.js';
import { loadValidator, validatorSource } from '../util/precompiled.js';
import { dateTimeFormat, fullFormats } from './date-time.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './model.js';

/**
 * The snapshot validator compiled at build time and kept as code (`npm run build` writes it; see precompiled.ts):
 * compiling the snapshot schema took ~0.2 s of every run. Used only when made by this version from this schema text;
 * otherwise the schema is compiled as before.
 */
export const SNAPSHOT_VALIDATOR_FILE = packagePath('dist', 'snapshot.validator.json');
const KEPT_FORMAT = 1;
const FORMATS_MODULE = 'cloudward:snapshot-formats';

interface KeptValidator {
  format: number;
  tool: string;
  /** sha256 of schemas/snapshot.schema.json. */
  schema: string;
  code: string;
}

let validator: ValidateFunction | undefined;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const schemaText = (): string => readFileSync(packagePath('schemas', 'snapshot.schema.json'), 'utf8');

/** ajv-formats' formats with the fast `date-time`; kept code reaches the same objects as `require(FORMATS_MODULE)`. */
function compileSnapshotSchema(
  text: string,
  source = false,
): { ajv: ReturnType<typeof createAjv>; validate: ValidateFunction } {
  // The shipped schema is checked against the meta-schema by the tests; doing it again here compiled the whole
  // draft 2020-12 meta-schema on every run (~60 ms).
  const ajv = createAjv({ validateSchema: false, code: { source, formats: _`require(${FORMATS_MODULE})` } });
  ajv.addFormat('date-time', dateTimeFormat);
  return { ajv, validate: ajv.compile(JSON.parse(text) as Record<string, unknown>) };
}

/** The kept snapshot validator in `file`, when it was made by this version from this schema text and loads. */
export function keptSnapshotValidator(
  file = SNAPSHOT_VALIDATOR_FILE,
  text = schemaText(),
): ValidateFunction | undefined {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeptValidator> | null;
    if (
      !kept ||
      kept.format !== KEPT_FORMAT ||
      kept.tool !== toolVersion() ||
      kept.schema !== sha256(text) ||
      typeof kept.code !== 'string'
    )
      return undefined;
    return loadValidator(kept.code, { [FORMATS_MODULE]: { ...fullFormats, 'date-time': dateTimeFormat } });
  } catch {
    // No kept validator (running from source, or a damaged build): compile the schema.
    return undefined;
  }
}

function snapshotValidator(): ValidateFunction {
  if (!validator) {
    const text = schemaText();
    validator = keptSnapshotValidator(SNAPSHOT_VALIDATOR_FILE, text) ?? compileSnapshotSchema(text).validate;
  }
  return validator;
}

/** The snapshot schema compiled now, as when nothing is kept. */
export const compiledSnapshotValidator = (): ValidateFunction => compileSnapshotSchema(schemaText()).validate;

/** The kept snapshot validator made now, for SNAPSHOT_VALIDATOR_FILE (build time). */
export function buildSnapshotValidator(): KeptValidator {
  const text = schemaText();
  const { ajv, validate } = compileSnapshotSchema(text, true);
  return { format: KEPT_FORMAT, tool: toolVersion(), schema: sha256(text), code: validatorSource(ajv, validate) };
}

/**
 * The scope kinds each registered provider's adapter declares (`scopeKinds`), by provider name: handed in as data by
 * whoever reads the registry (the CLI), so that a new provider's kinds (a Kubernetes `cluster`) come from its adapter
 * and this layer does not reach up to the providers.
 */
export type DeclaredScopeKinds = ReadonlyMap<string, readonly string[]>;

/**
 * Throws a UserError naming the JSON pointer of the first violation; returns the value typed on success. With
 * `scopeKinds`, every scope's kind must also be one its provider declares (library callers that normalized through
 * an adapter may leave them out; the CLI always hands them in).
 */
export function assertSnapshot(value: unknown, file: string, scopeKinds?: DeclaredScopeKinds): Snapshot {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError('not a snapshot: the top level must be a JSON object', {
      where: file,
      hint: 'pass a file written by `cloudward collect` or `cloudward import`',
    });
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) {
    throw new UserError('not a snapshot: no "schemaVersion" field', {
      where: `${file}#/schemaVersion`,
      hint: 'pass a file written by `cloudward collect` or `cloudward import`',
    });
  }
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new UserError(
      `unsupported snapshot schemaVersion ${JSON.stringify(version)}; this cloudward reads "${SNAPSHOT_SCHEMA_VERSION}"`,
      {
        where: `${file}#/schemaVersion`,
        hint: 'upgrade cloudward, or re-create the snapshot with this version',
      },
    );
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
  const snapshot = value as Snapshot;
  if (scopeKinds) assertScopeKinds(snapshot, file, scopeKinds);
  return snapshot;
}

const SCOPED = ['sources', 'principals', 'roles', 'controls', 'hosts'] as const;

/**
 * Every scope's kind is one its provider's adapter declares (`scopeKinds`): the schema takes any lower-case word, so
 * that a new provider's kinds (a Kubernetes `cluster`) come from its adapter, and the registry decides here.
 */
function assertScopeKinds(snapshot: Snapshot, file: string, scopeKinds: DeclaredScopeKinds): void {
  const everyKind = [...new Set([...scopeKinds.values()].flat())];
  const seen = new Set<string>();
  // Runs of items share a provider and kind: each is compared with the last one first, building no string.
  let lastProvider: string | undefined;
  let lastKind: string | undefined;
  for (const key of SCOPED) {
    const items = snapshot[key] as ReadonlyArray<{ provider: string; scope: { kind: string } }>;
    for (let i = 0; i < items.length; i++) {
      const { provider, scope } = items[i]!;
      if (provider === lastProvider && scope.kind === lastKind) continue;
      lastProvider = provider;
      lastKind = scope.kind;
      const pair = `${provider}\u0000${scope.kind}`;
      if (seen.has(pair)) continue;
      const problem = scopeKindProblem(scopeKinds, everyKind, provider, scope.kind);
      if (problem) {
        throw new UserError(`invalid snapshot: ${problem}`, {
          where: `${file}#/${key}/${i}/scope/kind`,
          hint: 'register the adapter that wrote it (CLOUDWARD_PROVIDER_MODULES), or re-create the snapshot with it',
        });
      }
      seen.add(pair);
    }
  }
}

/**
 * Why a source of `provider` may not have scope kind `kind`, or undefined when it may: a registered provider's
 * sources have the kinds its adapter declares; a snapshot of a provider not registered may have any kind some
 * registered adapter declares.
 */
function scopeKindProblem(
  scopeKinds: DeclaredScopeKinds,
  everyKind: string[],
  provider: string,
  kind: string,
): string | undefined {
  const declared = scopeKinds.get(provider);
  if (declared)
    return declared.includes(kind)
      ? undefined
      : `scope kind "${kind}" is not one provider "${provider}" declares (${declared.join(', ')})`;
  return everyKind.includes(kind)
    ? undefined
    : `scope kind "${kind}" is declared by no registered provider, and provider "${provider}" is not registered (kinds: ${everyKind.join(', ')})`;
}
