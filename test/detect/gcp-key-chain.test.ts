import { readFile } from 'node:fs/promises';
import test from 'ava';
import { DetectionEngine } from '../../src/detect/engine.js';
import { normalizeRecord } from '../../src/detect/normalize.js';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { fixture } from '../helpers/cli.js';

const google = (name: string) => fixture('vendor', 'detect', 'google', name);
const OPTIONS = { lateness: 15 * 60_000, maxDocumentBytes: 1 << 30 };
const CHAIN = 'gcp-key-created-used-new-address';
const HABIT = 'gcp-sa-habit-break-gcloud-key';

async function ruleIds(file: string): Promise<string[]> {
  const result = await runDetection([google(file)], await loadRules(), OPTIONS);
  return [...new Set(result.findings.map((f) => f.ruleId))].sort();
}

test("Google's own audit entry of a call made with a service-account key reads as that key, from a private address", async (t) => {
  const record = JSON.parse(await readFile(google('knative-gcp-audit-log-entry.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const e = normalizeRecord(record, { file: 'x', line: 1 });
  t.like(e.actor, {
    principal: 'robot@test-project.iam.gserviceaccount.com',
    type: 'ServiceAccount',
    credential: 'long-term-key',
    keyId: '90f662482321f1ca8e82ea675b1a1c30c1fe681f',
  });
  t.like(e.src, { ip: '192.168.0.1', network: 'private' });
  t.is(e.newKeyId, null);
  // The same key created from a public address and then used as Google recorded it (a private address): no new place.
  const engine = new DetectionEngine((await loadRules()).filter((r) => r.id === CHAIN));
  engine.process({
    ...e,
    time: e.time - 3_600_000,
    actor: { ...e.actor, principal: 'alice@example.com', type: 'User', credential: 'session', keyId: null },
    src: { ip: '198.51.100.20', network: null },
    operation: 'google.iam.admin.v1.CreateServiceAccountKey',
    newKeyId: e.actor.keyId,
  });
  engine.process(e);
  t.is(engine.finish().length, 0);
});

test('a key created, then used within a day from an address neither its creator nor the account used, is found; so is the break in the account habit', async (t) => {
  t.deepEqual(await ruleIds('documented-key-chain.jsonl'), [CHAIN, HABIT]);
});

for (const [file, what] of [
  ['documented-key-creator-address.jsonl', "the key used from its creator's own address"],
  [
    'documented-key-google-internal.jsonl',
    "the key used inside Google's network (callerIp private, gce-internal-ip, none)",
  ],
  ['documented-key-rotation.jsonl', "keys rotated by a job and used from the account's usual address"],
] as const) {
  test(`${what} stays quiet`, async (t) => {
    t.deepEqual(await ruleIds(file), []);
  });
}

test('CreateServiceAccountKey names the new key by the id its later calls carry; other calls name none', async (t) => {
  const lines = (await readFile(google('documented-key-chain.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => normalizeRecord(JSON.parse(l) as Record<string, unknown>, { file: 'x', line: 1 }));
  const created = lines.find((e) => e.operation === 'google.iam.admin.v1.CreateServiceAccountKey')!;
  const used = lines.filter((e) => e.actor.keyId !== null);
  t.is(created.newKeyId, '6a1f0c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49');
  t.true(used.length > 0 && used.every((e) => e.actor.keyId === created.newKeyId));
  t.true(lines.filter((e) => e !== created).every((e) => e.newKeyId === null));
});
