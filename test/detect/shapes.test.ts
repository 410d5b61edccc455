import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { DetectEvent } from '../../src/detect/event.js';
import { normalizeRecord } from '../../src/detect/normalize.js';
import { newFileStats, readLogFile, type BadRecord, type FileStats } from '../../src/detect/read.js';
import { fixture, tempDir } from '../helpers/cli.js';

const ELASTIC = (name: string) => fixture('vendor', 'detect', 'elastic-integrations', name);

/** The documents an Elastic export holds: the vendor test file's `expected` list, one document per line. */
async function elasticExport(
  names: string[],
  edit: (doc: Record<string, unknown>) => void = () => undefined,
): Promise<string> {
  const docs: Array<Record<string, unknown>> = [];
  for (const name of names)
    docs.push(
      ...(JSON.parse(await readFile(ELASTIC(name), 'utf8')) as { expected: Array<Record<string, unknown>> }).expected,
    );
  for (const doc of docs) edit(doc);
  const file = join(await tempDir('cloudward-shapes-'), 'cloudtrail-ecs.ndjson');
  await writeFile(file, `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
  return file;
}

async function readAll(file: string): Promise<{ events: DetectEvent[]; bad: BadRecord[]; stats: FileStats }> {
  const bad: BadRecord[] = [];
  const stats: FileStats = newFileStats(file);
  const events: DetectEvent[] = [];
  for await (const batch of readLogFile(file, { maxDocumentBytes: 1 << 30, onBad: (b) => bad.push(b) }, stats))
    events.push(...batch);
  return { events, bad, stats };
}

test('CloudTrail indexed by the Elastic AWS integration (ECS names, @timestamp, no eventTime) is read field by field', async (t) => {
  const { events, bad, stats } = await readAll(
    await elasticExport([
      'test-attach-user-policy-json.log-expected.json',
      'test-create-access-key-json.log-expected.json',
    ]),
  );
  t.deepEqual(bad, []);
  t.is(stats.format, 'cloudtrail-elastic');
  t.is(events.length, 2);
  const attach = events.find((e) => e.operation === 'AttachUserPolicy')!;
  t.like(attach, {
    cloud: 'aws',
    source: 'cloudtrail',
    service: 'iam.amazonaws.com',
    account: '000000000',
    region: 'us-east-1',
    access: 'write',
    outcome: 'success',
    target: 'arn:aws:iam::aws:policy/AdministratorAccess',
  });
  t.is(attach.time, Date.parse('2024-10-30T20:01:59Z'));
  t.like(attach.actor, {
    principal: 'arn:aws:sts::000000000:assumed-role/ec2-instance-role/i-06815aa7cf7d21f8f',
    type: 'AssumedRole',
    role: 'arn:aws:iam::000000000:role/ec2-instance-role',
    credential: 'session',
    compute: 'i-06815aa7cf7d21f8f',
    mfa: false,
  });
  t.like(attach.client, { kind: 'cli', tool: 'aws-cli' });
  t.is(attach.src.ip, '216.160.83.56');
  const key = events.find((e) => e.operation === 'CreateAccessKey')!;
  t.like(key.actor, { principal: 'arn:aws:iam::0123456789012:user/Alice', type: 'IAMUser', mfa: true });
  t.is(key.client.kind, 'console');
});

test('the Elastic documents read the same without the optional event.original copy', async (t) => {
  const withOriginal = await readAll(await elasticExport(['test-attach-user-policy-json.log-expected.json']));
  const without = await readAll(
    await elasticExport(
      ['test-attach-user-policy-json.log-expected.json'],
      (doc) => delete (doc.event as Record<string, unknown>).original,
    ),
  );
  t.deepEqual(
    without.events.map(({ ref: _r, ...e }) => e),
    withOriginal.events.map(({ ref: _r, ...e }) => e),
  );
});

test('CloudTrail re-exported through the Logstash cloudtrail codec (eventTime moved to @timestamp) is read', async (t) => {
  // logstash-plugins/logstash-codec-cloudtrail lib/logstash/codecs/cloudtrail.rb: event['@timestamp'] = event.delete('eventTime')
  const doc = (
    JSON.parse(await readFile(ELASTIC('test-create-access-key-json.log-expected.json'), 'utf8')) as {
      expected: Array<{ event: { original: string } }>;
    }
  ).expected[0]!;
  const record = JSON.parse(doc.event.original) as Record<string, unknown>;
  record['@timestamp'] = record.eventTime;
  delete record.eventTime;
  const e = normalizeRecord(record, { file: 'logstash.json', line: 1 });
  t.is(e.time, Date.parse('2020-01-08T20:43:06Z'));
  t.like(e, { operation: 'CreateAccessKey', service: 'iam.amazonaws.com', target: 'Bob' });
  t.like(e.actor, { principal: 'arn:aws:iam::0123456789012:user/Alice', mfa: true });
});

test('Entra ID audit logs from a diagnostic setting are their own log, not Activity Log events', async (t) => {
  const { events, bad, stats } = await readAll(ELASTIC('test-audit-logs-sample.log'));
  t.deepEqual(bad, []);
  t.is(stats.format, 'entra-audit');
  t.is(events.length, 3);
  const added = events.find((e) => e.operation === 'Add service principal credentials')!;
  t.like(added, {
    cloud: 'azure',
    source: 'entra-audit',
    account: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
    access: 'write',
    outcome: 'success',
    target: 'billing-test-wus',
  });
  t.like(added.actor, {
    principal: 'b9814691-9ca1-4e55-a1ac-8ef5dd010ec0',
    type: 'ServicePrincipal',
    credential: 'service',
  });
  t.is(added.src.ip, '1.128.3.4');
  t.is(added.time, Date.parse('2022-01-22T18:15:02.5168093Z'));
});

test('the Elastic sample of an instance-profile session attaching AdministratorAccess from outside AWS is found without history', async (t) => {
  const { loadRules } = await import('../../src/detect/rules.js');
  const { runDetection } = await import('../../src/detect/run.js');
  const file = await elasticExport(['test-attach-user-policy-json.log-expected.json']);
  const result = await runDetection([file], await loadRules(), { lateness: 15 * 60_000, maxDocumentBytes: 1 << 30 });
  t.deepEqual(
    result.findings.map((f) => f.ruleId),
    ['instance-credentials-outside-cloud'],
  );
  t.is(result.findings[0]!.srcIp, '216.160.83.56');
});

test('CloudTrail as Datadog keeps it (address, user agent and event name moved to its standard attributes) keeps them', (t) => {
  // Datadog's standard attributes (docs.datadoghq.com/standard-attributes): network.client.ip, http.useragent, evt.name;
  // its CloudTrail pipeline remaps sourceIPAddress, userAgent and eventName onto them.
  const e = normalizeRecord(
    {
      eventTime: '2026-01-01T00:00:00Z',
      eventSource: 'iam.amazonaws.com',
      evt: { name: 'CreateAccessKey' },
      network: { client: { ip: '198.51.100.8' } },
      http: { useragent: 'aws-cli/2.15.0 md/awscrt#0.19 ua/2.0' },
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a', accessKeyId: 'AKIAEXAMPLE' },
    },
    { file: 'dd.json', line: 1 },
  );
  t.is(e.operation, 'CreateAccessKey');
  t.is(e.src.ip, '198.51.100.8');
  t.like(e.client, { kind: 'cli', tool: 'aws-cli' });
});

/**
 * Rows as `az monitor log-analytics query` prints them: the table's PascalCase columns (Azure Monitor table reference:
 * SigninLogs, AADNonInteractiveUserSignInLogs, AuditLogs, AzureActivity), dynamic columns as JSON text, and
 * `TableName`. No vendor-written row sample was found; the column names and types are the reference's.
 */
test('Log Analytics (Sentinel) table rows are read by their PascalCase columns', (t) => {
  const ref = { file: 'la.json', line: 1 };
  const signin = normalizeRecord(
    {
      TenantId: 'ws-1',
      TimeGenerated: '2026-01-01T00:00:00Z',
      CreatedDateTime: '2026-01-01T00:00:00Z',
      Type: 'AADNonInteractiveUserSignInLogs',
      Category: 'NonInteractiveUserSignInLogs',
      UserPrincipalName: 'Eve@Contoso.com',
      AppId: '1950a258-227b-4e31-a9cf-717495945fc2',
      AppDisplayName: 'Microsoft Azure PowerShell',
      IPAddress: '203.0.113.9',
      ResultType: '0',
      AuthenticationRequirement: 'singleFactorAuthentication',
      UserAgent: 'Mozilla/5.0',
      AADTenantId: 't-1',
      TableName: 'PrimaryResult',
    },
    ref,
  );
  t.like(signin, { source: 'entra-signin', outcome: 'success', account: 't-1' });
  t.like(signin.actor, { principal: 'eve@contoso.com', mfa: false });
  t.like(signin.client, { tool: 'azure-powershell' });
  t.is(signin.src.ip, '203.0.113.9');
  const failed = normalizeRecord(
    {
      TimeGenerated: '2026-01-01T00:00:00Z',
      Type: 'SigninLogs',
      UserPrincipalName: 'a@contoso.com',
      AppId: 'x',
      IPAddress: '203.0.113.9',
      ResultType: '50126',
    },
    ref,
  );
  t.like(failed, { outcome: 'failure', error: '50126' });
  const audit = normalizeRecord(
    {
      TimeGenerated: '2026-01-01T00:00:00Z',
      Type: 'AuditLogs',
      OperationName: 'Add member to role',
      ActivityDisplayName: 'Add member to role',
      Result: 'success',
      AADTenantId: 't-1',
      InitiatedBy: JSON.stringify({ user: { userPrincipalName: 'Eve@Contoso.com', ipAddress: '203.0.113.9' } }),
      TargetResources: JSON.stringify([{ displayName: 'billing-sync', type: 'ServicePrincipal' }]),
    },
    ref,
  );
  t.like(audit, { source: 'entra-audit', operation: 'Add member to role', target: 'billing-sync', outcome: 'success' });
  t.is(audit.actor.principal, 'eve@contoso.com');
  const activity = normalizeRecord(
    {
      TimeGenerated: '2026-01-01T00:00:00Z',
      Type: 'AzureActivity',
      OperationNameValue: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION',
      ActivityStatusValue: 'Success',
      Caller: 'eve@contoso.com',
      CallerIpAddress: '203.0.113.9',
      SubscriptionId: 'S1',
      _ResourceId: '/subscriptions/s1/resourcegroups/rg/providers/microsoft.storage/storageaccounts/a',
      Claims: JSON.stringify({
        appid: '1950a258-227b-4e31-a9cf-717495945fc2',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'eve@contoso.com',
      }),
    },
    ref,
  );
  t.like(activity, {
    source: 'azure-activity',
    operation: 'microsoft.storage/storageaccounts/listkeys/action',
    outcome: 'success',
    account: 's1',
    target: '/subscriptions/s1/resourcegroups/rg/providers/microsoft.storage/storageaccounts/a',
  });
  t.like(activity.client, { tool: 'azure-powershell' });
  t.is(activity.src.ip, '203.0.113.9');
});
