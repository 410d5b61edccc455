/**
 * A seeded generator of audit logs for `cloudward detect`: two days of benign activity across AWS (CloudTrail
 * delivered files, gzip), Azure (Activity Log JSON lines as diagnostic settings write them, Entra sign-ins as Graph
 * pages) and GCP (sink JSON lines, gzip, and one `gcloud logging read` array), with attacks planted on the second day.
 * `expected` says how many findings each rule must raise; the benign traffic alone must raise none.
 *
 * Benign actors show every habit (their addresses, clients, Cloud Shell use, writes) within the first hour, so that
 * first-seen rules have learnt them by the end of their 24 h warm-up; they never make more than three distinct calls
 * in ten seconds, and IAM writers never run code on compute.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Prng } from './prng.js';

export const DETECT_SEED = 20260101;
const DAY0 = Date.parse('2026-03-02T00:00:00Z');
const HOUR = 3_600_000;
const ACCOUNT = '111122223333';
const SUB = '00000000-0000-0000-0000-00000000a001';
const TENANT = '00000000-0000-0000-0000-00000000e001';
const PROJECT = 'acme-prod';
const CLI_APP = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const PS_APP = '1950a258-227b-4e31-a9cf-717495945fc2';
const PORTAL_APP = 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c';

const UA = {
  awsCli:
    'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exe/x86_64.ubuntu.22 prompt/off',
  boto3:
    'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  cloudShell:
    'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython exec-env/CloudShell exe/x86_64.amzn.2023 prompt/off',
  browser:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  terraform:
    'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 aws-sdk-go-v2/1.26.0',
  gcloud: (cmd: string, env = 'None', script = 'False') =>
    `google-cloud-sdk gcloud/468.0.0 command/gcloud.${cmd} invocation-id/0f1e2d3c environment/${env} environment-version/None client-os/LINUX interactive/False from-script/${script} python/3.11.8 term/xterm,gzip(gfe)`,
  gcpTerraform:
    'Terraform/1.7.5 (+https://www.terraform.io) Terraform-Plugin-SDK/2.10.1 terraform-provider-google/5.21.0,gzip(gfe)',
  gcpPython: 'gl-python/3.11.8 grpc/1.62.1 gax/2.17.1 gapic/2.14.2 gccl/2.14.2,gzip(gfe)',
};

const AWS_READS = [
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'DescribeVpcs'],
  ['s3.amazonaws.com', 'ListBuckets'],
  ['s3.amazonaws.com', 'GetBucketPolicy'],
  ['iam.amazonaws.com', 'ListRoles'],
  ['iam.amazonaws.com', 'GetUser'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['lambda.amazonaws.com', 'ListFunctions20150331'],
  ['rds.amazonaws.com', 'DescribeDBInstances'],
  ['logs.amazonaws.com', 'DescribeLogGroups'],
  ['cloudformation.amazonaws.com', 'DescribeStacks'],
  ['kms.amazonaws.com', 'ListKeys'],
] as const;
const AZ_READS = [
  'microsoft.compute/virtualmachines/read',
  'microsoft.storage/storageaccounts/read',
  'microsoft.network/virtualnetworks/read',
  'microsoft.resources/subscriptions/resourcegroups/read',
  'microsoft.keyvault/vaults/read',
];
const GCP_READS = [
  ['compute.googleapis.com', 'v1.compute.instances.list'],
  ['storage.googleapis.com', 'storage.buckets.list'],
  ['iam.googleapis.com', 'google.iam.admin.v1.ListServiceAccounts'],
  ['container.googleapis.com', 'google.container.v1.ClusterManager.ListClusters'],
  ['cloudresourcemanager.googleapis.com', 'GetIamPolicy'],
  ['compute.googleapis.com', 'v1.compute.disks.list'],
] as const;

type Rec = Record<string, unknown>;
interface Timed {
  t: number;
  cloud: 'aws' | 'azure' | 'signin' | 'gcp';
  rec: Rec;
}

// ---------------------------------------------------------------- record builders (provider shapes)

/**
 * What delivered CloudTrail records carry besides who/what/when (shape after the Stratus Red Team and Elastic vendor
 * fixtures in test/fixtures/vendor/detect/): the request's parameters, the response for writes, the TLS details, the
 * resources touched. They make a record about 1.2 KB, as real ones are; detect reads none of them but the parameters.
 */
function requestOf(name: string, p: Prng): { params: Rec | null; response: Rec | null; resources?: Rec[] } {
  const region = 'us-east-1';
  switch (name) {
    case 'DescribeInstances':
      return {
        params: {
          instancesSet: {},
          filterSet: {
            items: [
              { name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } },
              { name: 'tag:Environment', valueSet: { items: [{ value: 'production' }] } },
            ],
          },
          maxResults: 1000,
        },
        response: null,
      };
    case 'DescribeVpcs':
      return { params: { vpcSet: {}, filterSet: {} }, response: null };
    case 'ListBuckets':
      return { params: { Host: `s3.${region}.amazonaws.com` }, response: null };
    case 'GetBucketPolicy':
    case 'PutObject': {
      const bucket = `acme-${p.pick(['artifacts', 'logs', 'reports', 'backups', 'static'])}-${ACCOUNT}`;
      const key = name === 'PutObject' ? `exports/${p.hex(8)}/part-${p.int(0, 999)}.parquet` : undefined;
      return {
        params: {
          bucketName: bucket,
          Host: `${bucket}.s3.${region}.amazonaws.com`,
          ...(key ? { key, 'x-amz-server-side-encryption': 'aws:kms' } : { policy: '' }),
        },
        response: key
          ? {
              'x-amz-server-side-encryption': 'aws:kms',
              'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${region}:${ACCOUNT}:key/${p.guid()}`,
            }
          : null,
        resources: [
          ...(key ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }] : []),
          { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
        ],
      };
    }
    case 'ListRoles':
      return { params: { maxItems: 100, pathPrefix: '/' }, response: null };
    case 'GetUser':
      return { params: null, response: null };
    case 'ListFunctions20150331':
      return { params: { maxItems: 50, functionVersion: 'ALL' }, response: null };
    case 'DescribeDBInstances':
      return { params: { maxRecords: 100, includeShared: false }, response: null };
    case 'DescribeLogGroups':
      return {
        params: { logGroupNamePrefix: `/aws/lambda/acme-${p.pick(['api', 'worker', 'etl'])}`, limit: 50 },
        response: null,
      };
    case 'DescribeStacks':
      return {
        params: {
          stackName: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/acme-${p.pick(['network', 'data', 'app'])}/${p.guid()}`,
        },
        response: null,
      };
    case 'ListKeys':
      return { params: { limit: 100 }, response: null };
    case 'CreateTags':
      return {
        params: {
          resourcesSet: { items: [{ resourceId: `i-0${p.hex(16)}` }] },
          tagSet: {
            items: [
              { key: 'Owner', value: 'platform' },
              { key: 'CostCenter', value: `cc-${p.int(100, 999)}` },
            ],
          },
        },
        response: { requestId: p.guid(), _return: true },
      };
    case 'SendCommand':
      return { params: null, response: null };
    default:
      return { params: null, response: null };
  }
}

function ct(
  t: number,
  o: {
    src: string;
    name: string;
    ua: string;
    ip: string;
    id: Rec;
    error?: string;
    readOnly?: boolean;
    prng: Prng;
    params?: Rec | null;
  },
): Timed {
  const req = requestOf(o.name, o.prng);
  const params = o.params !== undefined ? o.params : req.params;
  // An assumed-role session carries its creation time even when MFA is not recorded, as delivered records do.
  const id = o.id.sessionContext
    ? {
        ...o.id,
        sessionContext: {
          attributes: {
            creationDate: new Date(t - 1_800_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            mfaAuthenticated: 'false',
          },
          ...(o.id.sessionContext as Rec),
          webIdFederationData: {},
        },
      }
    : o.id;
  return {
    t,
    cloud: 'aws',
    rec: {
      eventVersion: '1.09',
      userIdentity: { ...id, accountId: ACCOUNT },
      eventTime: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: o.src,
      eventName: o.name,
      awsRegion: 'us-east-1',
      sourceIPAddress: o.ip,
      userAgent: o.ua,
      ...(o.error
        ? {
            errorCode: o.error,
            errorMessage: `User: ${String(o.id.arn)} is not authorized to perform: ${o.src.split('.')[0]}:${o.name} because no identity-based policy allows the ${o.src.split('.')[0]}:${o.name} action`,
          }
        : {}),
      requestParameters: o.error ? null : params,
      responseElements: o.error ? null : req.response,
      ...(o.name === 'PutObject' || o.name === 'GetBucketPolicy'
        ? {
            additionalEventData: {
              SignatureVersion: 'SigV4',
              CipherSuite: 'TLS_AES_128_GCM_SHA256',
              bytesTransferredIn: 0,
              AuthenticationMethod: 'AuthHeader',
              'x-amz-id-2': o.prng.hex(40),
              bytesTransferredOut: 0,
            },
          }
        : {}),
      requestID: o.prng.guid(),
      eventID: o.prng.guid(),
      ...(o.readOnly !== undefined ? { readOnly: o.readOnly } : {}),
      ...(req.resources ? { resources: req.resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      tlsDetails: {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: `${o.src.split('.')[0]}.us-east-1.amazonaws.com`,
      },
      ...(o.ua.startsWith('Mozilla/') ? { sessionCredentialFromConsole: 'true' } : {}),
    },
  };
}
const iamUser = (name: string, key: string): Rec => ({
  type: 'IAMUser',
  principalId: `AIDA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accessKeyId: key,
  userName: name,
});
const assumed = (role: string, session: string, key: string, mfa: boolean | null, extra: Rec = {}): Rec => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLE${role.toUpperCase()}:${session}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
  accessKeyId: key,
  sessionContext: {
    ...(mfa === null ? {} : { attributes: { creationDate: '2026-03-02T00:00:00Z', mfaAuthenticated: String(mfa) } }),
    sessionIssuer: {
      type: 'Role',
      principalId: `AROAEXAMPLE${role.toUpperCase()}`,
      arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      accountId: ACCOUNT,
      userName: role,
    },
    ...extra,
  },
});

