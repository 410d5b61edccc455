import type { ValidateFunction } from 'ajv';
import { UserError } from '../../errors.js';
import { isoSeconds } from '../../snapshot/date-time.js';
import type { Gap, ProviderName } from '../../snapshot/model.js';
import { createAjv, describeAjvError, mostSpecificError } from '../../util/ajv.js';
import { writeFileAtomic } from '../../util/files.js';
import type { RawBundle, RawDocument } from '../types.js';

/** The marker of a host bundle file: what the Windows collector and `collect linux --bundle-out` write. */
const HOST_BUNDLE_FORMAT = 'cloudward-host-bundle';
const HOST_BUNDLE_VERSION = 1;

/** A host bundle as stored on disk: a RawBundle with a format marker, so a file is recognised by its content. */
interface HostBundleFile {
  format: typeof HOST_BUNDLE_FORMAT;
  formatVersion: number;
  provider: 'windows' | 'linux';
  scope: { kind: 'host'; id: string; name?: string };
  method?: 'live' | 'import';
  collectedAt: string;
  collector?: Record<string, unknown>;
  documents: RawDocument[];
  gaps: Gap[];
}

const bundleSchema = {
  type: 'object',
  required: ['format', 'formatVersion', 'provider', 'scope', 'collectedAt', 'documents', 'gaps'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    format: { const: HOST_BUNDLE_FORMAT },
    formatVersion: { const: HOST_BUNDLE_VERSION },
    provider: { enum: ['windows', 'linux'] },
    scope: {
      type: 'object',
      required: ['kind', 'id'],
      additionalProperties: false,
      properties: {
        kind: { const: 'host' },
        id: { type: 'string', minLength: 1, maxLength: 255 },
        name: { type: 'string' },
      },
    },
    method: { enum: ['live', 'import'] },
    collectedAt: { type: 'string', format: 'date-time' },
    collector: { type: 'object' },
    documents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'origin', 'body'],
        additionalProperties: false,
        properties: { kind: { type: 'string', minLength: 1 }, origin: { type: 'string' }, body: {} },
      },
    },
    gaps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['what', 'reason'],
        additionalProperties: false,
        properties: {
          what: { type: 'string', pattern: '^[a-z0-9]+(\\.[a-z0-9-]+)+$' },
          reason: { type: 'string', minLength: 1 },
          call: { type: 'string' },
        },
      },
    },
  },
} as const;

let validator: ValidateFunction | undefined;

/** True when a parsed JSON value claims to be a host bundle (it may still be an invalid one). */
export function looksLikeHostBundle(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    (value as { format?: unknown }).format === HOST_BUNDLE_FORMAT
  );
}

/**
 * Validates a parsed host bundle and returns it as a RawBundle of `provider`, read by import.
 * A bundle of the other host provider is refused with the command that reads it.
 */
export function hostBundleFromJson(value: unknown, file: string, provider: 'windows' | 'linux'): RawBundle {
  validator ??= createAjv().compile(bundleSchema);
  if (!validator(value)) {
    const error = mostSpecificError(validator.errors ?? []);
    throw new UserError(`invalid host bundle: ${describeAjvError(error).replace(/^[^:]*: /, '')}`, {
      where: `${file}#${error.instancePath}`,
      hint: 'regenerate it with the collector; do not edit bundles by hand',
    });
  }
  const bundle = value as HostBundleFile;
  if (bundle.provider !== provider) {
    throw new UserError(`this is a ${bundle.provider} host bundle, not a ${provider} one`, {
      where: file,
      hint: `read it with \`cloudward import ${bundle.provider} ${file}\``,
    });
  }
  return {
    provider: bundle.provider as ProviderName,
    scope: bundle.scope,
    method: 'import',
    collectedAt: isoSeconds(bundle.collectedAt),
    documents: bundle.documents,
    gaps: bundle.gaps,
    origin: file,
  };
}

/** The on-disk form of a collected bundle. */
function hostBundleToJson(bundle: RawBundle, collector?: Record<string, unknown>): HostBundleFile {
  return {
    format: HOST_BUNDLE_FORMAT,
    formatVersion: HOST_BUNDLE_VERSION,
    provider: bundle.provider as 'windows' | 'linux',
    scope: bundle.scope as HostBundleFile['scope'],
    method: bundle.method,
    collectedAt: bundle.collectedAt,
    ...(collector ? { collector } : {}),
    documents: bundle.documents,
    gaps: bundle.gaps,
  };
}

/** Writes a bundle atomically with mode 0600: it describes a host's privileges. */
export async function writeHostBundle(
  path: string,
  bundle: RawBundle,
  collector?: Record<string, unknown>,
): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(hostBundleToJson(bundle, collector), null, 2)}\n`, 0o600);
}

/** The scope key of a host: lower case, since host names are case-insensitive on both systems. */
export function hostScopeId(name: string): string {
  return name.trim().toLowerCase();
}

/** Refuses two bundles of the same host in one import: their facts would contradict each other. */
export function assertDistinctHosts(bundles: RawBundle[], files: string[]): void {
  const seen = new Map<string, string>();
  bundles.forEach((bundle, index) => {
    const earlier = seen.get(bundle.scope.id);
    const file = files[index] ?? '?';
    if (earlier !== undefined) {
      throw new UserError(`host ${bundle.scope.id} is in two inputs (also in ${earlier})`, {
        where: file,
        hint: 'import one bundle per host',
      });
    }
    seen.set(bundle.scope.id, file);
  });
}
