import test from 'ava';
import { classifyUserAgent } from '../../src/detect/clients.js';
import { normalizeRecord, RecordError } from '../../src/detect/normalize.js';

const ref = { file: 'x.json', line: 1 };

test('a CloudTrail record: IAM user with a long-term key from the CLI', (t) => {
  const e = normalizeRecord(
    {
      eventTime: '2026-01-01T00:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      sourceIPAddress: '198.51.100.1',
      userAgent: 'aws-cli/2.15.0 md/awscrt#0.19 ua/2.0',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/a',
        accessKeyId: 'AKIAEXAMPLE',
        accountId: '111122223333',
      },
      recipientAccountId: '111122223333',
    },
    ref,
  );
  t.like(e, {
    cloud: 'aws',
    source: 'cloudtrail',
    account: '111122223333',
    service: 'iam.amazonaws.com',
    operation: 'ListUsers',
    access: 'read',
    outcome: 'success',
    accessDenied: false,
  });
  t.like(e.actor, {
    principal: 'arn:aws:iam::111122223333:user/a',
    credential: 'long-term-key',
    keyId: 'AKIAEXAMPLE',
    mfa: null,
    compute: null,
  });
  t.like(e.client, { kind: 'cli', tool: 'aws-cli' });
  t.is(e.time, Date.parse('2026-01-01T00:00:00Z'));
});

test('a CloudTrail record: an instance-profile session, a denied write, readOnly honoured, service addresses are not IPs', (t) => {
  const e = normalizeRecord(
    {
      eventTime: '2026-01-01T00:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'GetConsoleOutput',
      readOnly: false,
      errorCode: 'Client.UnauthorizedOperation',
      sourceIPAddress: 'ec2.amazonaws.com',
      userAgent: 'ec2.amazonaws.com',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::1:assumed-role/web/i-0123456789abcdef0',
        accessKeyId: 'ASIAX',
        sessionContext: {
          attributes: { mfaAuthenticated: 'false' },
          sessionIssuer: { arn: 'arn:aws:iam::1:role/web' },
          ec2RoleDelivery: '2.0',
        },
      },
    },
    ref,
  );
  t.like(e, { access: 'write', outcome: 'failure', error: 'Client.UnauthorizedOperation', accessDenied: true });
  t.like(e.actor, {
    credential: 'session',
    session: 'i-0123456789abcdef0',
    compute: 'i-0123456789abcdef0',
    role: 'arn:aws:iam::1:role/web',
    mfa: false,
  });
  t.is(e.src.ip, null);
  t.is(e.client.kind, 'service');
});

test('Athena lower-cased columns and lookup-events envelopes read like delivered records', (t) => {
  const athena = normalizeRecord(
    {
      eventtime: '2026-01-01T00:00:00Z',
      eventsource: 's3.amazonaws.com',
      eventname: 'ListBuckets',
      sourceipaddress: '198.51.100.2',
      useragent: 'Boto3/1.34.0 md/Botocore#1.34.0',
      useridentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/b', accesskeyid: 'AKIAB' },
    },
    ref,
  );
  t.like(athena.actor, { principal: 'arn:aws:iam::1:user/b', keyId: 'AKIAB', credential: 'long-term-key' });
  t.like(athena.client, { kind: 'sdk', tool: 'boto3' });
  const inner = {
    eventTime: '2026-01-01T00:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    userAgent: 'TruffleHog',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/c', accessKeyId: 'AKIAC' },
  };
  const lookup = normalizeRecord(
    { EventId: 'e1', EventName: 'GetCallerIdentity', CloudTrailEvent: JSON.stringify(inner) },
    ref,
  );
  t.like(lookup.client, { kind: 'tool', tool: 'trufflehog', evidence: 'TruffleHog' });
  t.throws(() => normalizeRecord({ EventId: 'e1', CloudTrailEvent: '{oops' }, ref), { instanceOf: RecordError });
});