function az(
  t: number,
  o: {
    op: string;
    upn: string | null;
    app: string;
    ip: string;
    mfa: boolean;
    result?: string;
    prng: Prng;
    mirid?: string;
  },
): Timed {
  // The token claims a delivered Activity Log record carries (most of its size), after Azure's documented sample.
  const iat = Math.floor(t / 1000) - 600;
  const claims: Rec = {
    aud: 'https://management.core.windows.net/',
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: String(iat),
    nbf: String(iat),
    exp: String(iat + 4200),
    'http://schemas.microsoft.com/claims/authnclassreference': '1',
    aio: o.prng.hex(48),
    appid: o.app,
    appidacr: '0',
    ipaddr: o.ip,
    'http://schemas.microsoft.com/claims/authnmethodsreferences': o.mfa ? 'pwd,mfa' : 'pwd',
    'http://schemas.microsoft.com/identity/claims/objectidentifier': o.prng.guid(),
    'http://schemas.microsoft.com/identity/claims/scope': 'user_impersonation',
    'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': o.prng.hex(43),
    puid: o.prng.hex(16).toUpperCase(),
    rh: `0.${o.prng.hex(40)}.`,
    ver: '1.0',
    wids: 'b79fbf4d-3ef9-4689-8143-76b194e85509',
    xms_tcdt: '1589206112',
  };
  if (o.upn) claims['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'] = o.upn;
  else {
    claims.idtyp = 'app';
    if (o.mirid) claims.xms_mirid = o.mirid;
  }
  return {
    t,
    cloud: 'azure',
    rec: {
      time: new Date(t).toISOString(),
      resourceId: `/SUBSCRIPTIONS/${SUB.toUpperCase()}/RESOURCEGROUPS/RG-APP/PROVIDERS/${o.op.split('/').slice(0, 2).join('/').toUpperCase()}/X`,
      operationName: o.op.toUpperCase(),
      category: 'Administrative',
      resultType: o.result ?? 'Success',
      resultSignature: o.result === 'Failure' ? 'Forbidden.AuthorizationFailed' : 'Succeeded.',
      durationMs: '120',
      callerIpAddress: o.ip,
      correlationId: o.prng.guid(),
      identity: {
        authorization: {
          scope: `/subscriptions/${SUB}/resourceGroups/rg-app`,
          action: o.op,
          evidence: {
            role: 'Contributor',
            roleAssignmentScope: `/subscriptions/${SUB}`,
            roleAssignmentId: o.prng.hex(32),
            roleDefinitionId: 'b24988ac618042a0ab8820f7382dd24c',
            principalId: o.prng.hex(32),
            principalType: o.upn ? 'User' : 'ServicePrincipal',
          },
        },
        claims,
      },
      level: 'Information',
      location: 'global',
      properties: {
        statusCode: o.result === 'Failure' ? 'Forbidden' : 'OK',
        serviceRequestId: o.prng.guid(),
        eventCategory: 'Administrative',
        entity: `/subscriptions/${SUB}/resourceGroups/rg-app`,
        message: o.op,
        hierarchy: `${TENANT}/${SUB}`,
      },
    },
  };
}

function signIn(
  t: number,
  o: { upn: string; app: string; appName: string; ip: string; ua?: string; prng: Prng; ok?: boolean },
): Timed {
  return {
    t,
    cloud: 'signin',
    rec: {
      id: o.prng.guid(),
      createdDateTime: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      userDisplayName: o.upn.split('@')[0],
      userPrincipalName: o.upn,
      userId: o.prng.guid(),
      appId: o.app,
      appDisplayName: o.appName,
      ipAddress: o.ip,
      clientAppUsed: o.app === PORTAL_APP ? 'Browser' : 'Mobile Apps and Desktop clients',
      correlationId: o.prng.guid(),
      conditionalAccessStatus: 'success',
      isInteractive: true,
      resourceDisplayName: 'Windows Azure Service Management API',
      resourceId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
      status: {
        errorCode: o.ok === false ? 50126 : 0,
        failureReason: o.ok === false ? 'Invalid username or password.' : null,
      },
      ...(o.ua ? { userAgent: o.ua } : {}),
      authenticationRequirement: 'multiFactorAuthentication',
      riskDetail: 'none',
      riskLevelAggregated: 'none',
      riskLevelDuringSignIn: 'none',
      riskState: 'none',
      riskEventTypes_v2: [],
      // The device, location and conditional-access detail Graph returns with every sign-in (most of its size).
      deviceDetail: {
        deviceId: '',
        displayName: '',
        operatingSystem: o.app === PORTAL_APP ? 'Windows10' : 'Linux',
        browser: o.app === PORTAL_APP ? 'Chrome 122.0.0' : '',
        isCompliant: false,
        isManaged: false,
        trustType: '',
      },
      location: {
        city: 'Amsterdam',
        state: 'Noord-Holland',
        countryOrRegion: 'NL',
        geoCoordinates: { altitude: null, latitude: 52.37403, longitude: 4.88969 },
      },
      appliedConditionalAccessPolicies: [
        {
          id: 'a1b2c3d4-0000-4000-8000-000000000001',
          displayName: 'Require MFA for admins',
          enforcedGrantControls: ['Mfa'],
          enforcedSessionControls: [],
          result: 'success',
        },
        {
          id: 'a1b2c3d4-0000-4000-8000-000000000002',
          displayName: 'Block legacy authentication',
          enforcedGrantControls: ['Block'],
          enforcedSessionControls: [],
          result: 'notApplied',
        },
      ],
      authenticationDetails: [
        {
          authenticationStepDateTime: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          authenticationMethod: 'Previously satisfied',
          authenticationMethodDetail: null,
          succeeded: true,
          authenticationStepResultDetail: 'First factor requirement satisfied by claim in the token',
          authenticationStepRequirement: 'Primary authentication',
        },
      ],
      authenticationProcessingDetails: [
        { key: 'Legacy TLS (TLS 1.0, 1.1, 3DES)', value: 'False' },
        { key: 'Is CAE Token', value: 'False' },
      ],
      tokenIssuerType: 'AzureAD',
      tokenIssuerName: '',
      processingTimeInMilliseconds: 85,
      isTenantRestricted: false,
      autonomousSystemNumber: 64500,
      crossTenantAccessType: 'none',
      incomingTokenType: 'none',
      flaggedForReview: false,
    },
  };
}

