import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { normalizeRecord } from '../../src/detect/normalize.js';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { fixture, tempDir } from '../helpers/cli.js';

// How a sign-in was made (Graph signIn beta `authenticationProtocol` / `originalTransferMethod`; the SigninLogs and
// AADNonInteractiveUserSignInLogs columns of the same names in PascalCase), read in every sign-in shape detect knows.
// Field names and values: test/fixtures/vendor/detect/microsoft-graph-docs/README.md.

const ref = { file: 'x.json', line: 1 };
const OPTIONS = { lateness: 15 * 60_000, maxDocumentBytes: 1 << 30 };
const POWERSHELL = '1950a258-227b-4e31-a9cf-717495945fc2';
const CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

test('a device-code sign-in is recognised in the Graph, diagnostic-settings and Log Analytics shapes', (t) => {
  const graph = normalizeRecord(
    {
      createdDateTime: '2026-01-01T00:00:00Z',
      userPrincipalName: 'eve@contoso.com',
      appId: POWERSHELL,
      authenticationProtocol: 'deviceCode',
      originalTransferMethod: 'none',
      deviceDetail: { operatingSystem: 'Windows 10' },
      status: { errorCode: 0 },
    },
    ref,
  );
  const diag = normalizeRecord(
    {
      time: '2026-01-01T00:00:00Z',
      category: 'SignInLogs',
      operationName: 'Sign-in activity',
      properties: {
        userPrincipalName: 'eve@contoso.com',
        appId: POWERSHELL,
        authenticationProtocol: 'deviceCode',
        deviceDetail: { operatingSystem: 'Windows 10' },
        status: { errorCode: 0 },
      },
    },
    ref,
  );
  const row = normalizeRecord(
    {
      TimeGenerated: '2026-01-01T00:00:00Z',
      Type: 'SigninLogs',
      UserPrincipalName: 'eve@contoso.com',
      AppId: POWERSHELL,
      ResultType: '0',
      AuthenticationProtocol: 'deviceCode',
      DeviceDetail: '{"operatingSystem":"Windows 10","browser":""}',
    },
    ref,
  );
  for (const e of [graph, diag, row]) {
    t.like(e, { source: 'entra-signin', signInMethod: 'deviceCode', deviceOs: 'Windows 10', outcome: 'success' });
    t.like(e.client, { tool: 'azure-powershell' });
  }
});

test('a later sign-in of a session the device code flow began counts as a device-code sign-in', (t) => {
  // Refreshes say authenticationProtocol none; originalTransferMethod keeps how the session began.
  const graph = normalizeRecord(
    {
      createdDateTime: '2026-01-01T00:00:00Z',
      userPrincipalName: 'eve@contoso.com',
      appId: CLI,
      authenticationProtocol: 'none',
      originalTransferMethod: 'deviceCodeFlow',
      isInteractive: false,
      status: { errorCode: 0 },
    },
    ref,
  );
  const row = normalizeRecord(
    {
      TimeGenerated: '2026-01-01T00:00:00Z',
      Type: 'AADNonInteractiveUserSignInLogs',
      UserPrincipalName: 'eve@contoso.com',
      AppId: CLI,
      ResultType: '0',
      AuthenticationProtocol: 'none',
      OriginalTransferMethod: 'deviceCodeFlow',
    },
    ref,
  );
  for (const e of [graph, row]) t.is(e.signInMethod, 'deviceCode');
  const refresh = normalizeRecord(
    {
      TimeGenerated: '2026-01-01T00:00:00Z',
      Type: 'AADNonInteractiveUserSignInLogs',
      UserPrincipalName: 'eve@contoso.com',
      AppId: CLI,
      ResultType: '0',
      AuthenticationProtocol: 'none',
      OriginalTransferMethod: 'none',
    },
    ref,
  );
  t.is(refresh.signInMethod, 'none');
});

test('a sign-in that does not say how it was made (Graph v1.0) has no sign-in method, and other logs have none either', (t) => {
  const v1 = normalizeRecord(
    {
      createdDateTime: '2026-01-01T00:00:00Z',
      userPrincipalName: 'eve@contoso.com',
      appId: CLI,
      status: { errorCode: 0 },
    },
    ref,
  );
  t.is(v1.signInMethod, null);
  t.is(v1.deviceOs, null);
  const activity = normalizeRecord(
    {
      time: '2026-01-01T00:00:00Z',
      resourceId: '/SUBSCRIPTIONS/S1/PROVIDERS/MICROSOFT.PORTAL/CONSOLES/DEFAULT',
      operationName: 'MICROSOFT.PORTAL/CONSOLES/WRITE',
      resultType: 'Success',
      identity: { claims: { appid: CLI } },
    },
    ref,
  );
  t.is(activity.signInMethod, undefined);
});

