import type { CollectContext, RawBundle } from '../types.js';
export async function collectGcp(_context: CollectContext): Promise<RawBundle[]> {
  throw new Error('not yet');
}
