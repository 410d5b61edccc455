import test from 'ava';
import { sortDocuments } from '../../src/providers/cloud/order.js';
import type { RawDocument } from '../../src/providers/types.js';

test('documents are ordered by kind, then by content, whichever kinds repeat', (t) => {
  const doc = (kind: string, body: unknown): RawDocument => ({ kind, origin: `${kind}.json`, body });
  const documents = [
    doc('iam.status', { IsLogging: true, Name: 'b' }),
    doc('iam', { Users: [{ Arn: 'x' }] }),
    doc('iam.status', { IsLogging: false, Name: 'a' }),
    doc('iam.details', { UserDetailList: [] }),
    doc('error', { Operation: 'B' }),
    doc('iam.details', { GroupDetailList: [] }),
    doc('error', { Operation: 'A' }),
    doc('iam.status', { IsLogging: true, Name: 'a' }),
  ];
  // What the order has always been: one key of kind and serialized content.
  const expected = [...documents].sort((a, b) => {
    const [x, y] = [`${a.kind}\u0000${JSON.stringify(a.body)}`, `${b.kind}\u0000${JSON.stringify(b.body)}`];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (const order of [documents, [...documents].reverse()]) t.deepEqual(sortDocuments(order), expected);
});
