import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.js';
import type { ProviderAdapter } from './types.js';

/**
 * Adapters outside this tree, named by CLOUDWARD_PROVIDER_MODULES (module paths separated by the platform's path
 * delimiter, each exporting the adapter as `default` or `adapter`): how a new adapter is tried before it gets its
 * registry line, and how the tests register their example adapter. Loaded once, for the registry and the audit-log
 * parts' list alike.
 */
export function moduleAdapters(): Promise<ProviderAdapter[]> {
  return (once ??= loadModuleAdapters());
}

let once: Promise<ProviderAdapter[]> | undefined;

async function loadModuleAdapters(): Promise<ProviderAdapter[]> {
  const list = process.env.CLOUDWARD_PROVIDER_MODULES?.split(delimiter).filter((p) => p.trim() !== '') ?? [];
  const adapters: ProviderAdapter[] = [];
  for (const path of list) {
    let loaded: { default?: ProviderAdapter; adapter?: ProviderAdapter };
    try {
      loaded = (await import(pathToFileURL(resolve(path)).href)) as typeof loaded;
    } catch (error) {
      throw new UserError(`cannot load the provider module: ${(error as Error).message.split('\n')[0]}`, {
        where: path,
        hint: 'fix or unset CLOUDWARD_PROVIDER_MODULES',
      });
    }
    const adapter = loaded.default ?? loaded.adapter;
    if (
      !adapter ||
      typeof adapter.name !== 'string' ||
      typeof adapter.normalize !== 'function' ||
      typeof adapter.gapTopics !== 'object'
    ) {
      throw new UserError('the provider module exports no adapter (default or `adapter`)', {
        where: path,
        hint: 'export the ProviderAdapter object; see docs/providers/adding.md',
      });
    }
    adapters.push(adapter);
  }
  return adapters;
}
