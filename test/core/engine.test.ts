import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluate, renderMessage } from '../../src/engine/evaluate.js';
import { loadCheckFile } from '../../src/engine/load-checks.js';
import { score } from '../../src/engine/score.js';
import type { Check } from '../../src/engine/types.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { tempDir } from '../helpers/cli.js';

async function check(id: string, body: string): Promise<Check> {
  const dir = await tempDir();
  const file = join(dir, `${id}.yaml`);
  await writeFile(
    file,
    `id: ${id}
title: A check written by the test
description: Exercises one behaviour of the evaluation engine.
mitigation: M1026
measure: credential-security
technique: T1059.009
severity: high
message: "{name} fails"
remediation: Do the right thing with this resource.
references: { nist: ["IA-5"] }
tests:
  - { name: passes, expect: pass }
  - { name: fails, expect: fail }
${body}`,
  );
  return loadCheckFile(file);
}

function snapshot(parts: Partial<Snapshot>, collectedAt = '2026-06-01T00:00:00Z'): Snapshot {
  return {
    schemaVersion: '1.0',
    generator: { name: 't', version: '0' },
    collectedAt,
    sources: [{ provider: 'aws', scope: { kind: 'account', id: '1' }, method: 'import', collectedAt, gaps: [] }],
    principals: [],
    roles: [],
    controls: [],
    hosts: [],
    ...parts,
  };
}

const scope = { kind: 'account' as const, id: '1' };
const user = (name: string, extra: Record<string, unknown> = {}) => ({
  uid: `aws:1:user/${name}`,
  provider: 'aws' as const,
  scope,
  nativeId: name,
  kind: 'user' as const,
  name,
  ...extra,
});

test('ages are measured from the source collectedAt, never the wall clock', async (t) => {
  const c = await check(
    'key-age',
    `resource: principals
require: { properties: { credentials: { items: { properties: { lastRotatedAt: { maxAgeDays: 90 } } } } } }`,
  );
  const principals = [
    user('fresh', {
      credentials: [{ kind: 'accessKey', id: 'k1', active: true, lastRotatedAt: '2026-04-01T00:00:00Z' }],
    }),
  ];
  // 61 days old at collection time: passes, although it is years old by the wall clock of any later run.
  t.is(evaluate(snapshot({ principals }), [c])[0]!.status, 'pass');
  // The same resource in a snapshot taken a year later fails.
  const later = snapshot({ principals }, '2027-06-01T00:00:00Z');
  const result = evaluate(later, [c])[0]!;
  t.is(result.status, 'fail');
  t.is(result.evidence.failed?.[0]?.path, '/credentials/0/lastRotatedAt');
  t.is(result.evidence.failed?.[0]?.actual, '2026-04-01T00:00:00Z');
});

test('absent data is unknown, not pass, even when the schema alone would pass', async (t) => {
  const c = await check(
    'mfa-on',
    `resource: principals
require: { properties: { mfa: { properties: { state: { const: enabled } } } } }`,
  );
  const results = evaluate(
    snapshot({
      principals: [
        user('nomfa'),
        user('unknownmfa', { mfa: { state: 'unknown' } }),
        user('off', { mfa: { state: 'disabled' } }),
      ],
    }),
    [c],
  );
  t.deepEqual(
    results.map((r) => [r.resource.name, r.status]),
    [
      ['nomfa', 'unknown'],
      ['unknownmfa', 'unknown'],
      ['off', 'fail'],
    ],
  );
  t.deepEqual(results[0]!.evidence.missing, ['/mfa/state']);
  t.is(results[2]!.message, 'off fails');
});

test('a definite failure wins over missing data elsewhere in the same resource', async (t) => {
  const c = await check(
    'two-fields',
    `resource: principals
require: { properties: { mfa: { properties: { state: { const: enabled } } }, enabled: { const: false } } }`,
  );
  const [result] = evaluate(snapshot({ principals: [user('x', { enabled: true })] }), [c]);
  t.is(result!.status, 'fail');
  t.deepEqual(result!.evidence.missing, ['/mfa/state']);
});

test('a gap on a needed topic makes the result unknown with the gap as evidence', async (t) => {
  const c = await check(
    'needs-report',
    `resource: principals
needs: [aws.credential-report]
require: { properties: { enabled: { const: true } } }`,
  );
  const s = snapshot({ principals: [user('a', { enabled: true })] });
  s.sources[0]!.gaps.push({
    what: 'aws.credential-report',
    reason: 'AccessDenied',
    call: 'iam:GenerateCredentialReport',
  });
  const [result] = evaluate(s, [c]);
  t.is(result!.status, 'unknown');
  t.deepEqual(result!.evidence.gaps, [
    { what: 'aws.credential-report', reason: 'AccessDenied', call: 'iam:GenerateCredentialReport' },
  ]);
  // A gap on another topic changes nothing.
  s.sources[0]!.gaps[0]!.what = 'aws.cloudtrail';
  t.is(evaluate(s, [c])[0]!.status, 'pass');
});

