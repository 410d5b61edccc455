/**
 * Raw bundles of one account, built the same way by live collection and import, so both give the same snapshot.
 */
import type { Gap } from '../../snapshot/model.js';
import type { RawBundle, RawDocument } from '../types.js';
import { sortDocuments } from '../cloud/order.js';
import { DocumentKind, gapsFromErrors, type ErrorBody } from './documents.js';

/** A bundle of one account: documents sorted, gaps from its error documents plus any the caller adds. */
export function accountBundle(
  accountId: string,
  method: 'live' | 'import',
  collectedAt: string,
  documents: RawDocument[],
  extraGaps: Gap[] = [],
): RawBundle {
  const sorted = sortDocuments(documents);
  const errors = sorted.filter((d) => d.kind === DocumentKind.error).map((d) => d.body as ErrorBody);
  const gaps = [...gapsFromErrors(errors), ...extraGaps].sort((a, b) =>
    `${a.what} ${a.call ?? ''}`.localeCompare(`${b.what} ${b.call ?? ''}`),
  );
  return { provider: 'aws', scope: { kind: 'account', id: accountId }, method, collectedAt, documents: sorted, gaps };
}