test('Azure Activity Log: the diagnostic export and the az CLI shape give the same event', (t) => {
  const claims = {
    appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'Bob@Contoso.com',
    'http://schemas.microsoft.com/claims/authnmethodsreferences': 'pwd,mfa',
  };
  const diag = normalizeRecord(
    {
      time: '2026-01-01T00:00:00Z',
      resourceId: '/SUBSCRIPTIONS/ABC/PROVIDERS/MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/1',
      operationName: 'MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE',
      resultType: 'Success',
      callerIpAddress: '198.51.100.3',
      identity: { claims },
    },
    ref,
  );
  const cli = normalizeRecord(
    {
      eventTimestamp: '2026-01-01T00:00:00Z',
      caller: 'bob@contoso.com',
      subscriptionId: 'abc',
      operationName: { value: 'Microsoft.Authorization/roleAssignments/write' },
      status: { value: 'Succeeded' },
      httpRequest: { clientIpAddress: '198.51.100.3' },
      claims,
    },
    ref,
  );
  for (const e of [diag, cli]) {
    t.like(e, {
      cloud: 'azure',
      source: 'azure-activity',
      account: 'abc',
      operation: 'microsoft.authorization/roleassignments/write',
      service: 'microsoft.authorization',
      access: 'write',
      outcome: 'success',
    });
    t.like(e.actor, { principal: 'bob@contoso.com', credential: 'session', mfa: true });
    t.like(e.client, { kind: 'cli', tool: 'azure-cli', evidence: 'appid 04b07795-8ddb-461a-bbee-02f9e1bf7b46' });
    t.is(e.src.ip, '198.51.100.3');
  }
  const denied = normalizeRecord(
    {
      time: '2026-01-01T00:00:00Z',
      operationName: 'MICROSOFT.KEYVAULT/VAULTS/READ',
      resultType: 'Failure',
      resultSignature: 'Forbidden.AuthorizationFailed',
      identity: {
        claims: {
          appid: '1950a258-227b-4e31-a9cf-717495945fc2',
          xms_mirid: '/subscriptions/abc/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm1',
          idtyp: 'app',
        },
      },
    },
    ref,
  );
  t.like(denied, { outcome: 'failure', accessDenied: true, access: 'read' });
  t.like(denied.actor, {
    type: 'ManagedIdentity',
    credential: 'service',
    compute: '/subscriptions/abc/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1',
  });
  t.is(denied.client.kind, 'powershell');
});

test('Entra sign-ins from Graph and from diagnostic settings', (t) => {
  const graph = normalizeRecord(
    {
      createdDateTime: '2026-01-01T00:00:00Z',
      userPrincipalName: 'Ann@Contoso.com',
      appId: '1950a258-227b-4e31-a9cf-717495945fc2',
      ipAddress: '198.51.100.4',
      status: { errorCode: 0 },
      mfaDetail: { authMethod: 'PhoneAppNotification' },
    },
    ref,
  );
  t.like(graph, { source: 'entra-signin', operation: 'SignIn', outcome: 'success' });
  t.like(graph.actor, { principal: 'ann@contoso.com', mfa: true });
  t.like(graph.client, { kind: 'powershell', tool: 'azure-powershell', appId: '1950a258-227b-4e31-a9cf-717495945fc2' });
  const diag = normalizeRecord(
    {
      time: '2026-01-01T00:00:00Z',
      category: 'SignInLogs',
      properties: {
        userPrincipalName: 'ann@contoso.com',
        appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
        ipAddress: '198.51.100.4',
        status: { errorCode: 50126 },
        authenticationRequirement: 'singleFactorAuthentication',
      },
    },
    ref,
  );
  t.like(diag, { outcome: 'failure', error: '50126' });
  t.like(diag.actor, { mfa: false });
});