test('scope aggregates count the matching resources of that scope only', async (t) => {
  const c = await check(
    'two-admins',
    `resource: scopes
aggregate:
  admins: { resource: principals, where: { properties: { privilege: { properties: { level: { const: admin } } } } } }
require: { properties: { admins: { maximum: 1 } } }`,
  );
  const admin = { level: 'admin' as const, reasons: [] };
  const s = snapshot({
    principals: [
      user('a', { privilege: admin }),
      user('b', { privilege: admin }),
      { ...user('c', { privilege: admin }), uid: 'aws:2:user/c', scope: { kind: 'account' as const, id: '2' } },
    ],
  });
  s.sources.push({
    provider: 'aws',
    scope: { kind: 'account', id: '2' },
    method: 'import',
    collectedAt: s.collectedAt,
    gaps: [],
  });
  const results = evaluate(s, [c]);
  t.deepEqual(
    results.map((r) => [r.resource.uid, r.status]),
    [
      ['aws:account/1', 'fail'],
      ['aws:account/2', 'pass'],
    ],
  );
  t.deepEqual((results[0]!.evidence as { members?: Record<string, string[]> }).members?.admins, [
    'aws:1:user/a',
    'aws:1:user/b',
  ]);
  t.deepEqual(results[0]!.evidence.observed, { '/admins': 2 });
});

test('where narrows by provider so other providers are never visited', async (t) => {
  const c = await check(
    'azure-only',
    `resource: principals
where: { properties: { provider: { const: azure } } }
require: { properties: { enabled: { const: true } } }`,
  );
  t.deepEqual(c.providers, ['azure']);
  t.is(evaluate(snapshot({ principals: [user('a', { enabled: false })] }), [c]).length, 0);
});

test('score weighs results by severity and counts unknown as not passing', async (t) => {
  const high = await check(
    's-high',
    `resource: principals
require: { properties: { enabled: { const: true } } }`,
  );
  const low = {
    ...(await check(
      's-low',
      `resource: principals
require: { properties: { guest: { const: false } } }`,
    )),
    severity: 'low' as const,
  };
  const s = snapshot({ principals: [user('a', { enabled: true, guest: true }), user('b', { enabled: false })] });
  const results = evaluate(s, [high, low]);
  // high: a pass (5), b fail (5); low: a fail (1), b unknown (1) => 5 / 12
  const card = score(results, [high, low]);
  t.is(card.overall.score, 41.7);
  t.deepEqual(card.overall.counts, { pass: 1, fail: 2, unknown: 1, waived: 0 });
  const measure = card.mitigations[0]!.measures.find((m) => m.id === 'credential-security')!;
  t.is(measure.checks, 2);
  t.is(card.mitigations[1]!.score, null);
  t.is(card.scopes[0]!.uid, 'aws:account/1');
});

test('passes that observed the same plain values share one evidence object; others do not', async (t) => {
  const c = await check(
    'shared-evidence',
    `resource: principals
require: { properties: { mfa: { properties: { state: { const: enabled } } }, tags: { type: array } } }`,
  );
  const on = { state: 'enabled' };
  const results = evaluate(
    snapshot({
      principals: [
        user('a', { mfa: on, tags: ['x'] }),
        user('b', { mfa: on, tags: ['x'] }),
        user('c', { mfa: on, tags: 'not-a-list' }),
        user('d', { mfa: on, tags: 'not-a-list' }),
      ],
    }),
    [c],
  );
  t.deepEqual(
    results.map((r) => r.status),
    ['pass', 'pass', 'fail', 'fail'],
  );
  // An array among the values: each pass keeps its own copy.
  t.not(results[0]!.evidence, results[1]!.evidence);
  t.deepEqual(results[0]!.evidence, results[1]!.evidence);
  // Failures are never shared.
  t.not(results[2]!.evidence, results[3]!.evidence);

  const simple = await check(
    'shared-evidence-plain',
    `resource: principals
require: { properties: { mfa: { properties: { state: { const: enabled } } }, enabled: { type: boolean } } }`,
  );
  const plain = evaluate(
    snapshot({
      principals: [
        user('a', { mfa: on, enabled: true }),
        user('b', { mfa: on, enabled: true }),
        user('c', { mfa: on, enabled: false }),
      ],
    }),
    [simple],
  );
  t.is(plain[0]!.evidence, plain[1]!.evidence);
  t.not(plain[0]!.evidence, plain[2]!.evidence);
  t.deepEqual(plain[2]!.evidence.observed, { '/mfa/state': 'enabled', '/enabled': false });
  // "true" the string and true the boolean are different observations.
  const mixed = evaluate(
    snapshot({
      principals: [user('a', { mfa: on, enabled: true }), user('b', { mfa: { state: 'enabled' }, enabled: 'true' })],
    }),
    [
      await check(
        'shared-evidence-types',
        `resource: principals
require: { properties: { mfa: { properties: { state: { const: enabled } } }, enabled: {} } }`,
      ),
    ],
  );
  t.not(mixed[0]!.evidence, mixed[1]!.evidence);
});