function gcp(
  t: number,
  o: {
    service: string;
    method: string;
    who: string;
    ip: string;
    ua: string;
    code?: number;
    read: boolean;
    prng: Prng;
    key?: string;
    resource?: string;
  },
): Timed {
  return {
    t,
    cloud: 'gcp',
    rec: {
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        ...(o.code ? { status: { code: o.code, message: 'PERMISSION_DENIED' } } : { status: {} }),
        authenticationInfo: {
          principalEmail: o.who,
          ...(o.key
            ? {
                serviceAccountKeyName: `//iam.googleapis.com/projects/${PROJECT}/serviceAccounts/${o.who}/keys/${o.key}`,
              }
            : {}),
        },
        requestMetadata: {
          callerIp: o.ip,
          callerSuppliedUserAgent: o.ua,
          requestAttributes: { time: new Date(t).toISOString(), auth: {} },
          destinationAttributes: {},
        },
        serviceName: o.service,
        methodName: o.method,
        resourceName: o.resource ?? `projects/${PROJECT}`,
        // What Cloud Audit Logs entries carry besides the caller (most of their size).
        authorizationInfo: [
          {
            resource: `projects/${PROJECT}`,
            permission: `${o.service.split('.')[0]}.${o.read ? 'list' : 'create'}`,
            granted: !o.code,
            resourceAttributes: { service: o.service, name: `projects/${PROJECT}`, type: `${o.service}/Project` },
            permissionType: o.read ? 'ADMIN_READ' : 'ADMIN_WRITE',
          },
        ],
        request: {
          '@type': `type.googleapis.com/${o.method.replace(/^v1\./, 'compute.')}Request`,
          project: PROJECT,
          ...(o.read
            ? { maxResults: '500', filter: 'status = RUNNING' }
            : { name: `acme-${o.prng.hex(6)}`, labels: { team: 'platform', env: 'prod' } }),
        },
        ...(o.read
          ? {}
          : {
              response: {
                '@type': 'type.googleapis.com/operation',
                id: o.prng.hex(19),
                name: `operation-${o.prng.hex(13)}`,
                operationType: 'insert',
                progress: '0',
                status: 'RUNNING',
                user: o.who,
              },
            }),
        resourceLocation: { currentLocations: ['us-central1'] },
      },
      insertId: o.prng.hex(12),
      resource: { type: 'project', labels: { project_id: PROJECT } },
      timestamp: new Date(t).toISOString(),
      severity: o.code ? 'ERROR' : o.read ? 'INFO' : 'NOTICE',
      logName: `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2F${o.read ? 'data_access' : 'activity'}`,
      receiveTimestamp: new Date(t + 150).toISOString(),
    },
  };
}

// ---------------------------------------------------------------- actors

interface Actor {
  /** Events of this actor in [from, to), spaced at least 4 s apart. */
  act(from: number, to: number, out: Timed[]): void;
}

export interface GenerateOptions {
  dir: string;
  seed?: number;
  /** Benign actors per kind and cloud (each cloud has several kinds). */
  actors?: number;
  /** Mean seconds between one actor's calls. */
  meanGapSeconds?: number;
  days?: number;
  /** Plant the attacks on the last day (default true). */
  attacks?: boolean;
  /**
   * Add the automation a real estate runs besides people (bench/detect-benign.ts): SSM-managed fleets and the
   * operators who patch and open sessions on them, scheduled jobs on instances, Lambda and VMs with managed
   * identities, Terraform pipelines that plan and apply through OIDC roles, service principals and service-account keys.
   */
  automation?: boolean;
  /** Write only these clouds' logs (default all; `azure` includes the Entra sign-ins). */
  clouds?: Array<'aws' | 'azure' | 'gcp'>;
}

export interface GeneratedLogs {
  files: string[];
  events: number;
  bytes: number;
  expected: Record<string, number>;
}

/** Findings each rule must raise for the planted attacks (the benign traffic raises none). */
export const PLANTED: Record<string, number> = {
  'enumeration-burst-cli': 2,
  'cloudshell-iam-change-aws': 1,
  'cloudshell-iam-change-gcp': 1,
  'cloudshell-iam-change-azure': 1,
  'cloudshell-first-use': 2,
  'long-term-key-new-source': 1,
  'compute-credentials-outside': 1,
  // The same replay, from an address outside AWS's published ranges, needs no history.
  'instance-credentials-outside-cloud': 1,
  'privileged-write-without-mfa': 1,
  'access-denied-recon-burst': 1,
  'offensive-tool-user-agent': 2,
  'azure-cli-first-signin': 1,
  'iam-write-by-reader': 1,
  'iam-then-execution': 1,
};

