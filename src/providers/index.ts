import { isUserError, UserError } from '../errors.js';
import { awsProvider } from './aws/index.js';
import { azureProvider } from './azure/index.js';
import { gcpProvider } from './gcp/index.js';
import { linuxAdapter } from './linux/index.js';
import { moduleAdapters } from './modules.js';
import type { DeclaredScopeKinds } from '../snapshot/validate.js';
import type { ProviderAdapter } from './types.js';
import { windowsAdapter } from './windows/index.js';

/**
 * Why the registry is incomplete (a provider module that does not load, an adapter declaring what it may not), kept
 * rather than thrown while this module loads: modules that read the registry are loaded by every command, and the
 * problem is reported, as a UserError (exit 2), by the first registry function a command calls.
 */
let problem: UserError | undefined;

/** Every provider adapter: one line each. Adding a provider touches its folder and this list. */
export const providers: ProviderAdapter[] = [
  awsProvider,
  azureProvider,
  gcpProvider,
  windowsAdapter,
  linuxAdapter,
  ...(await moduleAdapters().catch((error: unknown) => {
    if (!isUserError(error)) throw error;
    problem = error;
    return [];
  })),
];

/** A scope kind as the snapshot schema takes it: a lower-case word (`account`, `cluster`, `resourceGroup`). */
const SCOPE_KIND = /^[a-z][a-zA-Z0-9-]{1,31}$/;

function adapterProblem(adapter: ProviderAdapter, i: number): UserError | undefined {
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(adapter.name) || providers.findIndex((p) => p.name === adapter.name) !== i) {
    return new UserError(`provider name "${adapter.name}" is invalid or registered twice`, {
      hint: 'a provider name is lower-case letters, digits and dashes, unique',
    });
  }
  const kinds: unknown = adapter.scopeKinds;
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => typeof k === 'string' && SCOPE_KIND.test(k))) {
    return new UserError(
      `provider "${adapter.name}" declares scope kinds ${JSON.stringify(kinds)}, not a list of scope kinds`,
      { hint: "declare scopeKinds as one or more lower-case words, e.g. ['account'] or ['cluster']" },
    );
  }
  if (
    adapter.ocsfCloudProvider !== undefined &&
    (typeof adapter.ocsfCloudProvider !== 'string' || adapter.ocsfCloudProvider.trim() === '')
  ) {
    return new UserError(
      `provider "${adapter.name}" declares ocsfCloudProvider ${JSON.stringify(adapter.ocsfCloudProvider)}, not a name`,
      { hint: "declare the OCSF cloud.provider as a non-empty string (e.g. 'AWS'), or omit it for hosts" },
    );
  }
  return undefined;
}
for (const [i, adapter] of providers.entries()) problem ??= adapterProblem(adapter, i);

/** The registered adapters; throws the registry's problem (a provider module that did not load) when it has one. */
export function registeredProviders(): ProviderAdapter[] {
  if (problem) throw problem;
  return providers;
}

/** The scope kinds every registered adapter declares, by provider name. */
const scopeKindsByProvider: DeclaredScopeKinds = new Map(providers.map((p) => [p.name, p.scopeKinds]));

/**
 * The scope kinds each registered adapter declares, by provider name: what a snapshot's scopes are judged by when it
 * is loaded (handed to the snapshot loader as data).
 */
export function declaredScopeKinds(): DeclaredScopeKinds {
  if (problem) throw problem;
  return scopeKindsByProvider;
}

/** The default scope kind of a provider's resources (its adapter's first declared kind), e.g. for a check's test case. */
export function primaryScopeKind(provider: string): string | undefined {
  if (problem) throw problem;
  return scopeKindsByProvider.get(provider)?.[0];
}

const ocsfCloudProviders = new Map(
  providers.flatMap((p) => (p.ocsfCloudProvider ? [[p.name, p.ocsfCloudProvider] as const] : [])),
);

/** OCSF `cloud.provider` of a provider's findings, as its adapter declares it; undefined for hosts and unknown providers. */
export function ocsfCloudProviderOf(provider: string): string | undefined {
  if (problem) throw problem;
  return ocsfCloudProviders.get(provider);
}

/**
 * Gap topics shipped checks already need whose adapters are not registered yet: declared here so those checks
 * load, and listed by a test that fails as soon as an adapter declares one (then drop it from this list).
 */
export const PENDING_GAP_TOPICS: Record<string, string> = {};

/** Every gap topic a check may `need`: the registered adapters' declarations and the pending ones. */
export function declaredGapTopics(): Map<string, string> {
  const topics = new Map<string, string>();
  for (const adapter of registeredProviders())
    for (const topic of Object.keys(adapter.gapTopics)) topics.set(topic, adapter.name);
  for (const topic of Object.keys(PENDING_GAP_TOPICS)) if (!topics.has(topic)) topics.set(topic, 'pending');
  return topics;
}

export function getProvider(name: string): ProviderAdapter {
  const adapter = registeredProviders().find((p) => p.name === name);
  if (!adapter) {
    const known = providers.map((p) => p.name).join(', ') || 'none';
    throw new UserError(`unknown provider "${name}"`, { hint: `use one of: ${known}` });
  }
  return adapter;
}
