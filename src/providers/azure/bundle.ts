/**
 * The raw bundle of one tenant, built the same way by live collection and import so both give the same snapshot:
 * documents in a stable order, gaps from the error documents plus any the caller adds.
 */
import type { Gap } from '../../snapshot/model.js';
import { sortDocuments, sortGaps } from '../cloud/order.js';
import type { RawBundle, RawDocument } from '../types.js';
import {
  DocumentKind,
  type ErrorBody,
  type Organization,
  type SecurityDefaultsBody,
  type Subscription,
} from './documents.js';
import { gapForError, itemsOfKind } from './items.js';

/** The tenant's name: its default verified domain, else what `az account list` printed. */
function tenantName(documents: readonly RawDocument[]): string | undefined {
  const org = itemsOfKind<Organization>(documents, DocumentKind.organization)[0];
  const domain =
    org?.verifiedDomains?.find((d) => d.isDefault)?.name ?? org?.verifiedDomains?.find((d) => d.isInitial)?.name;
  if (domain ?? org?.displayName) return domain ?? org?.displayName;
  const sub = itemsOfKind<Subscription>(documents, DocumentKind.subscriptions).find(
    (s) => s.tenantDefaultDomain ?? s.tenantDisplayName,
  );
  return sub?.tenantDefaultDomain ?? sub?.tenantDisplayName;
}

/**
 * A tenant bundle. Conditional Access cannot be enabled while security defaults are on, so with security defaults
 * read as enabled an unreadable Conditional Access list (no P1 licence) hides nothing and opens no gap.
 */
export function tenantBundle(
  tenantId: string,
  method: 'live' | 'import',
  collectedAt: string,
  documents: RawDocument[],
  extraGaps: Gap[] = [],
): RawBundle {
  const sorted = sortDocuments(documents);
  const errorGaps = sorted
    .filter((d) => d.kind === DocumentKind.error)
    .flatMap((d) => gapForError(d.body as ErrorBody) ?? []);
  const defaults = sorted.find((d) => d.kind === DocumentKind.securityDefaults)?.body as
    | SecurityDefaultsBody
    | undefined;
  const gaps = [...errorGaps, ...extraGaps].filter(
    (g) => !(defaults?.isEnabled === true && g.what === 'azure.conditional-access'),
  );
  const name = tenantName(sorted);
  return {
    provider: 'azure',
    scope: { kind: 'tenant', id: tenantId.toLowerCase(), ...(name ? { name } : {}) },
    method,
    collectedAt,
    documents: sorted,
    gaps: sortGaps(gaps),
  };
}