test("Microsoft Graph's own example of a browser sign-in to the portal reads as oAuth2 and raises no device-code finding", async (t) => {
  const file = fixture('vendor', 'detect', 'microsoft-graph-docs', 'signins-beta-azure-portal.json');
  const rules = (await loadRules()).filter((r) => r.id.includes('device-code'));
  t.is(rules.length, 2);
  const result = await runDetection([file], rules, OPTIONS);
  t.deepEqual(
    result.findings.map((f) => f.ruleId),
    [],
  );
  const [record] = (JSON.parse(await readFile(file, 'utf8')) as { value: Array<Record<string, unknown>> }).value;
  t.like(normalizeRecord(record!, ref), { signInMethod: 'oAuth2', deviceOs: 'Windows 10', outcome: 'failure' });
});

const listKeys = (time: string, account: string, upn: string, appid = POWERSHELL) =>
  JSON.stringify({
    time,
    resourceId: `/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/${account}`,
    operationName: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION',
    category: 'Administrative',
    resultType: 'Success',
    callerIpAddress: '203.0.113.9',
    identity: { claims: { appid, 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': upn } },
  });
const signIn = (time: string, upn: string, protocol: string, appId = POWERSHELL) =>
  JSON.stringify({
    time,
    resourceId: '/tenants/t1/providers/Microsoft.aadiam',
    operationName: 'Sign-in activity',
    category: 'SignInLogs',
    tenantId: 't1',
    resultType: '0',
    callerIpAddress: '203.0.113.9',
    properties: {
      userPrincipalName: upn,
      appId,
      appDisplayName: 'Microsoft Azure PowerShell',
      ipAddress: '203.0.113.9',
      authenticationProtocol: protocol,
      isInteractive: true,
      status: { errorCode: 0 },
    },
  });

async function detectOn(signIns: string[], activity: string[]) {
  const dir = await tempDir('cloudward-device-code-');
  await writeFile(join(dir, 'signins.json'), `${signIns.join('\n')}\n`);
  await writeFile(join(dir, 'PT1H.json'), `${activity.join('\n')}\n`);
  const result = await runDetection([dir], await loadRules(), OPTIONS);
  return result.findings.map((f) => `${f.ruleId} ${f.actor}`).sort();
}

test('across two exported logs: a device-code sign-in to Azure PowerShell, then keys of three accounts listed, is found', async (t) => {
  const found = await detectOn(
    [signIn('2026-01-01T10:00:00Z', 'eve@contoso.com', 'deviceCode')],
    [
      listKeys('2026-01-01T10:04:00Z', 'FINANCE', 'eve@contoso.com'),
      listKeys('2026-01-01T10:04:20Z', 'PAYROLL', 'eve@contoso.com'),
      listKeys('2026-01-01T10:04:40Z', 'BACKUPS', 'eve@contoso.com'),
    ],
  );
  t.true(found.includes('azure-device-code-signin-key-listing eve@contoso.com'), found.join('; '));
  t.true(found.includes('entra-device-code-signin eve@contoso.com'), found.join('; '));
});

test('across two exported logs: a browser sign-in before one account listed, and a device-code sign-in without listing, stay quiet for the chain', async (t) => {
  const found = await detectOn(
    [
      signIn('2026-01-01T10:00:00Z', 'bob@contoso.com', 'oAuth2'),
      signIn('2026-01-01T10:00:00Z', 'ann@contoso.com', 'deviceCode', CLI),
    ],
    [listKeys('2026-01-01T10:04:00Z', 'WEB', 'bob@contoso.com')],
  );
  t.false(
    found.some((f) => f.startsWith('azure-device-code-signin-key-listing')),
    found.join('; '),
  );
  t.deepEqual(
    found.filter((f) => f.startsWith('entra-device-code-signin')),
    ['entra-device-code-signin ann@contoso.com'],
  );
});
