/**
 * AWS's part of `cloudward detect`: CloudTrail in the shapes it is exported in (delivered files, lookup-events,
 * Athena and Datadog rows, the Elastic integration's documents), the AWS CLIs' and SDKs' user agents, AWS's published
 * address ranges and CloudTrail's delivered file names.
 */
import { userAgentToken, type AuditLogs } from '../../../events/audit-logs.js';
import { obj, RecordError, recordList, str, type Rec } from '../../../events/record.js';
import { fromCloudTrail, fromElastic } from './cloudtrail.js';

type CloudTrailShape = 'cloudtrail' | 'lookup-event' | 'elastic-cloudtrail';

/** Which of CloudTrail's export shapes a record has; undefined when none. */
function cloudTrailShape(r: Rec): CloudTrailShape | undefined {
  if ('eventSource' in r && 'eventName' in r) return 'cloudtrail';
  // Datadog moves eventName to its standard attribute evt.name.
  if ('eventSource' in r && (obj(r.evt)?.name !== undefined || 'evt.name' in r)) return 'cloudtrail';
  if (obj(obj(r.aws)?.cloudtrail) && str(obj(r.event)?.action) !== null) return 'elastic-cloudtrail';
  if ('eventsource' in r && 'eventname' in r) return 'cloudtrail';
  if (typeof r.CloudTrailEvent === 'string') return 'lookup-event';
  return undefined;
}

const FORMAT_NAMES: Record<CloudTrailShape, string> = {
  cloudtrail: 'cloudtrail',
  'lookup-event': 'cloudtrail-lookup-events',
  'elastic-cloudtrail': 'cloudtrail-elastic',
};

export const awsAuditLogs: AuditLogs = {
  title: 'CloudTrail',
  sources: { cloudtrail: 'AWS CloudTrail management and data events' },
  format: (r) => {
    const shape = cloudTrailShape(r);
    return shape && FORMAT_NAMES[shape];
  },
  normalize(r, ref, context) {
    switch (cloudTrailShape(r)) {
      case 'cloudtrail':
        return fromCloudTrail(r, ref, context);
      case 'lookup-event': {
        let inner: unknown;
        try {
          inner = JSON.parse(r.CloudTrailEvent as string);
        } catch {
          throw new RecordError('CloudTrailEvent is not valid JSON');
        }
        const rec = obj(inner);
        if (!rec) throw new RecordError('CloudTrailEvent is not a JSON object');
        return fromCloudTrail(rec, ref, context);
      }
      case 'elastic-cloudtrail':
        return fromCloudTrail(fromElastic(r), ref, context);
      default:
        return undefined;
    }
  },
  clients: {
    // The CLI and SDKs add exec-env/<AWS_EXECUTION_ENV>; CloudShell sets it to CloudShell.
    cloudShell: ['exec-env/CloudShell'],
    userAgents: [
      { pattern: /^aws-cli\//, kind: 'cli', tool: 'aws-cli' },
      { pattern: /^Boto3\/|^Botocore\//, kind: 'sdk', tool: 'boto3' },
      // Before Azure PowerShell's marker: the AWS Tools' user agent carries PowerShellCore/ too.
      { pattern: /^AWSPowerShell/, kind: 'powershell', tool: 'aws-powershell' },
      { pattern: /^aws-sdk-|^APN\//, kind: 'sdk', tool: userAgentToken, late: true },
      { pattern: /^aws-internal\//, kind: 'service', tool: userAgentToken, late: true },
      {
        pattern: /^(?:console\.amazonaws\.com|AWS Internal)$|^signin\.amazonaws\.com/,
        kind: 'console',
        tool: null,
        late: true,
      },
      { pattern: /^[a-z0-9.-]+\.amazonaws\.com$/, kind: 'service', tool: (ua) => ua, late: true },
    ],
  },
  ipRanges: {
    source: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
    file: 'AWS ip-ranges.json',
    read: (doc) =>
      typeof doc.createDate === 'string' && Array.isArray(doc.prefixes)
        ? {
            prefixes: [
              ...recordList(doc.prefixes).map((p) => String(p.ip_prefix)),
              ...recordList(doc.ipv6_prefixes).map((p) => String(p.ipv6_prefix)),
            ],
            published: doc.createDate,
          }
        : undefined,
  },
  // A delivered file is named by its delivery time, about 5 minutes after the calls in it (15 at worst).
  pathTimes: [{ pattern: /_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z_[^/]*$/, leadMs: 15 * 60_000 }],
  testEventDefaults: {
    cloud: 'aws',
    source: 'cloudtrail',
    account: '111122223333',
    region: 'us-east-1',
    actor: {
      principal: 'arn:aws:iam::111122223333:user/alice',
      type: 'IAMUser',
      role: null,
      credential: 'long-term-key',
      keyId: 'AKIAEXAMPLEALICE0001',
      session: null,
      mfa: null,
      compute: null,
    },
    client: {
      kind: 'cli',
      tool: 'aws-cli',
      appId: null,
      scripted: null,
      evidence: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2023',
    },
    src: { ip: '198.51.100.10', network: null },
    service: 'iam.amazonaws.com',
    operation: 'ListUsers',
    target: null,
    access: 'read',
    outcome: 'success',
    error: null,
    accessDenied: false,
  },
};
