import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { DetectionEngine, type FirstSeenState } from '../../src/detect/engine.js';
import type { DetectEvent } from '../../src/detect/event.js';
import { loadRuleFile, type Rule } from '../../src/detect/rules.js';
import { historyFile, loadHistory } from '../../src/detect/run.js';
import { tempDir } from '../helpers/cli.js';

const RULE = (sequence: string) => `id: join-rule
title: A joined sequence for testing
description: Two steps joined on different fields.
severity: low
attack: { technique: T1059.009 }
det0078: { analytic: AN0215, tunables: [APISequence] }
match: { properties: { cloud: { const: gcp } } }
${sequence}
response: Look at it and decide.
tests:
  - name: fires
    events: [{ cloud: gcp, operation: Make, newKeyId: k }, { cloud: gcp, operation: Use, actor: { keyId: k } }]
    expect: 1
  - name: quiet
    events: [{ cloud: gcp, operation: Use }]
    expect: 0
`;

async function ruleFrom(text: string): Promise<Rule> {
  const file = join(await tempDir('cloudward-join-'), 'join-rule.yaml');
  await writeFile(file, text);
  return loadRuleFile(file);
}

/** A key made by one principal, then used by another: joined on the key id; the address new to both. */
const CHAIN_RULE = RULE(`sequence:
  window: 24h
  by: [actor.keyId]
  history: { key: [actor.principal], value: [src.ip], lookback: 30d }
  steps:
    - { name: made, by: [newKeyId], match: { required: [newKeyId], properties: { newKeyId: { type: string } } } }
    - { name: used, unseen: [made, used], match: { required: [actor], properties: { actor: { required: [keyId], properties: { keyId: { type: string } } } } } }`);

/** An account whose key, address, network and client are each new, alerting only for narrow habits. */
const HABIT_RULE = RULE(`firstSeen:
  key: [actor.principal]
  value: [actor.keyId, src.ip, src.network, client.tool]
  each: true
  knownAtMost: 1
  lookback: 30d
  warmup: 1h`);

function run(rule: Rule, events: DetectEvent[], history?: Map<string, FirstSeenState>): DetectionEngine {
  const engine = new DetectionEngine([rule], history);
  for (const e of events) engine.process(e);
  engine.finish();
  return engine;
}

const T0 = Date.parse('2026-03-02T09:00:00Z');
function gcpEvent(
  minutes: number,
  over: {
    principal: string;
    keyId?: string | null;
    ip?: string | null;
    network?: DetectEvent['src']['network'];
    operation?: string;
    newKeyId?: string;
  },
): DetectEvent {
  return {
    time: T0 + minutes * 60_000,
    cloud: 'gcp',
    source: 'gcp-audit',
    account: 'p1',
    region: null,
    actor: {
      principal: over.principal,
      type: 'ServiceAccount',
      role: null,
      credential: over.keyId ? 'long-term-key' : 'service',
      keyId: over.keyId ?? null,
      session: null,
      mfa: null,
      compute: null,
    },
    client: {
      kind: 'cli',
      tool: 'gcloud',
      appId: null,
      scripted: true,
      evidence: 'google-cloud-sdk gcloud/460.0.0 command/gcloud.storage.ls invocation-id/1',
    },
    src: { ip: over.ip ?? null, network: over.network ?? (over.ip ? 'public' : null) },
    service: 'storage.googleapis.com',
    operation: over.operation ?? 'storage.objects.list',
    target: null,
    newKeyId: over.newKeyId ?? null,
    access: 'read',
    outcome: 'success',
    error: null,
    accessDenied: false,
    ref: { file: 'x', line: minutes + 1 },
  };
}

