import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.js';
import { awsProvider } from './aws/index.js';
import { azureProvider } from './azure/index.js';
import { gcpProvider } from './gcp/index.js';
import { linuxAdapter } from './linux/index.js';
import type { ProviderAdapter } from './types.js';
import { windowsAdapter } from './windows/index.js';

/**
 * Adapters outside this tree, named by CLOUDWARD_PROVIDER_MODULES (module paths separated by the platform's path
 * delimiter, each exporting the adapter as `default` or `adapter`): how a new adapter is tried before it gets its
 * registry line, and how the tests register their example adapter.
 */
async function moduleAdapters(): Promise<ProviderAdapter[]> {
  const list = process.env.CLOUDWARD_PROVIDER_MODULES?.split(delimiter).filter((p) => p.trim() !== '') ?? [];
  const adapters: ProviderAdapter[] = [];
  for (const path of list) {
    let loaded: { default?: ProviderAdapter; adapter?: ProviderAdapter };
    try {
      loaded = (await import(pathToFileURL(resolve(path)).href)) as typeof loaded;
    } catch (error) {
      throw new UserError(`cannot load the provider module: ${(error as Error).message.split('\n')[0]}`, { where: path, hint: 'fix or unset CLOUDWARD_PROVIDER_MODULES' });
    }
    const adapter = loaded.default ?? loaded.adapter;
    if (!adapter || typeof adapter.name !== 'string' || typeof adapter.normalize !== 'function' || typeof adapter.gapTopics !== 'object') {
      throw new UserError('the provider module exports no adapter (default or `adapter`)', { where: path, hint: 'export the ProviderAdapter object; see docs/providers/adding.md' });
    }
    adapters.push(adapter);
  }
  return adapters;
}

/** Every provider adapter: one line each. Adding a provider touches its folder and this list. */
export const providers: ProviderAdapter[] = [
  awsProvider,
  azureProvider,
  gcpProvider,
  windowsAdapter,
  linuxAdapter,
  ...(await moduleAdapters()),
];

for (const [i, adapter] of providers.entries()) {
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(adapter.name) || providers.findIndex((p) => p.name === adapter.name) !== i) {
    throw new UserError(`provider name "${adapter.name}" is invalid or registered twice`, { hint: 'a provider name is lower-case letters, digits and dashes, unique' });
  }
}

/**
 * Gap topics shipped checks already need whose adapters are not registered yet: declared here so those checks
 * load, and listed by a test that fails as soon as an adapter declares one (then drop it from this list).
 */
export const PENDING_GAP_TOPICS: Record<string, string> = {};

/** Every gap topic a check may `need`: the registered adapters' declarations and the pending ones. */
export function declaredGapTopics(): Map<string, string> {
  const topics = new Map<string, string>();
  for (const adapter of providers) for (const topic of Object.keys(adapter.gapTopics)) topics.set(topic, adapter.name);
  for (const topic of Object.keys(PENDING_GAP_TOPICS)) if (!topics.has(topic)) topics.set(topic, 'pending');
  return topics;
}

export function getProvider(name: string): ProviderAdapter {
  const adapter = providers.find((p) => p.name === name);
  if (!adapter) {
    const known = providers.map((p) => p.name).join(', ') || 'none';
    throw new UserError(`unknown provider "${name}"`, { hint: `use one of: ${known}` });
  }
  return adapter;
}