test('GCP audit entries: gcloud in Cloud Shell, scripted gcloud, a denied call, a service-account key', (t) => {
  const base = {
    timestamp: '2026-01-01T00:00:00Z',
    logName: 'projects/p1/logs/cloudaudit.googleapis.com%2Factivity',
    resource: { labels: { project_id: 'p1' } },
  };
  const shell = normalizeRecord(
    {
      ...base,
      protoPayload: {
        serviceName: 'iam.googleapis.com',
        methodName: 'SetIamPolicy',
        authenticationInfo: { principalEmail: 'a@example.com' },
        requestMetadata: {
          callerIp: '34.1.1.1',
          callerSuppliedUserAgent:
            'google-cloud-sdk gcloud/460.0.0 command/gcloud.x environment/devshell from-script/False,gzip(gfe)',
        },
      },
    },
    ref,
  );
  t.like(shell, { cloud: 'gcp', account: 'p1', access: 'write', outcome: 'success' });
  t.like(shell.client, { kind: 'cloud-shell', tool: 'gcloud', scripted: false });
  const scripted = normalizeRecord(
    {
      ...base,
      logName: 'projects/p1/logs/cloudaudit.googleapis.com%2Fdata_access',
      protoPayload: {
        serviceName: 'storage.googleapis.com',
        methodName: 'storage.buckets.list',
        status: { code: 7 },
        authenticationInfo: {
          principalEmail: 'sa@p1.iam.gserviceaccount.com',
          serviceAccountKeyName:
            '//iam.googleapis.com/projects/p1/serviceAccounts/sa@p1.iam.gserviceaccount.com/keys/abc123',
        },
        requestMetadata: {
          callerIp: '198.51.100.5',
          callerSuppliedUserAgent:
            'google-cloud-sdk gcloud/460.0.0 command/gcloud.storage.buckets.list environment/None from-script/True,gzip(gfe)',
        },
      },
    },
    ref,
  );
  t.like(scripted, { access: 'read', outcome: 'failure', accessDenied: true, error: '7' });
  t.like(scripted.actor, { credential: 'long-term-key', keyId: 'abc123', type: 'ServiceAccount' });
  t.like(scripted.client, { kind: 'cli', scripted: true });
});

test('user agents map to client kinds, with offensive tools first', (t) => {
  const cases: Array<[string, string, string | null]> = [
    [
      'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 exec-env/CloudShell exe/x86_64.amzn.2023',
      'cloud-shell',
      'aws-cli',
    ],
    ['aws-cli/2.15.0 md/awscrt#0.19 ua/2.0 os/linux#6.5 distrib#kali', 'tool', 'kali'],
    ['Boto3/1.26.165 Python/3.10.6 Linux/5.15 Botocore/1.29.165', 'sdk', 'boto3'],
    [
      'AWSPowerShell.Common/4.1.500.0 .NET_Core/6.0 OS/Linux PowerShellCore/7.-1 ClientAsync',
      'powershell',
      'aws-powershell',
    ],
    ['AZURECLI/2.58.0 (DEB)', 'cli', 'azure-cli'],
    ['Mozilla/5.0 (X11; Linux x86_64)', 'browser', null],
    ['console.amazonaws.com', 'console', null],
    ['azurehound/v2.1.7', 'tool', 'azurehound'],
    ['something-else/1.0', 'unknown', null],
  ];
  for (const [ua, kind, tool] of cases) t.like(classifyUserAgent(ua), { kind, tool }, ua);
  t.is(classifyUserAgent(null).kind, 'unknown');
});

test('records without a readable time, or of no known log, are refused', (t) => {
  t.throws(() => normalizeRecord({ eventSource: 's', eventName: 'n', eventTime: 'yesterday' }, ref), {
    instanceOf: RecordError,
    message: /eventTime/,
  });
  t.throws(() => normalizeRecord({ hello: 'world' }, ref), { instanceOf: RecordError, message: /not a CloudTrail/ });
});