test("a step's own by joins it to the earlier step on another field; without it the sequence's by cannot", async (t) => {
  const joined = await ruleFrom(
    RULE(`sequence:
  window: 1h
  by: [actor.keyId]
  steps:
    - { name: made, by: [newKeyId], match: { properties: { operation: { const: Make } } } }
    - { name: used, match: { properties: { operation: { const: Use } } } }`),
  );
  const plain = await ruleFrom(
    RULE(`sequence:
  window: 1h
  by: [actor.keyId]
  steps:
    - { name: made, match: { properties: { operation: { const: Make } } } }
    - { name: used, match: { properties: { operation: { const: Use } } } }`),
  );
  const make = gcpEvent(0, { principal: 'alice@example.com', operation: 'Make', newKeyId: 'k1' });
  const useK1 = gcpEvent(10, { principal: 'svc@p1.iam.gserviceaccount.com', keyId: 'k1', operation: 'Use' });
  const useK2 = gcpEvent(11, { principal: 'svc@p1.iam.gserviceaccount.com', keyId: 'k2', operation: 'Use' });
  const late = gcpEvent(70, { principal: 'svc@p1.iam.gserviceaccount.com', keyId: 'k1', operation: 'Use' });
  const found = run(joined, [make, useK2, useK1]).findings;
  t.is(found.length, 1);
  t.is(found[0]!.group, 'actor.keyId=k1');
  t.deepEqual(
    found[0]!.events.map((r) => r.line),
    [1, 11],
  );
  t.regex(
    found[0]!.message,
    /^made \(alice@example\.com\) then used \(svc@p1\.iam\.gserviceaccount\.com\) within 600s for actor\.keyId=k1$/,
    "the steps' different actors are each named",
  );
  t.is(run(joined, [make, late]).findings.length, 0, 'outside the window');
  t.is(
    run(plain, [make, useK2, useK1]).findings.length,
    0,
    'the create call has no actor.keyId: without a step by nothing joins',
  );
});

test("unseen: the value must be new for the earlier step's actor and for this one, learnt from every matching event", async (t) => {
  const rule = await ruleFrom(CHAIN_RULE);
  const make = gcpEvent(0, { principal: 'alice@example.com', ip: '198.51.100.20', operation: 'Make', newKeyId: 'k1' });
  const found = (before: DetectEvent[], useIp: string | null) =>
    run(rule, [...before, make, gcpEvent(60, { principal: 'svc@p1.iam.gserviceaccount.com', keyId: 'k1', ip: useIp })])
      .findings.length;
  t.is(found([], '203.0.113.45'), 1);
  t.is(found([], '198.51.100.20'), 0, "the maker's address");
  t.is(
    found([gcpEvent(-600, { principal: 'svc@p1.iam.gserviceaccount.com', ip: '203.0.113.45' })], '203.0.113.45'),
    0,
    "the user's own address, from a keyless call",
  );
  t.is(
    found([gcpEvent(-600, { principal: 'bob@example.com', ip: '203.0.113.45' })], '203.0.113.45'),
    1,
    "someone else's address is still new for these two",
  );
  t.is(found([], null), 0, 'no address: nothing can be said to be new');
});

test('with --state what a sequence learnt is kept for the next run', async (t) => {
  const rule = await ruleFrom(CHAIN_RULE);
  const chain = [
    gcpEvent(0, { principal: 'alice@example.com', ip: '198.51.100.20', operation: 'Make', newKeyId: 'k1' }),
    gcpEvent(60, { principal: 'svc@p1.iam.gserviceaccount.com', keyId: 'k1', ip: '203.0.113.45' }),
  ];
  const first = run(rule, [gcpEvent(-2 * 1440, { principal: 'svc@p1.iam.gserviceaccount.com', ip: '203.0.113.45' })]);
  const dir = await tempDir('cloudward-state-');
  const out = historyFile(dir, first.history());
  await writeFile(out.path, out.data);
  t.is(run(rule, chain, await loadHistory(dir)).findings.length, 0);
  t.is(run(rule, chain).findings.length, 1, 'without the history the address is new');
});

test('firstSeen each: every value must be new on its own, and knownAtMost keeps to keys with a narrow habit', async (t) => {
  const rule = await ruleFrom(HABIT_RULE);
  const habit = {
    ...gcpEvent(-1500, { principal: 'svc@p1.iam.gserviceaccount.com', ip: '10.128.0.7', network: 'private' }),
    client: {
      kind: 'sdk' as const,
      tool: 'google-api-go-client',
      appId: null,
      scripted: null,
      evidence: 'google-api-go-client/0.5',
    },
  };
  const attack = gcpEvent(0, { principal: 'svc@p1.iam.gserviceaccount.com', keyId: 'k9', ip: '203.0.113.45' });
  t.is(run(rule, [habit, attack]).findings.length, 1);
  // The habit's own address (a public one this time): not every value is new, though the combination is.
  t.is(run(rule, [{ ...habit, src: { ip: '203.0.113.45', network: 'public' } }, attack]).findings.length, 0);
  // A second habitual address: the habit is no longer narrow.
  t.is(
    run(rule, [habit, { ...habit, time: habit.time + 60_000, src: { ip: '10.128.0.8', network: 'private' } }, attack])
      .findings.length,
    0,
  );
  // The keyless habit taught its address, network and client without a key id, and counted no missing field.
  const engine = run(rule, [habit]);
  t.is(engine.stats.missingField[rule.id], 0);
});
