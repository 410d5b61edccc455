import { readFile } from 'node:fs/promises';
import test from 'ava';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check, Result } from '../../src/engine/types.js';
import { projectedResults, sameJson } from '../../src/engine/reuse.js';
import type { Principal, Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE } from '../helpers/cli.js';

const SCOPE = 'aws:account/222222222222';
const key = (r: Result) => `${r.checkId} ${r.resource.kind} ${r.resource.uid}`;
const sorted = (results: Result[]) => results.map((r) => JSON.stringify(r)).sort();

let example: Snapshot;
let checks: Check[];

test.before(async () => {
  example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Snapshot;
  checks = await loadChecks();
});

test('sameJson: same values with keys in the same order; anything not JSON is different', (t) => {
  t.true(sameJson({ a: 1, b: [1, { c: null }] }, { a: 1, b: [1, { c: null }] }));
  t.false(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }), 'key order shows in evidence');
  t.false(sameJson([1, 2], [1, 2, 3]));
  t.false(sameJson({ a: [] }, { a: {} }));
  t.false(sameJson({ a: 1 }, { a: '1' }));
  t.false(sameJson(Number.NaN, Number.NaN));
  t.false(sameJson(new Date(0), new Date(0)));
  t.false(sameJson(new Map([[1, 2]]), new Map([[1, 3]])));
});

/** The example with one principal of account 222222222222 changed, one with its keys reordered, one removed and one added. */
function projectedExample(): { after: Snapshot; changed: string; reordered: string; removed: string; added: string } {
  const users = example.principals.filter(
    (p) => `${p.provider}:${p.scope.kind}/${p.scope.id}` === SCOPE && p.kind === 'user',
  );
  const [changed, reordered, removed] = [users[0]!, users[1]!, users[2]!];
  const principals = example.principals
    .filter((p) => p !== removed)
    .map((p) => {
      if (p === changed)
        return {
          ...structuredClone(p),
          mfa: { state: p.mfa?.state === 'enabled' ? 'disabled' : 'enabled' },
        } as Principal;
      if (p === reordered)
        return Object.fromEntries(Object.entries(structuredClone(p)).reverse()) as unknown as Principal;
      return structuredClone(p);
    });
  const added = {
    ...structuredClone(changed),
    uid: 'aws:222222222222:user/added-by-plan',
    name: 'added-by-plan',
    nativeId: 'arn:aws:iam::222222222222:user/added-by-plan',
  } as Principal;
  return {
    after: { ...example, principals: [...principals, added] },
    changed: changed.uid,
    reordered: reordered.uid,
    removed: removed.uid,
    added: added.uid,
  };
}

test('projected results are those of a full evaluation, reusing the results of resources that did not change', (t) => {
  const { after, changed, reordered, removed, added } = projectedExample();
  const before = evaluate(example, checks);
  // Marked results show which were reused: only those of unchanged resources may come back.
  const marked = before.map((r) => ({ ...r, message: `${r.message} (before)` }));
  const out = projectedResults({
    before: example,
    results: marked,
    after,
    projectedScopes: [SCOPE],
    checks,
    passEvidence: true,
  });
  const full = evaluate(after, checks);
  t.deepEqual(sorted(out.map((r) => ({ ...r, message: r.message.replace(/ \(before\)$/, '') }))), sorted(full));
  const reused = new Set(out.filter((r) => r.message.endsWith('(before)')).map(key));
  for (const uid of [changed, reordered, added])
    t.true(
      full.some((r) => r.resource.uid === uid),
      uid,
    );
  for (const r of full) {
    const inScope = `${r.resource.provider}:${r.resource.scope.kind}/${r.resource.scope.id}` === SCOPE;
    const fresh = [changed, reordered, added].includes(r.resource.uid) || (inScope && r.resource.kind === 'scopes');
    t.is(reused.has(key(r)), !fresh, key(r));
  }
  t.false(out.some((r) => r.resource.uid === removed));
});

test('resources named to be evaluated again are, in any scope, with the evidence asked for', (t) => {
  const before = evaluate(example, checks, undefined, { passEvidence: false });
  const outside = before.find(
    (r) =>
      r.status === 'pass' &&
      r.resource.kind === 'principals' &&
      r.resource.provider === 'azure' &&
      r.checkId === 'azure-privileged-users-mfa-registered',
  );
  t.truthy(outside);
  const out = projectedResults({
    before: example,
    results: before,
    after: example,
    projectedScopes: [],
    checks,
    again: new Set([outside!.resource.uid]),
    passEvidence: true,
  });
  const again = out.filter((r) => r.resource.uid === outside!.resource.uid);
  t.true(again.length > 0 && again.every((r) => r.status !== 'pass' || Object.keys(r.evidence.observed).length > 0));
  t.deepEqual(
    sorted(out.filter((r) => r.resource.uid !== outside!.resource.uid)),
    sorted(before.filter((r) => r.resource.uid !== outside!.resource.uid)),
  );
});