test('messages fill their placeholders, at either end, side by side, missing or structured', (t) => {
  const resource = { name: 'ana', scope: { id: '42', tags: ['a', 'b'] }, zero: 0, no: false, nothing: null };
  t.is(renderMessage('{name} in {scope.id}', resource), 'ana in 42');
  t.is(renderMessage('{name}{scope.id}', resource), 'ana42');
  t.is(renderMessage('user {name}', resource), 'user ana');
  t.is(renderMessage('no placeholders', resource), 'no placeholders');
  t.is(renderMessage('{absent} and {scope.absent} and {nothing}', resource), '? and ? and ?');
  t.is(renderMessage('{zero} {no} {scope.tags}', resource), '0 false a, b');
  t.is(renderMessage('{scope}', resource), '42');
  t.is(renderMessage('', resource), '');
});

test('messages print lists as text, objects by their name, and take the first present of alternatives', (t) => {
  const resource = {
    uid: 'aws:1:user/ana',
    scope: { kind: 'tenant', id: 't-1' },
    empty: [],
    reasons: ['Owner on subscription dev, with write', 'Reader on group x'],
    groups: [{ name: 'ops', id: 'g1' }, { id: 'g2' }, { other: 1 }],
    assignments: [
      { role: 'gcp:1:roles/viewer', scope: '//storage.googleapis.com/b', mode: 'standing', via: 'direct' },
      { role: 'gcp:1:roles/unlisted', scope: { kind: 'project', id: 'p', name: 'prod' } },
    ],
  };
  t.is(renderMessage('{empty}', resource), 'none');
  // An item with a comma of its own: items are set apart by semicolons.
  t.is(renderMessage('{reasons}', resource), 'Owner on subscription dev, with write; Reader on group x');
  t.is(renderMessage('{groups}', resource), 'ops, g2, {"other":1}');
  // A role assignment reads as "role on scope", the role by its name when the snapshot has it.
  const names = new Map([['gcp:1:roles/viewer', 'roles/viewer']]);
  t.is(
    renderMessage('{assignments}', resource, (uid) => names.get(uid)),
    'roles/viewer on //storage.googleapis.com/b, gcp:1:roles/unlisted on prod',
  );
  t.is(renderMessage('tenant {scope.name|scope.id}', resource), 'tenant t-1');
  t.is(renderMessage('{nativeId|uid} {absent|other}', resource), 'aws:1:user/ana ?');
});

test('a failed anyOf or contains names the alternative that got furthest, with the same verdicts', async (t) => {
  const recent = await check(
    'alternatives-any-of',
    `resource: principals
require:
  properties:
    lastActivityAt:
      anyOf:
        - { type: "null" }
        - { type: string, minAgeDays: 7 }`,
  );
  const [used] = evaluate(snapshot({ principals: [user('root', { lastActivityAt: '2026-05-30T00:00:00Z' })] }), [
    recent,
  ]);
  t.is(used!.status, 'fail');
  // "must be null" restated the other way to pass; the age is what failed.
  t.deepEqual(
    used!.evidence.failed?.map((f) => [f.path, f.message]),
    [['/lastActivityAt', 'must be at least 7 days old']],
  );

  const rules = await check(
    'alternatives-contains',
    `resource: principals
require:
  properties:
    rules:
      contains:
        required: [id, action]
        properties: { id: { const: r1 }, action: { const: block } }
    options: { contains: { const: noexec } }`,
  );
  const [audited] = evaluate(
    snapshot({
      principals: [
        user('host', {
          rules: [
            { id: 'r1', action: 'audit' },
            { id: 'r2', action: 'block' },
          ],
          options: ['rw', 'nodev'],
        }),
      ],
    }),
    [rules],
  );
  t.is(audited!.status, 'fail');
  // The rule with the right id got furthest; no option did better than another, so the array is named as one.
  t.deepEqual(
    audited!.evidence.failed?.map((f) => f.path),
    ['/rules/0/action', '/rules', '/options'],
  );

  // A branch that only lacks data does not take the failure's name from the branch that proves it.
  const either = await check(
    'alternatives-missing',
    `resource: principals
require:
  properties:
    details:
      anyOf:
        - { properties: { a: { const: 1 } } }
        - { properties: { a: { type: number } }, required: [b] }`,
  );
  const [proved] = evaluate(snapshot({ principals: [user('x', { details: { a: 2 } })] }), [either]);
  t.is(proved!.status, 'fail');
  t.deepEqual(
    proved!.evidence.failed?.map((f) => f.path),
    ['/details/a'],
  );
});