function makeActors(
  prng: Prng,
  n: number,
  gap: number,
): { actors: Actor[]; daily: Array<(day: number, out: Timed[]) => void> } {
  const actors: Actor[] = [];
  const daily: Array<(day: number, out: Timed[]) => void> = [];
  /** Calls at random gaps (>= 4 s, mean `gap`), starting within the first minutes of `from`. */
  const schedule = (p: Prng, from: number, to: number, each: (t: number, i: number) => void): void => {
    let t = from + p.int(0, 120) * 1000;
    for (let i = 0; t < to; i++) {
      each(t, i);
      t += 4000 + Math.floor(-Math.log(1 - p.next()) * (gap - 4) * 1000);
    }
  };
  for (let i = 0; i < n; i++) {
    const p = new Prng(prng.uint32(), i);
    // AWS: IAM users with long-term keys (CLI or boto3) from their own address; some also write (not IAM).
    const name = `dev-${i}`;
    const key = `AKIA${p.hex(16).toUpperCase()}`;
    const ip = `198.51.${100 + (i % 50)}.${10 + i}`;
    const ua = i % 2 === 0 ? UA.awsCli : UA.boto3;
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t, k) => {
          if (k % 25 === 3)
            out.push(
              ct(t, {
                src: 's3.amazonaws.com',
                name: 'PutObject',
                ua,
                ip,
                id: iamUser(name, key),
                prng: p,
                readOnly: false,
              }),
            );
          else if (k % 97 === 50)
            out.push(
              ct(t, {
                src: 'secretsmanager.amazonaws.com',
                name: 'GetSecretValue',
                ua,
                ip,
                id: iamUser(name, key),
                prng: p,
                error: 'AccessDenied',
              }),
            );
          else {
            const [src, op] = p.pick(AWS_READS);
            out.push(ct(t, { src, name: op, ua, ip, id: iamUser(name, key), prng: p, readOnly: true }));
          }
        });
      },
    });
    // AWS: EC2 instance-profile credentials from the instance's address.
    const instance = `i-0${p.hex(16)}`;
    const instanceIp = `54.210.${i % 250}.${20 + (i % 200)}`;
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t) => {
          const [src, op] = p.pick(AWS_READS.slice(0, 4));
          out.push(
            ct(t, {
              src,
              name: op,
              ua: UA.boto3,
              ip: instanceIp,
              id: assumed('app-role', instance, `ASIA${p.hex(16).toUpperCase()}`, null, { ec2RoleDelivery: '2.0' }),
              prng: p,
              readOnly: true,
            }),
          );
        });
      },
    });
    // AWS: console admins (MFA) who write IAM from the console; CloudShell users (MFA) who read from CloudShell.
    const admin = `admin-${i}`;
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t, k) => {
          const id = assumed('Admin', admin, `ASIA${p.hex(16).toUpperCase()}`, true);
          if (k % 30 === 0)
            out.push(
              ct(t, {
                src: 'iam.amazonaws.com',
                name: p.pick(['AttachRolePolicy', 'CreateRole', 'PutRolePolicy']),
                ua: UA.browser,
                ip: `192.0.2.${10 + i}`,
                id,
                prng: p,
                readOnly: false,
              }),
            );
          else
            out.push(
              ct(t, {
                src: 'iam.amazonaws.com',
                name: p.pick(['ListRoles', 'GetRole', 'ListPolicies']),
                ua: UA.browser,
                ip: `192.0.2.${10 + i}`,
                id,
                prng: p,
                readOnly: true,
              }),
            );
        });
      },
    });
    const shell = `shell-${i}`;
    daily.push((day, out) => {
      const t = DAY0 + day * 86_400_000 + 60_000 * (i + 1);
      out.push(
        ct(t, {
          src: 'cloudshell.amazonaws.com',
          name: 'CreateSession',
          ua: UA.browser,
          ip: `192.0.2.${100 + i}`,
          id: assumed('Admin', shell, `ASIA${p.hex(16).toUpperCase()}`, true),
          prng: p,
          readOnly: false,
        }),
      );
    });
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t, k) => {
          const id = assumed('Admin', shell, `ASIA${p.hex(16).toUpperCase()}`, true);
          // Writers: a non-IAM write now and then, so that an IAM write from them is not their first.
          if (k % 40 === 1)
            out.push(
              ct(t, {
                src: 'ec2.amazonaws.com',
                name: 'CreateTags',
                ua: UA.cloudShell,
                ip: `3.80.${i % 250}.${7 + i}`,
                id,
                prng: p,
                readOnly: false,
              }),
            );
          else
            out.push(
              ct(t, {
                src: 'ec2.amazonaws.com',
                name: p.pick(['DescribeInstances', 'DescribeVpcs']),
                ua: UA.cloudShell,
                ip: `3.80.${i % 250}.${7 + i}`,
                id,
                prng: p,
                readOnly: true,
              }),
            );
        });
      },
    });
    // AWS: Terraform CI bursts many distinct reads (expected automation).
    actors.push({
      act(from, to, out) {
        for (let t = from + 600_000; t < to; t += 6 * HOUR) {
          AWS_READS.forEach(([src, op], j) =>
            out.push(
              ct(t + j * 200, {
                src,
                name: op,
                ua: UA.terraform,
                ip: '198.18.0.5',
                id: assumed('terraform-ci', `tf-${i}`, `ASIA${p.hex(16).toUpperCase()}`, null),
                prng: p,
                readOnly: true,
              }),
            ),
          );
        }
      },
    });

    // Azure: CLI users and portal users, with sign-ins each day; Cloud Shell users open a console each day.
    const cliUser = `cli${i}@acme.example`;
    const portalUser = `portal${i}@acme.example`;
    const shellUser = `shell${i}@acme.example`;
    daily.push((day, out) => {
      const t = DAY0 + day * 86_400_000 + 30_000 * (i + 1);
      out.push(
        signIn(t, { upn: cliUser, app: CLI_APP, appName: 'Microsoft Azure CLI', ip: `198.51.200.${10 + i}`, prng: p }),
      );
      out.push(
        signIn(t + 1000, {
          upn: portalUser,
          app: PORTAL_APP,
          appName: 'Azure Portal',
          ip: `198.51.201.${10 + i}`,
          prng: p,
          ua: UA.browser,
        }),
      );
      out.push(
        signIn(t + 2000, {
          upn: shellUser,
          app: PORTAL_APP,
          appName: 'Azure Portal',
          ip: `198.51.202.${10 + i}`,
          prng: p,
          ua: UA.browser,
        }),
      );
      out.push(
        az(t + 60_000, {
          op: 'microsoft.portal/consoles/write',
          upn: shellUser,
          app: PORTAL_APP,
          ip: `198.51.202.${10 + i}`,
          mfa: true,
          prng: p,
        }),
      );
      if (day === 0)
        out.push(
          az(t + 90_000, {
            op: 'microsoft.resources/subscriptions/resourcegroups/write',
            upn: shellUser,
            app: CLI_APP,
            ip: `198.51.202.${10 + i}`,
            mfa: true,
            prng: p,
          }),
        );
    });
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t, k) => {
          if (k % 20 === 2)
            out.push(
              az(t, {
                op: 'microsoft.resources/subscriptions/resourcegroups/write',
                upn: cliUser,
                app: CLI_APP,
                ip: `198.51.200.${10 + i}`,
                mfa: true,
                prng: p,
              }),
            );
          else if (k % 60 === 0)
            out.push(
              az(t, {
                op: 'microsoft.authorization/roleassignments/write',
                upn: cliUser,
                app: CLI_APP,
                ip: `198.51.200.${10 + i}`,
                mfa: true,
                prng: p,
              }),
            );
          else
            out.push(
              az(t, {
                op: p.pick(AZ_READS),
                upn: cliUser,
                app: CLI_APP,
                ip: `198.51.200.${10 + i}`,
                mfa: true,
                prng: p,
              }),
            );
        });
      },
    });
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t) =>
          out.push(
            az(t, {
              op: p.pick(AZ_READS),
              upn: portalUser,
              app: PORTAL_APP,
              ip: `198.51.201.${10 + i}`,
              mfa: true,
              prng: p,
            }),
          ),
        );
      },
    });

    // GCP: gcloud users (some write), Cloud Shell readers, a Terraform service account, an app service account.
    const gUser = `eng${i}@acme.example`;
    const gShell = `ops${i}@acme.example`;
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t, k) => {
          if (k % 30 === 1)
            out.push(
              gcp(t, {
                service: 'compute.googleapis.com',
                method: 'v1.compute.instances.insert',
                who: gUser,
                ip: `198.51.210.${10 + i}`,
                ua: UA.gcloud('compute.instances.create'),
                read: false,
                prng: p,
              }),
            );
          else {
            const [service, method] = p.pick(GCP_READS);
            out.push(
              gcp(t, {
                service,
                method,
                who: gUser,
                ip: `198.51.210.${10 + i}`,
                ua: UA.gcloud('compute.instances.list'),
                read: true,
                prng: p,
              }),
            );
          }
        });
      },
    });
    actors.push({
      act(from, to, out) {
        schedule(p, from, to, (t, k) => {
          if (k % 30 === 1)
            out.push(
              gcp(t, {
                service: 'storage.googleapis.com',
                method: 'storage.buckets.create',
                who: gShell,
                ip: `34.120.${i % 250}.${5 + i}`,
                ua: UA.gcloud('storage.buckets.create', 'devshell'),
                read: false,
                prng: p,
              }),
            );
          else {
            const [service, method] = p.pick(GCP_READS);
            out.push(
              gcp(t, {
                service,
                method,
                who: gShell,
                ip: `34.120.${i % 250}.${5 + i}`,
                ua: UA.gcloud('compute.instances.list', 'devshell'),
                read: true,
                prng: p,
              }),
            );
          }
        });
      },
    });
    actors.push({
      act(from, to, out) {
        for (let t = from + 900_000; t < to; t += 6 * HOUR) {
          GCP_READS.forEach(([service, method], j) =>
            out.push(
              gcp(t + j * 300, {
                service,
                method,
                who: `terraform-${i}@${PROJECT}.iam.gserviceaccount.com`,
                ip: '198.18.0.6',
                ua: UA.gcpTerraform,
                read: true,
                prng: p,
              }),
            ),
          );
        }
        schedule(p, from, to, (t) =>
          out.push(
            gcp(t, {
              service: 'storage.googleapis.com',
              method: 'storage.objects.get',
              who: `app-${i}@${PROJECT}.iam.gserviceaccount.com`,
              ip: `35.190.${i % 250}.9`,
              ua: UA.gcpPython,
              read: true,
              prng: p,
            }),
          ),
        );
      },
    });
  }
  return { actors, daily };
}

