import test from 'ava';
import { readFile } from 'node:fs/promises';
import { UserError } from '../../src/errors.js';
import { snapshotDigest } from '../../src/snapshot/digest.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import { scopeKey, type Snapshot, type SnapshotPart } from '../../src/snapshot/model.js';
import { SnapshotSpool } from '../../src/snapshot/spool.js';
import { EXAMPLE } from '../helpers/cli.js';

async function exampleParts(): Promise<SnapshotPart[]> {
  const snapshot = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  return snapshot.sources.map((source) => {
    const mine = <T extends { provider: string; scope: { kind: string; id: string } }>(list: T[]) =>
      list.filter(
        (r) =>
          scopeKey(r.provider, r.scope as Snapshot['sources'][0]['scope']) === scopeKey(source.provider, source.scope),
      );
    return {
      sources: [source],
      principals: mine(snapshot.principals),
      roles: mine(snapshot.roles),
      controls: mine(snapshot.controls),
      hosts: mine(snapshot.hosts),
    };
  });
}

test('a spooled snapshot is byte for byte the assembled one, whatever order the parts arrive in', async (t) => {
  const parts = await exampleParts();
  const at = '2026-11-01T09:00:00Z';
  const expected = `${JSON.stringify(assembleSnapshot(parts, at), null, 2)}\n`;
  const spool = new SnapshotSpool();
  t.teardown(() => spool.dispose());
  const keyed = parts.map((part, i) => ({ key: String(i).padStart(3, '0'), part }));
  for (const { key, part } of [...keyed].reverse()) spool.add(key, part);
  const text = [...spool.pieces(at)].join('');
  t.is(text, expected);
  const parsed = JSON.parse(text) as Snapshot;
  t.is(parsed.digest, snapshotDigest(parsed));
  t.is(spool.counts.principals, parsed.principals.length);
});

test('an empty spool writes an empty snapshot; duplicate uids, scopes and invalid parts are refused', async (t) => {
  const empty = new SnapshotSpool();
  t.teardown(() => empty.dispose());
  t.is(
    [...empty.pieces('2026-11-01T09:00:00Z')].join(''),
    `${JSON.stringify(assembleSnapshot([], '2026-11-01T09:00:00Z'), null, 2)}\n`,
  );
  const [first] = await exampleParts();
  const spool = new SnapshotSpool();
  t.teardown(() => spool.dispose());
  spool.add('a', first!);
  t.throws(() => spool.add('b', first!), { instanceOf: UserError, message: /collected twice/ });
  t.throws(
    () =>
      spool.add('c', {
        ...first!,
        sources: [],
        principals: [{ ...first!.principals[0]!, mfa: { state: 'maybe' } } as never],
      }),
    { instanceOf: UserError, message: /invalid snapshot/ },
  );
});
