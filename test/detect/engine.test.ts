import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { DetectEvent } from '../../src/detect/event.js';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { tempDir } from '../helpers/cli.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function event(i: number, over: Partial<DetectEvent> & { principal?: string; ip?: string } = {}): DetectEvent {
  const { principal, ip, ...rest } = over;
  return {
    time: T0 + i * 1000,
    cloud: 'aws',
    source: 'cloudtrail',
    account: '1',
    region: null,
    actor: {
      principal: principal ?? `user-${i}`,
      type: 'IAMUser',
      role: null,
      credential: 'long-term-key',
      keyId: `AKIA${principal ?? i}`,
      session: null,
      mfa: null,
      compute: null,
    },
    client: { kind: 'cli', tool: 'aws-cli', appId: null, scripted: null, evidence: 'aws-cli/2' },
    src: { ip: ip ?? '198.51.100.1', network: null },
    service: 'ec2.amazonaws.com',
    operation: 'DescribeInstances',
    target: null,
    access: 'read',
    outcome: 'success',
    error: null,
    accessDenied: false,
    ref: { file: 'x', line: i + 1 },
    ...rest,
  };
}

test('rule state is bounded by what the rules keep, not by the number of events', async (t) => {
  const rules = (await loadRules()).filter((r) => r.threshold);
  const engine = new DetectionEngine(rules);
  // 300,000 events from 300,000 different actors, one a second: windows of 10 s and 10 min hold few of them.
  for (let i = 0; i < 300_000; i++)
    engine.process(event(i, { accessDenied: i % 2 === 0, outcome: i % 2 === 0 ? 'failure' : 'success' }));
  engine.finish();
  t.true(engine.stats.peakState < 2_000, `peak ${engine.stats.peakState}`);
  t.is(engine.findings.length, 0);
});

test('first-seen state forgets values past the look-back', async (t) => {
  const rules = (await loadRules()).filter((r) => r.id === 'long-term-key-new-source');
  const engine = new DetectionEngine(rules);
  // One key from a new address every minute for 30 days: the 10-day look-back keeps about 14,400 of them.
  for (let i = 0; i < 30 * 1440; i++)
    engine.process({ ...event(i * 60, { principal: 'k', ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }) });
  engine.finish();
  const values = engine.history().get('long-term-key-new-source')!.keys.get('AKIAk')!.size;
  t.true(values <= 10 * 1440 + 50_000 / 60 + 2, `${values}`);
  t.true(values >= 10 * 1440 - 10, `${values}`);
});

test('an alert is deduplicated per rule and actor within its window, and counted', async (t) => {
  const rules = (await loadRules()).filter((r) => r.id === 'offensive-tool-user-agent');
  const engine = new DetectionEngine(rules);
  for (let i = 0; i < 10; i++)
    engine.process(
      event(i * 60, {
        principal: 'mallory',
        client: { kind: 'tool', tool: 'trufflehog', appId: null, scripted: null, evidence: 'TruffleHog' },
      }),
    );
  engine.process(
    event(2 * 3600, {
      principal: 'mallory',
      client: { kind: 'tool', tool: 'trufflehog', appId: null, scripted: null, evidence: 'TruffleHog' },
    }),
  );
  const findings = engine.finish();
  t.is(findings.length, 2);
  t.is(findings[0]!.duplicates, 9);
});

test('records out of order inside a file are put back in order; beyond the lateness they are counted late', async (t) => {
  const dir = await tempDir();
  const line = (s: number, name: string) =>
    JSON.stringify({
      eventTime: new Date(T0 + s * 1000).toISOString(),
      eventSource: 'sts.amazonaws.com',
      eventName: name,
      sourceIPAddress: '198.51.100.1',
      userAgent: 'aws-cli/2',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::1:assumed-role/r/s',
        sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::1:role/r' } },
      },
      readOnly: false,
    });
  const rules = (await loadRules()).filter((r) => r.id === 'iam-then-execution');
  // The IAM change is written after the execution it precedes (by 2 minutes): within the lateness the sequence holds.
  await writeFile(
    join(dir, 'a.jsonl'),
    [
      line(120, 'SendCommand').replace('sts.amazonaws.com', 'ssm.amazonaws.com'),
      line(0, 'CreateAccessKey').replace('sts.amazonaws.com', 'iam.amazonaws.com'),
      line(7200, 'GetCallerIdentity'),
    ].join('\n'),
  );
  const inOrder = await runDetection([dir], rules, { lateness: 15 * 60_000, maxDocumentBytes: 1 << 20 });
  t.is(inOrder.findings.length, 1);
  t.is(inOrder.late, 0);
  // Records are read in batches of 4096; one that arrives a batch after later ones, beyond the lateness, is late.
  const filler = Array.from({ length: 20000 }, (_, i) => line(1000 + i, 'GetCallerIdentity'));
  filler.splice(15000, 0, line(100, 'GetCallerIdentity'));
  await writeFile(join(dir, 'a.jsonl'), filler.join('\n'));
  const tooLate = await runDetection([dir], rules, { lateness: 60_000, maxDocumentBytes: 1 << 20 });
  t.is(tooLate.late, 1);
  t.true(tooLate.gaps.some((g) => /1 event\(s\) arrived more than 1 min out of time order/.test(g)));
});

test('UTF-8 characters split across reads and UTF-16 exports from PowerShell are decoded intact', async (t) => {
  const dir = await tempDir();
  const name = `Zoë Ångström ${'日本😀'.repeat(60)}`;
  const record = (i: number) =>
    JSON.stringify({
      eventTimestamp: new Date(T0 + i * 1000).toISOString(),
      caller: `${name}@contoso.com`,
      operationName: { value: 'Microsoft.Resources/subscriptions/resourceGroups/read' },
      status: { value: 'Succeeded' },
      subscriptionId: 'abc',
      claims: { appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' },
    });
  // Enough lines that chunk boundaries fall inside multi-byte characters somewhere.
  const lines = Array.from({ length: 3000 }, (_, i) => record(i)).join('\n');
  await writeFile(join(dir, 'utf8.jsonl'), lines);
  await writeFile(
    join(dir, 'utf16.json'),
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`[${Array.from({ length: 3000 }, (_, i) => record(i)).join(',\n')}]`, 'utf16le'),
    ]),
  );
  const rules = (await loadRules()).filter((r) => r.id === 'iam-write-by-reader');
  const result = await runDetection([dir], rules, { lateness: 15 * 60_000, maxDocumentBytes: 1 << 26 });
  t.is(result.badCount, 0);
  t.is(result.stats.events, 6000);
  const history = result.history.get('iam-write-by-reader')!;
  t.deepEqual([...history.keys.keys()], [`${name.toLowerCase()}@contoso.com`]);
});
