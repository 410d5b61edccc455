import { UserError } from '../errors.js';
import { awsProvider } from './aws/index.js';
import { gcpProvider } from './gcp/index.js';
import { linuxAdapter } from './linux/index.js';
import type { ProviderAdapter } from './types.js';
import { windowsAdapter } from './windows/index.js';

/** Every provider adapter. Adding a provider touches its folder, this list and (for new entity kinds) the snapshot schema. */
export const providers: ProviderAdapter[] = [awsProvider, windowsAdapter, linuxAdapter, gcpProvider];

export function getProvider(name: string): ProviderAdapter {
  const adapter = providers.find((p) => p.name === name);
  if (!adapter) {
    const known = providers.map((p) => p.name).join(', ') || 'none';
    throw new UserError(`unknown provider "${name}"`, { hint: `use one of: ${known}` });
  }
  return adapter;
}