const SSM_AGENT = 'aws-sdk-go/1.44.260 (go1.20.12; linux; amd64) amazon-ssm-agent/3.3.40.0';
const LAMBDA_UA =
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.214-223.837.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.69';
/** GitHub-hosted runners leave from addresses in Azure's ranges (20.x blocks wholly in them), a different one for each run. */
const RUNNER_BLOCKS = [40, 41, 43, 44, 47, 49, 50, 51, 54, 55, 56, 57, 58, 59, 60];
const runnerIp = (p: Prng): string => `20.${p.pick(RUNNER_BLOCKS)}.${p.int(0, 255)}.${p.int(1, 254)}`;

/** Benign automation (see GenerateOptions.automation); none of it is an attack. */
function automationActors(
  prng: Prng,
  n: number,
  actors: Actor[],
  daily: Array<(day: number, out: Timed[]) => void>,
): void {
  const every = (from: number, to: number, period: number, offset: number, each: (t: number) => void): void => {
    for (let t = from - (from % period) + offset; t < to; t += period) if (t >= from) each(t);
  };
  for (let i = 0; i < n; i++) {
    const p = new Prng(prng.uint32(), i);
    // AWS: an SSM-managed fleet; the agent checks in every five minutes with the instance's role, some instances
    // through a VPC endpoint (private address), the rest from their public address in AWS's ranges.
    const fleet = Array.from({ length: 6 }, (_, j) => ({
      id: `i-0${p.hex(16)}`,
      ip: j % 3 === 0 ? `10.20.${i % 250}.${10 + j}` : `54.211.${i % 250}.${30 + j}`,
    }));
    actors.push({
      act(from, to, out) {
        fleet.forEach((inst, j) => {
          const id = assumed('ssm-fleet', inst.id, `ASIA${p.hex(16).toUpperCase()}`, null, { ec2RoleDelivery: '2.0' });
          every(from, to, 300_000, 7_000 * (j + 1) + i * 500, (t) =>
            out.push(
              ct(t, {
                src: 'ssm.amazonaws.com',
                name: 'UpdateInstanceInformation',
                ua: SSM_AGENT,
                ip: inst.ip,
                id,
                prng: p,
                readOnly: false,
                params: {
                  instanceId: inst.id,
                  agentVersion: '3.3.40.0',
                  agentStatus: 'Active',
                  platformType: 'Linux',
                  platformName: 'Amazon Linux',
                  platformVersion: '2023',
                },
              }),
            ),
          );
          every(from, to, 600_000, 150_000 + 7_000 * (j + 1) + i * 500, (t) =>
            out.push(
              ct(t, {
                src: 'ssm.amazonaws.com',
                name: 'ListInstanceAssociations',
                ua: SSM_AGENT,
                ip: inst.ip,
                id,
                prng: p,
                readOnly: true,
                params: { instanceId: inst.id, maxResults: 50 },
              }),
            ),
          );
        });
      },
    });
    // The operators: nightly patching through SendCommand from the console, and a Session Manager session now and
    // then from an office address; the instances keep calling from their own addresses.
    const operator = assumed('Admin', `ops-${i}@acme.example`, `ASIA${p.hex(16).toUpperCase()}`, true);
    daily.push((day, out) => {
      const t = DAY0 + day * 86_400_000 + 2 * HOUR + i * 60_000;
      out.push(
        ct(t, {
          src: 'ssm.amazonaws.com',
          name: 'SendCommand',
          ua: UA.browser,
          ip: `192.0.2.${40 + i}`,
          id: operator,
          prng: p,
          readOnly: false,
          params: {
            instanceIds: fleet.map((f) => f.id),
            documentName: 'AWS-RunPatchBaseline',
            parameters: { Operation: ['Install'] },
          },
        }),
      );
      if (day % 3 === i % 3)
        out.push(
          ct(t + 5 * HOUR, {
            src: 'ssm.amazonaws.com',
            name: 'StartSession',
            ua: UA.awsCli,
            ip: `192.0.2.${40 + i}`,
            id: operator,
            prng: p,
            readOnly: false,
            params: { target: fleet[day % fleet.length]!.id },
          }),
        );
    });
    // A scheduled job on an instance: every night it exports to S3 and reads its two secrets, with the instance's role.
    const cron = { id: `i-0${p.hex(16)}`, ip: `54.211.${i % 250}.${200 + (i % 50)}` };
    daily.push((day, out) => {
      const id = assumed('nightly-export', cron.id, `ASIA${p.hex(16).toUpperCase()}`, null, { ec2RoleDelivery: '2.0' });
      const t = DAY0 + day * 86_400_000 + 3 * HOUR + i * 120_000;
      ['export/db-password', 'export/api-token'].forEach((secret, j) =>
        out.push(
          ct(t + j * 1000, {
            src: 'secretsmanager.amazonaws.com',
            name: 'GetSecretValue',
            ua: UA.boto3,
            ip: cron.ip,
            id,
            prng: p,
            readOnly: true,
            params: { secretId: secret },
          }),
        ),
      );
      for (let k = 0; k < 20; k++)
        out.push(
          ct(t + 5000 + k * 4000, {
            src: 's3.amazonaws.com',
            name: 'PutObject',
            ua: UA.boto3,
            ip: cron.ip,
            id,
            prng: p,
            readOnly: false,
          }),
        );
    });
    // A Lambda function on a schedule (every 15 minutes), from AWS's addresses.
    const fn = `acme-reconcile-${i}`;
    actors.push({
      act(from, to, out) {
        every(from, to, 900_000, 11_000 * (i + 1), (t) => {
          const id = assumed(`${fn}-role`, fn, `ASIA${p.hex(16).toUpperCase()}`, null);
          out.push(
            ct(t, {
              src: 'dynamodb.amazonaws.com',
              name: 'DescribeTable',
              ua: LAMBDA_UA,
              ip: `3.${p.int(80, 95)}.${p.int(0, 255)}.${p.int(1, 254)}`,
              id,
              prng: p,
              readOnly: true,
              params: { tableName: fn },
            }),
          );
          out.push(
            ct(t + 1500, {
              src: 'sqs.amazonaws.com',
              name: 'SendMessage',
              ua: LAMBDA_UA,
              ip: `3.${p.int(80, 95)}.${p.int(0, 255)}.${p.int(1, 254)}`,
              id,
              prng: p,
              readOnly: false,
              params: { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${fn}` },
            }),
          );
        });
      },
    });
    // Terraform in CI through GitHub's OIDC role: a plan on each pull request (twice a working day) reads the
    // state of everything, including the dozen SSM parameters the configuration looks up; every other day the merge
    // applies, which writes IAM (role policies, and now and then a service user with its key).
    const pipeline = (day: number, out: Timed[]): void => {
      if (day % 7 >= 5) return;
      for (const run of [0, 1]) {
        const t = DAY0 + day * 86_400_000 + (10 + run * 5) * HOUR + i * 300_000;
        const ip = runnerIp(p);
        const id = assumed(`terraform-deploy-${i}`, 'GitHubActions', `ASIA${p.hex(16).toUpperCase()}`, null);
        out.push(
          ct(t, {
            src: 'sts.amazonaws.com',
            name: 'AssumeRoleWithWebIdentity',
            ua: 'aws-sdk-nodejs/2.1525.0 linux/v20.11.0 configure-aws-credentials-for-github-actions promise',
            ip,
            id: {
              type: 'WebIdentityUser',
              principalId: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:acme/infra:ref:refs/heads/main`,
              userName: 'repo:acme/infra:ref:refs/heads/main',
              identityProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
            },
            prng: p,
            readOnly: true,
            params: { roleArn: `arn:aws:iam::${ACCOUNT}:role/terraform-deploy-${i}`, roleSessionName: 'GitHubActions' },
          }),
        );
        let k = 1;
        for (const [src, op] of AWS_READS)
          out.push(ct(t + 2000 + k++ * 150, { src, name: op, ua: UA.terraform, ip, id, prng: p, readOnly: true }));
        for (let j = 0; j < 12; j++)
          out.push(
            ct(t + 2000 + k++ * 150, {
              src: 'ssm.amazonaws.com',
              name: 'GetParameter',
              ua: UA.terraform,
              ip,
              id,
              prng: p,
              readOnly: true,
              params: { name: `/acme/prod/app-${j}/config`, withDecryption: false },
            }),
          );
        for (const op of ['GetRole', 'GetRolePolicy', 'ListAttachedRolePolicies', 'GetPolicy', 'GetPolicyVersion'])
          out.push(
            ct(t + 2000 + k++ * 150, {
              src: 'iam.amazonaws.com',
              name: op,
              ua: UA.terraform,
              ip,
              id,
              prng: p,
              readOnly: true,
              params: { roleName: `app-${i}` },
            }),
          );
        if (run === 1 && day % 2 === 0) {
          const at = t + 60_000;
          out.push(
            ct(at, {
              src: 'iam.amazonaws.com',
              name: 'PutRolePolicy',
              ua: UA.terraform,
              ip,
              id,
              prng: p,
              readOnly: false,
              params: { roleName: `app-${i}`, policyName: 'app-access' },
            }),
          );
          out.push(
            ct(at + 800, {
              src: 'ec2.amazonaws.com',
              name: 'CreateTags',
              ua: UA.terraform,
              ip,
              id,
              prng: p,
              readOnly: false,
            }),
          );
          if (day % 6 === 0) {
            const user = `svc-export-${i}-${day}`;
            out.push(
              ct(at + 2000, {
                src: 'iam.amazonaws.com',
                name: 'CreateUser',
                ua: UA.terraform,
                ip,
                id,
                prng: p,
                readOnly: false,
                params: { userName: user, tags: [{ key: 'ManagedBy', value: 'terraform' }] },
              }),
            );
            out.push(
              ct(at + 3000, {
                src: 'iam.amazonaws.com',
                name: 'AttachUserPolicy',
                ua: UA.terraform,
                ip,
                id,
                prng: p,
                readOnly: false,
                params: { userName: user, policyArn: `arn:aws:iam::${ACCOUNT}:policy/export-writer` },
              }),
            );
            out.push(
              ct(at + 4000, {
                src: 'iam.amazonaws.com',
                name: 'CreateAccessKey',
                ua: UA.terraform,
                ip,
                id,
                prng: p,
                readOnly: false,
                params: { userName: user },
              }),
            );
          }
        }
      }
    };
    daily.push(pipeline);

    // Azure: a VM's managed identity on a schedule (hourly), from the VM's address in Azure's ranges, and the
    // deployment service principal of the Terraform pipeline, from GitHub's runners, assigning roles when it applies.
    const vm = `/subscriptions/${SUB}/resourcegroups/rg-jobs/providers/microsoft.compute/virtualmachines/vm-batch-${i}`;
    actors.push({
      act(from, to, out) {
        every(from, to, HOUR, 600_000 + i * 20_000, (t) => {
          out.push(
            az(t, {
              op: 'microsoft.storage/storageaccounts/read',
              upn: null,
              app: `6f1d0a3c-0000-4000-8000-00000000b${String(i).padStart(3, '0')}`,
              ip: `52.168.${i % 250}.40`,
              mfa: false,
              prng: p,
              mirid: vm,
            }),
          );
          out.push(
            az(t + 2000, {
              op: 'microsoft.compute/snapshots/write',
              upn: null,
              app: `6f1d0a3c-0000-4000-8000-00000000b${String(i).padStart(3, '0')}`,
              ip: `52.168.${i % 250}.40`,
              mfa: false,
              prng: p,
              mirid: vm,
            }),
          );
        });
      },
    });
    const spApp = `7e2a1b4d-0000-4000-8000-00000000c${String(i).padStart(3, '0')}`;
    daily.push((day, out) => {
      if (day % 7 >= 5) return;
      const t = DAY0 + day * 86_400_000 + 11 * HOUR + i * 300_000;
      const ip = runnerIp(p);
      AZ_READS.forEach((op, j) => out.push(az(t + j * 300, { op, upn: null, app: spApp, ip, mfa: false, prng: p })));
      if (day % 2 === 0) {
        out.push(
          az(t + 30_000, {
            op: 'microsoft.resources/deployments/write',
            upn: null,
            app: spApp,
            ip,
            mfa: false,
            prng: p,
          }),
        );
        out.push(
          az(t + 31_000, {
            op: 'microsoft.authorization/roleassignments/write',
            upn: null,
            app: spApp,
            ip,
            mfa: false,
            prng: p,
          }),
        );
      }
    });

    // GCP: the Terraform service account from CI with its key (new runner address each run), VMs' default service
    // account on a schedule from internal addresses, and an app reading its three secrets at start.
    const tfSa = `tf-deployer-${i}@${PROJECT}.iam.gserviceaccount.com`;
    const tfKey = p.hex(40);
    daily.push((day, out) => {
      if (day % 7 >= 5) return;
      const t = DAY0 + day * 86_400_000 + 12 * HOUR + i * 300_000;
      const ip = runnerIp(p);
      GCP_READS.forEach(([service, method], j) =>
        out.push(
          gcp(t + j * 300, { service, method, who: tfSa, ip, ua: UA.gcpTerraform, read: true, prng: p, key: tfKey }),
        ),
      );
      if (day % 2 === 0) {
        out.push(
          gcp(t + 30_000, {
            service: 'compute.googleapis.com',
            method: 'v1.compute.instances.insert',
            who: tfSa,
            ip,
            ua: UA.gcpTerraform,
            read: false,
            prng: p,
            key: tfKey,
          }),
        );
        out.push(
          gcp(t + 31_000, {
            service: 'cloudresourcemanager.googleapis.com',
            method: 'SetIamPolicy',
            who: tfSa,
            ip,
            ua: UA.gcpTerraform,
            read: false,
            prng: p,
            key: tfKey,
          }),
        );
      }
    });
    const computeSa = `1234567890${i}-compute@developer.gserviceaccount.com`;
    actors.push({
      act(from, to, out) {
        every(from, to, 1_800_000, 45_000 + i * 10_000, (t) => {
          out.push(
            gcp(t, {
              service: 'storage.googleapis.com',
              method: 'storage.objects.create',
              who: computeSa,
              ip: `10.128.${i % 250}.7`,
              ua: UA.gcpPython,
              read: false,
              prng: p,
              resource: `projects/_/buckets/acme-exports/objects/run-${t}.csv`,
            }),
          );
          if (t % (6 * HOUR) < 1_800_000) {
            ['db-password', 'api-token', 'signing-key'].forEach((name, j) =>
              out.push(
                gcp(t + 1000 + j * 200, {
                  service: 'secretmanager.googleapis.com',
                  method: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
                  who: computeSa,
                  ip: `10.128.${i % 250}.7`,
                  ua: UA.gcpPython,
                  read: true,
                  prng: p,
                  resource: `projects/${PROJECT}/secrets/${name}/versions/latest`,
                }),
              ),
            );
          }
        });
      },
    });
  }
}

/** The attacks planted on the last day; each raises exactly the findings PLANTED counts. */
function plant(p: Prng, day: number, out: Timed[]): void {
  const at = (hour: number, minute = 0): number => DAY0 + day * 86_400_000 + hour * HOUR + minute * 60_000;
  // 1a. AWS: the reporting user's key (seen the day before, from its usual address) enumerates eight services in eight seconds.
  const recon = iamUser('reporting', 'AKIAPLANTEDREPORT001');
  out.push(
    ct(at(0, -1000), {
      src: 'sts.amazonaws.com',
      name: 'GetCallerIdentity',
      ua: UA.awsCli,
      ip: '198.51.99.5',
      id: recon,
      prng: p,
      readOnly: true,
    }),
  );
  AWS_READS.slice(0, 8).forEach(([src, op], j) =>
    out.push(
      ct(at(2) + j * 1000, { src, name: op, ua: UA.awsCli, ip: '198.51.99.5', id: recon, prng: p, readOnly: true }),
    ),
  );
  // 1b. GCP: a scripted gcloud run lists six services in six seconds.
  out.push(
    gcp(at(0, -1000), {
      service: 'storage.googleapis.com',
      method: 'storage.buckets.list',
      who: 'eng0@acme.example',
      ip: '198.51.210.10',
      ua: UA.gcloud('storage.buckets.list'),
      read: true,
      prng: p,
    }),
  );
  GCP_READS.forEach(([service, method], j) =>
    out.push(
      gcp(at(3) + j * 1000, {
        service,
        method,
        who: 'eng0@acme.example',
        ip: '198.51.210.10',
        ua: UA.gcloud('compute.instances.list', 'None', 'True'),
        read: true,
        prng: p,
      }),
    ),
  );
  // 2. AWS: a habitual CloudShell user (shell-0, a writer) creates an access key from CloudShell.
  out.push(
    ct(at(4), {
      src: 'iam.amazonaws.com',
      name: 'CreateAccessKey',
      ua: `${UA.cloudShell} command/iam.create-access-key`,
      ip: '3.80.0.7',
      id: assumed('Admin', 'shell-0', 'ASIAPLANTED000000002', true),
      prng: p,
      readOnly: false,
    }),
  );
  // 3. GCP: a habitual Cloud Shell user (ops0, a writer) grants a role from Cloud Shell.
  out.push(
    gcp(at(5), {
      service: 'cloudresourcemanager.googleapis.com',
      method: 'SetIamPolicy',
      who: 'ops0@acme.example',
      ip: '34.120.0.5',
      ua: UA.gcloud('projects.add-iam-policy-binding', 'devshell'),
      read: false,
      prng: p,
    }),
  );
  // 4. Azure: shell0 opens Cloud Shell and assigns a role ten minutes later.
  out.push(
    az(at(6), {
      op: 'microsoft.portal/consoles/write',
      upn: 'shell0@acme.example',
      app: PORTAL_APP,
      ip: '198.51.202.10',
      mfa: true,
      prng: p,
    }),
  );
  out.push(
    az(at(6, 10), {
      op: 'microsoft.authorization/roleassignments/write',
      upn: 'shell0@acme.example',
      app: CLI_APP,
      ip: '198.51.202.10',
      mfa: true,
      prng: p,
    }),
  );
  // 5. Cloud Shell first use: an AWS admin who never used it (admin-0), and an Azure portal user (portal0).
  out.push(
    ct(at(7), {
      src: 'cloudshell.amazonaws.com',
      name: 'CreateEnvironment',
      ua: UA.browser,
      ip: '192.0.2.10',
      id: assumed('Admin', 'admin-0', 'ASIAPLANTED000000005', true),
      prng: p,
      readOnly: false,
    }),
  );
  out.push(
    az(at(7, 30), {
      op: 'microsoft.portal/consoles/write',
      upn: 'portal0@acme.example',
      app: PORTAL_APP,
      ip: '198.51.201.10',
      mfa: true,
      prng: p,
    }),
  );
  // 6. The reporting key, known from one address, is used from another.
  out.push(
    ct(at(8), {
      src: 's3.amazonaws.com',
      name: 'ListBuckets',
      ua: UA.awsCli,
      ip: '203.0.113.61',
      id: recon,
      prng: p,
      readOnly: true,
    }),
  );
  // 7. An instance's role credentials are used from outside AWS.
  out.push(
    ct(at(9), {
      src: 'sts.amazonaws.com',
      name: 'GetCallerIdentity',
      ua: UA.awsCli,
      ip: '203.0.113.62',
      id: assumed('app-role', 'i-0feedfacecafe0001', 'ASIAPLANTED000000007', null, { ec2RoleDelivery: '2.0' }),
      prng: p,
      readOnly: true,
    }),
  );
  out.push(
    ct(at(0, -30), {
      src: 'sts.amazonaws.com',
      name: 'GetCallerIdentity',
      ua: UA.boto3,
      ip: '54.210.99.99',
      id: assumed('app-role', 'i-0feedfacecafe0001', 'ASIAPLANTED000000007', null, { ec2RoleDelivery: '2.0' }),
      prng: p,
      readOnly: true,
    }),
  );
  // 8. A console session without MFA attaches a policy (an IAM user who writes, so not a reader's first write).
  const noMfa = {
    ...iamUser('ops-lead', 'ASIAPLANTED000000008'),
    sessionContext: { attributes: { creationDate: '2026-03-03T00:00:00Z', mfaAuthenticated: 'false' } },
  };
  out.push(
    ct(at(0, -900), {
      src: 'ec2.amazonaws.com',
      name: 'CreateTags',
      ua: UA.browser,
      ip: '192.0.2.200',
      id: { ...noMfa, accessKeyId: 'ASIAPLANTED00000008A' },
      prng: p,
      readOnly: false,
    }),
  );
  out.push(
    ct(at(10), {
      src: 'iam.amazonaws.com',
      name: 'AttachUserPolicy',
      ua: UA.browser,
      ip: '192.0.2.200',
      id: noMfa,
      prng: p,
      readOnly: false,
    }),
  );
  // 9. Twelve AccessDenied in 24 s for one actor and address.
  for (let j = 0; j < 12; j++)
    out.push(
      ct(at(11) + j * 2000, {
        src: 'secretsmanager.amazonaws.com',
        name: 'GetSecretValue',
        ua: UA.awsCli,
        ip: '198.51.99.5',
        id: recon,
        prng: p,
        error: 'AccessDenied',
      }),
    );
  // 10. Offensive user agents: TruffleHog checking the reporting key; AzureHound signing in.
  out.push(
    ct(at(12), {
      src: 'sts.amazonaws.com',
      name: 'GetCallerIdentity',
      ua: 'TruffleHog',
      ip: '198.51.99.5',
      id: recon,
      prng: p,
      readOnly: true,
    }),
  );
  out.push(
    signIn(at(12, 30), {
      upn: 'cli1@acme.example',
      app: '1b730954-1685-4b74-9bfd-dac224a7b894',
      appName: 'Azure Active Directory PowerShell',
      ip: '198.51.200.11',
      ua: 'azurehound/v2.1.7',
      prng: p,
    }),
  );
  // 11. A portal-only user signs in to Azure PowerShell.
  out.push(
    signIn(at(13), {
      upn: 'portal1@acme.example',
      app: PS_APP,
      appName: 'Microsoft Azure PowerShell',
      ip: '198.51.201.11',
      prng: p,
    }),
  );
  // 12. A read-only app service account grants itself a role.
  out.push(
    gcp(at(14), {
      service: 'cloudresourcemanager.googleapis.com',
      method: 'SetIamPolicy',
      who: `app-0@${PROJECT}.iam.gserviceaccount.com`,
      ip: '35.190.0.9',
      ua: UA.gcpPython,
      read: false,
      prng: p,
    }),
  );
  // 13. An Azure CLI user assigns a role and runs a command on a VM eight minutes later.
  out.push(
    az(at(15), {
      op: 'microsoft.authorization/roleassignments/write',
      upn: 'cli2@acme.example',
      app: CLI_APP,
      ip: '198.51.200.12',
      mfa: true,
      prng: p,
    }),
  );
  out.push(
    az(at(15, 8), {
      op: 'microsoft.compute/virtualmachines/runcommand/action',
      upn: 'cli2@acme.example',
      app: CLI_APP,
      ip: '198.51.200.12',
      mfa: true,
      prng: p,
    }),
  );
}

const stamp = (t: number): string => new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 13);

/** Writes the logs hour by hour (each hour's files are complete before the next is generated). */
export async function generateDetectLogs(options: GenerateOptions): Promise<GeneratedLogs> {
  const prng = new Prng(options.seed ?? DETECT_SEED, 11);
  const days = options.days ?? 2;
  const n = Math.max(3, options.actors ?? 4);
  const { actors, daily } = makeActors(prng, n, options.meanGapSeconds ?? 300);
  if (options.automation) automationActors(new Prng((options.seed ?? DETECT_SEED) ^ 0xa070, 5), n, actors, daily);
  const files: string[] = [];
  let events = 0;
  let bytes = 0;
  const pending: Timed[] = [];
  const attackRng = new Prng((options.seed ?? DETECT_SEED) ^ 0x5eed, 3);
  if (options.attacks !== false) plant(attackRng, days - 1, pending);
  for (let day = 0; day < days; day++) for (const d of daily) d(day, pending);
  const signins: Timed[] = [];
  for (let h = 0; h < days * 24; h++) {
    const from = DAY0 + h * HOUR;
    const to = from + HOUR;
    const hour: Timed[] = [];
    for (const a of actors) a.act(from, to, hour);
    for (let i = pending.length - 1; i >= 0; i--) {
      if (pending[i]!.t >= from && pending[i]!.t < to) hour.push(...pending.splice(i, 1));
    }
    hour.sort((a, b) => a.t - b.t);
    const by = { aws: [] as Rec[], azure: [] as Rec[], gcp: [] as Rec[] };
    // (AWS records are sliced into delivered files below.)
    const keep = options.clouds;
    if (keep)
      for (let i = hour.length - 1; i >= 0; i--)
        if (!keep.includes(hour[i]!.cloud === 'signin' ? 'azure' : (hour[i]!.cloud as 'aws' | 'azure' | 'gcp')))
          hour.splice(i, 1);
    for (const e of hour) {
      if (e.cloud === 'signin') signins.push(e);
      else by[e.cloud].push(e.rec);
    }
    const h0 = stamp(from);
    const day = h0.slice(0, 8);
    const write = async (path: string, data: string | Buffer): Promise<void> => {
      const full = join(options.dir, path);
      await mkdir(join(full, '..'), { recursive: true });
      await writeFile(full, data);
      files.push(full);
      bytes += data.length;
    };
    if (by.aws.length > 0) {
      // CloudTrail delivers a file about every 5 minutes, named by delivery time, unsorted inside: each 5-minute slice
      // is reversed to prove the reader orders by event time.
      const slices = new Map<number, Rec[]>();
      for (const e of hour)
        if (e.cloud === 'aws')
          slices.set(Math.floor((e.t - from) / 300_000), [
            ...(slices.get(Math.floor((e.t - from) / 300_000)) ?? []),
            e.rec,
          ]);
      for (const [slice, recs] of slices) {
        const delivered = stamp(from + (slice + 1) * 300_000 + 120_000);
        await write(
          `aws/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${ACCOUNT}_CloudTrail_us-east-1_${delivered}Z_${prng.hex(16)}.json.gz`,
          gzipSync(JSON.stringify({ Records: recs.reverse() })),
        );
      }
    }
    if (by.azure.length > 0) {
      await write(
        `azure/insights-activity-logs/resourceId=/SUBSCRIPTIONS/${SUB.toUpperCase()}/y=${day.slice(0, 4)}/m=${day.slice(4, 6)}/d=${day.slice(6, 8)}/h=${h0.slice(9, 11)}/m=00/PT1H.json`,
        `${by.azure.map((r) => JSON.stringify(r)).join('\n')}\n`,
      );
    }
    if (by.gcp.length > 0) {
      if (h === days * 24 - 1)
        await write(`gcp/gcloud-read-${h0}.json`, `${JSON.stringify(by.gcp.slice().reverse(), null, 2)}\n`);
      else await write(`gcp/audit-${h0}.jsonl.gz`, gzipSync(`${by.gcp.map((r) => JSON.stringify(r)).join('\n')}\n`));
    }
    events += hour.length;
  }
  // Entra sign-ins as Graph pages, one per day.
  for (let day = 0; day < days; day++) {
    const list = signins
      .filter((s) => s.t >= DAY0 + day * 86_400_000 && s.t < DAY0 + (day + 1) * 86_400_000)
      .map((s) => s.rec);
    if (list.length === 0) continue;
    const path = join(options.dir, `azure/signins-${stamp(DAY0 + day * 86_400_000).slice(0, 8)}.json`);
    const data = `${JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/beta/$metadata#auditLogs/signIns', value: list }, null, 2)}\n`;
    await writeFile(path, data);
    files.push(path);
    bytes += data.length;
  }
  return { files, events, bytes, expected: options.attacks === false ? {} : { ...PLANTED } };
}
