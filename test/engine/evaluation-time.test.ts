import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadCheckFile } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';
import type { Snapshot, Source } from '../../src/snapshot/model.js';
import { EXAMPLE, runCli, tempDir } from '../helpers/cli.js';

async function check(id: string, body: string): Promise<Check> {
  const file = join(await tempDir(), `${id}.yaml`);
  await writeFile(
    file,
    `id: ${id}
title: A check written by the test
description: Exercises how the engine measures ages.
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

const source = (id: string, collectedAt: string): Source => ({
  provider: 'aws',
  scope: { kind: 'account', id },
  method: 'import',
  collectedAt,
  gaps: [],
});

function snapshot(
  sources: Source[],
  principals: Snapshot['principals'],
  collectedAt = '2027-06-01T00:00:00Z',
): Snapshot {
  return {
    schemaVersion: '1.0',
    generator: { name: 't', version: '0' },
    collectedAt,
    sources,
    principals,
    roles: [],
    controls: [],
    hosts: [],
  };
}

const user = (account: string, name: string, createdAt: string) =>
  ({
    uid: `aws:${account}:user/${name}`,
    provider: 'aws',
    scope: { kind: 'account', id: account },
    nativeId: name,
    kind: 'user',
    name,
    createdAt,
    mfa: { state: 'enabled' },
  }) as Snapshot['principals'][number];

test('an age keyword in where selects by the resource source collectedAt', async (t) => {
  const c = await check(
    'new-users-mfa',
    `resource: principals
where: { properties: { provider: { const: aws }, createdAt: { maxAgeDays: 30 } } }
require: { properties: { mfa: { properties: { state: { const: enabled } } } } }`,
  );
  const results = evaluate(
    snapshot(
      [source('1', '2026-06-01T00:00:00Z')],
      [user('1', 'new', '2026-05-20T00:00:00Z'), user('1', 'old', '2025-01-01T00:00:00Z')],
    ),
    [c],
  );
  t.deepEqual(
    results.map((r) => [r.resource.name, r.status]),
    [['new', 'pass']],
  );
});

test('with several sources each resource is judged against its own source collectedAt, in where and require', async (t) => {
  const selecting = await check(
    'recent-users',
    `resource: principals
where: { properties: { createdAt: { maxAgeDays: 30 } } }
require: { properties: { mfa: { properties: { state: { const: enabled } } } } }`,
  );
  const requiring = await check(
    'users-created-recently',
    `resource: principals
require: { properties: { createdAt: { maxAgeDays: 30 } } }`,
  );
  // Both users are 12 days old when their own account was read; account 2 was read a year after account 1.
  const snap = snapshot(
    [source('1', '2026-06-01T00:00:00Z'), source('2', '2027-06-01T00:00:00Z')],
    [
      user('1', 'a', '2026-05-20T00:00:00Z'),
      user('2', 'b', '2027-05-20T00:00:00Z'),
      user('2', 'c', '2026-05-20T00:00:00Z'),
    ],
  );
  t.deepEqual(
    evaluate(snap, [selecting]).map((r) => r.resource.name),
    ['a', 'b'],
    'c was a year old when account 2 was read',
  );
  t.deepEqual(
    evaluate(snap, [requiring]).map((r) => [r.resource.name, r.status]),
    [
      ['a', 'pass'],
      ['b', 'pass'],
      ['c', 'fail'],
    ],
  );
  const later = snapshot(
    [source('1', '2026-06-01T00:00:00Z'), source('2', '2027-06-01T00:00:00Z')],
    [user('2', 'b', '2026-05-20T00:00:00Z'), user('1', 'a', '2026-05-20T00:00:00Z')],
  );
  t.deepEqual(
    evaluate(later, [requiring]).map((r) => [r.resource.name, r.status]),
    [
      ['b', 'fail'],
      ['a', 'pass'],
    ],
  );
});

test('an age keyword in an aggregate where counts by the scope source collectedAt', async (t) => {
  const c = await check(
    'few-new-users',
    `resource: scopes
aggregate:
  newUsers: { resource: principals, where: { properties: { createdAt: { maxAgeDays: 30 } } } }
require: { properties: { newUsers: { maximum: 1 } } }`,
  );
  const snap = snapshot(
    [source('1', '2026-06-01T00:00:00Z'), source('2', '2027-06-01T00:00:00Z')],
    [
      user('1', 'a', '2026-05-20T00:00:00Z'),
      user('1', 'b', '2026-05-21T00:00:00Z'),
      user('2', 'c', '2026-05-20T00:00:00Z'),
    ],
  );
  t.deepEqual(
    evaluate(snap, [c]).map((r) => [
      r.resource.scope.id,
      r.status,
      (r.evidence.observed as Record<string, unknown>)['/newUsers'],
    ]),
    [
      ['1', 'fail', 2],
      ['2', 'pass', 0],
    ],
  );
});

test('a compiled schema called without a reference time does not hold an age', async (t) => {
  const c = await check(
    'no-clock',
    `resource: principals
require: { properties: { createdAt: { maxAgeDays: 30 } } }`,
  );
  t.false(c.requires({ createdAt: '2026-05-20T00:00:00Z' }));
  t.true(c.requires.call({ now: Date.parse('2026-06-01T00:00:00Z') }, { createdAt: '2026-05-20T00:00:00Z' }));
});

test('a failed age states its limit in the evidence', async (t) => {
  const requiring = await check(
    'users-created-recently',
    `resource: principals
require: { properties: { createdAt: { maxAgeDays: 30 }, lastActivityAt: { minAgeDays: 7 } } }`,
  );
  const old = {
    ...user('1', 'old', '2026-01-01T00:00:00Z'),
    lastActivityAt: '2026-05-30T00:00:00Z',
  } as Snapshot['principals'][number];
  const [result] = evaluate(snapshot([source('1', '2026-06-01T00:00:00Z')], [old]), [requiring]);
  t.is(result!.status, 'fail');
  t.deepEqual(
    result!.evidence.failed?.map((f) => [f.path, f.message]),
    [
      ['/createdAt', 'must be at most 30 days old'],
      ['/lastActivityAt', 'must be at least 7 days old'],
    ],
  );
});

test('the built-in checks, loaded as the CLI loads them (from the build cache when current), state age limits too', async (t) => {
  const run = await runCli(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none', '--quiet']);
  t.is(run.code, 0, run.stderr);
  const messages = (
    JSON.parse(run.stdout) as { results: Array<{ evidence: { failed?: Array<{ keyword: string; message: string }> } }> }
  ).results
    .flatMap((r) => r.evidence.failed ?? [])
    .filter((f) => /AgeDays$/.test(f.keyword))
    .map((f) => f.message);
  t.true(messages.length > 0);
  for (const message of messages) t.regex(message, /^must be at (most|least) \d+ days old$/);
});