test('events name their target: a secret, parameters (sorted), the policy an attach call attaches, an Azure resource, a GCP resource', (t) => {
  const ct = (eventName: string, requestParameters: unknown) =>
    normalizeRecord(
      {
        eventTime: '2026-01-01T00:00:00Z',
        eventSource: 'x.amazonaws.com',
        eventName,
        requestParameters,
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/a' },
      },
      ref,
    );
  t.is(ct('GetSecretValue', { secretId: 'prod/db' }).target, 'prod/db');
  t.is(ct('GetParameters', { names: ['/b', '/a'], withDecryption: true }).target, '/a,/b');
  t.is(
    ct('AttachUserPolicy', { userName: 'x', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }).target,
    'arn:aws:iam::aws:policy/AdministratorAccess',
  );
  t.is(ct('ListUsers', null).target, null);
  const az = normalizeRecord(
    {
      time: '2026-01-01T00:00:00Z',
      resourceId: '/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/A',
      operationName: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION',
      resultType: 'Success',
    },
    ref,
  );
  t.is(az.target, '/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/a');
  const gcp = normalizeRecord(
    {
      timestamp: '2026-01-01T00:00:00Z',
      protoPayload: {
        serviceName: 'secretmanager.googleapis.com',
        methodName: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
        resourceName: 'projects/1/secrets/s/versions/latest',
        authenticationInfo: { principalEmail: 'a@example.com' },
      },
    },
    ref,
  );
  t.is(gcp.target, 'projects/1/secrets/s/versions/latest');
});

test('GCP redacted caller addresses are no address and lie inside Google; a service account is placed even without a key', (t) => {
  const base = {
    timestamp: '2026-01-01T00:00:00Z',
    logName: 'projects/p1/logs/cloudaudit.googleapis.com%2Fdata_access',
    resource: { labels: { project_id: 'p1' } },
  };
  const call = (callerIp: string | undefined, principalEmail = 'svc@p1.iam.gserviceaccount.com') =>
    normalizeRecord(
      {
        ...base,
        protoPayload: {
          serviceName: 'storage.googleapis.com',
          methodName: 'storage.objects.get',
          authenticationInfo: { principalEmail },
          requestMetadata: callerIp === undefined ? {} : { callerIp },
        },
      },
      ref,
    );
  for (const redacted of ['private', 'gce-internal-ip'])
    t.deepEqual(call(redacted).src, { ip: null, network: 'private' }, redacted);
  t.deepEqual(call(undefined).src, { ip: null, network: null });
  t.deepEqual(call('10.128.0.7').src, { ip: '10.128.0.7', network: 'private' });
  t.deepEqual(call('203.0.113.45').src, { ip: '203.0.113.45', network: 'public' });
  // People's calls are not placed (no rule asks), as before.
  t.deepEqual(call('203.0.113.45', 'alice@example.com').src, { ip: '203.0.113.45', network: null });
});

test('GCP CreateServiceAccountKey names the key it made (newKeyId), from response.name', (t) => {
  const entry = {
    timestamp: '2026-01-01T00:00:00Z',
    logName: 'projects/p1/logs/cloudaudit.googleapis.com%2Factivity',
    resource: { type: 'service_account', labels: { project_id: 'p1' } },
  };
  const make = normalizeRecord(
    {
      ...entry,
      protoPayload: {
        serviceName: 'iam.googleapis.com',
        methodName: 'google.iam.admin.v1.CreateServiceAccountKey',
        resourceName: 'projects/-/serviceAccounts/1122',
        authenticationInfo: { principalEmail: 'alice@example.com' },
        response: { name: 'projects/p1/serviceAccounts/svc@p1.iam.gserviceaccount.com/keys/6a1f0c2d' },
      },
    },
    ref,
  );
  t.is(make.newKeyId, '6a1f0c2d');
  t.is(make.target, 'projects/-/serviceAccounts/1122');
  const other = normalizeRecord(
    {
      ...entry,
      protoPayload: {
        serviceName: 'iam.googleapis.com',
        methodName: 'google.iam.admin.v1.CreateServiceAccount',
        authenticationInfo: { principalEmail: 'alice@example.com' },
        response: { name: 'projects/p1/serviceAccounts/svc@p1.iam.gserviceaccount.com' },
      },
    },
    ref,
  );
  t.is(other.newKeyId, null);
});
