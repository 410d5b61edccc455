import type { Gap, Host, Source, SnapshotPart } from '../../snapshot/model.js';
import type { RawBundle } from '../types.js';

/** A snapshot part of hosts: one host and one host source per bundle. */
export function hostsPart(
  bundles: RawBundle[],
  normalizeBundle: (bundle: RawBundle) => { host: Host; source: Source },
): SnapshotPart {
  const part: SnapshotPart = { sources: [], principals: [], roles: [], controls: [], hosts: [] };
  for (const bundle of bundles) {
    const { host, source } = normalizeBundle(bundle);
    part.hosts.push(host);
    part.sources.push(source);
  }
  return part;
}

/**
 * The gap for credential files or profiles that could not be read, or none: a long-lived credential already found
 * decides the check (fail), so the unread rest only matters when nothing long-lived was found.
 */
export function unreadCredentialsGap(
  host: Host,
  unreadable: string[],
  what: string,
  reason: (shown: string) => string,
  call: string,
): Gap | undefined {
  if (unreadable.length === 0 || host.cloudCredentials?.some((c) => c.kind === 'long-lived')) return undefined;
  const shown = `${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ` and ${unreadable.length - 5} more` : ''}`;
  return { what, reason: reason(shown), call };
}
