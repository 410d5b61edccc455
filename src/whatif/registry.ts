/**
 * The what-if projectors of the registered providers: each adapter's optional `projector` part (kept in its
 * `src/providers/<name>/whatif/` folder), loaded when a plan is projected, in registry order (the order the report
 * lists the providers' changes in). Shared by the projection and by the check that the raw documents reproduce the
 * snapshot, which looks its provider up again on a worker thread.
 */
import type { ProviderAdapter, RawBundle } from '../providers/types.js';
import type { ProviderName, SnapshotPart } from '../snapshot/model.js';
import type { Projector } from '../providers/whatif/types.js';

/**
 * The registry, loaded when first asked for (as the CLI loads it): loading it loads the CLOUDWARD_PROVIDER_MODULES
 * adapters, whose failure is then the command's one-line error rather than a crash while the CLI starts.
 */
async function registered(): Promise<ProviderAdapter[]> {
  return (await import('../providers/index.js')).providers;
}

/** A provider's projector beside the adapter's name and normalizer, which the projected bundles go through. */
export interface ProviderProjector {
  provider: ProviderName;
  projector: Projector;
  normalize(bundles: RawBundle[]): SnapshotPart;
}

async function load(adapter: ProviderAdapter): Promise<ProviderProjector | undefined> {
  if (!adapter.projector) return undefined;
  return {
    provider: adapter.name,
    projector: await adapter.projector(),
    normalize: (bundles) => adapter.normalize(bundles),
  };
}

/** Every registered provider that projects plans. */
export async function registeredProjectors(): Promise<ProviderProjector[]> {
  const out: ProviderProjector[] = [];
  for (const adapter of await registered()) {
    const loaded = await load(adapter);
    if (loaded) out.push(loaded);
  }
  return out;
}

/** The projector of one registered provider, when it has one. */
export async function projectorOf(provider: string): Promise<ProviderProjector | undefined> {
  const adapter = (await registered()).find((p) => p.name === provider);
  return adapter ? load(adapter) : undefined;
}
