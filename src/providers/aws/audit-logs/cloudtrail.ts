/** AWS CloudTrail records (delivered files, lookup-events, Athena, Datadog, Elastic) as events. */
import type { AuditLogContext } from '../../../events/audit-logs.js';
import type { CredentialKind, DetectEvent, EventRef } from '../../../events/event.js';
import { ACCESS_DENIED, obj, parseTime, str, type Rec } from '../../../events/record.js';

/** Athena's CloudTrail table lower-cases every column; this maps such a record back to CloudTrail's names. */
const ATHENA_NAMES: Rec = {
  eventtime: 'eventTime',
  eventsource: 'eventSource',
  eventname: 'eventName',
  awsregion: 'awsRegion',
  sourceipaddress: 'sourceIPAddress',
  useragent: 'userAgent',
  errorcode: 'errorCode',
  readonly: 'readOnly',
  useridentity: 'userIdentity',
  recipientaccountid: 'recipientAccountId',
  type: 'type',
  arn: 'arn',
  accountid: 'accountId',
  accesskeyid: 'accessKeyId',
  principalid: 'principalId',
  sessioncontext: 'sessionContext',
  attributes: 'attributes',
  mfaauthenticated: 'mfaAuthenticated',
  sessionissuer: 'sessionIssuer',
  username: 'userName',
  ec2roledelivery: 'ec2RoleDelivery',
};
function camelCase(v: unknown): unknown {
  const o = obj(v);
  if (!o) return v;
  const out: Rec = {};
  for (const [k, val] of Object.entries(o)) out[(ATHENA_NAMES[k] as string | undefined) ?? k] = camelCase(val);
  return out;
}

const READ_PREFIX = /^(Describe|Get|List|Head|Lookup|Search|Scan|Query|BatchGet|Check|Generate(?!DataKey))/;
const IPV4_OR_6 = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]+)$/i;

export function fromCloudTrail(
  raw: Rec,
  ref: EventRef,
  { userAgent: classifyUserAgent, network: networkOf }: AuditLogContext,
): DetectEvent {
  const r = 'eventsource' in raw ? (camelCase(raw) as Rec) : raw;
  const id = obj(r.userIdentity) ?? {};
  const ctx = obj(id.sessionContext);
  const issuer = obj(ctx?.sessionIssuer);
  const attributes = obj(ctx?.attributes);
  const type = str(id.type);
  const keyId = str(id.accessKeyId);
  const arn = str(id.arn);
  let credential: CredentialKind = 'unknown';
  if (type === 'AWSService' || type === 'AWSAccount') credential = 'service';
  else if (type === 'FederatedUser' || type === 'WebIdentityUser' || type === 'SAMLUser') credential = 'federated';
  else if (keyId?.startsWith('AKIA')) credential = 'long-term-key';
  else if (keyId?.startsWith('ASIA') || type === 'AssumedRole') credential = 'session';
  // An assumed role's principal is the session ARN (with SSO, the session name is the person); the role is kept apart.
  const principal = arn ?? str(id.principalId) ?? str(id.invokedBy) ?? 'unknown';
  const role = type === 'AssumedRole' ? str(issuer?.arn) : null;
  const session = type === 'AssumedRole' && arn ? (arn.split('/').pop() ?? null) : null;
  const mfaRaw = attributes?.mfaAuthenticated;
  const mfa = mfaRaw === 'true' || mfaRaw === true ? true : mfaRaw === 'false' || mfaRaw === false ? false : null;
  // EC2 instance-profile credentials: the session name is the instance id (and ec2RoleDelivery is set).
  // Anonymised datasets change the case of ids, so the instance id is matched in any case and kept lower-case.
  const compute = session && /^i-[0-9a-f]{8,17}$/i.test(session) ? session.toLowerCase() : null;
  // Datadog's CloudTrail pipeline remaps userAgent, sourceIPAddress and eventName onto its standard attributes.
  const ua = str(r.userAgent) ?? str(obj(r.http)?.useragent) ?? str(r['http.useragent']);
  const client = classifyUserAgent(ua);
  const name = str(r.eventName) ?? str(obj(r.evt)?.name) ?? str(r['evt.name']) ?? '';
  const error = str(r.errorCode);
  const readOnly = r.readOnly;
  const access =
    readOnly === true || readOnly === 'true'
      ? 'read'
      : readOnly === false || readOnly === 'false'
        ? 'write'
        : READ_PREFIX.test(name)
          ? 'read'
          : 'write';
  const ip = str(r.sourceIPAddress) ?? str(obj(obj(r.network)?.client)?.ip) ?? str(r['network.client.ip']);
  // The Logstash cloudtrail codec moves eventTime to @timestamp.
  const time =
    r.eventTime === undefined && r['@timestamp'] !== undefined
      ? parseTime(r['@timestamp'], '@timestamp')
      : parseTime(r.eventTime, 'eventTime');
  return {
    time,
    cloud: 'aws',
    source: 'cloudtrail',
    account: str(r.recipientAccountId) ?? str(id.accountId),
    region: str(r.awsRegion),
    actor: { principal, type, role, credential, keyId, session, mfa, compute },
    client: { ...client, appId: null, evidence: ua ?? '' },
    src: {
      ip: ip && IPV4_OR_6.test(ip) ? ip : null,
      network: networkOf(ip && IPV4_OR_6.test(ip) ? ip : null, compute, credential === 'long-term-key'),
    },
    service: str(r.eventSource) ?? '',
    operation: name,
    target: cloudTrailTarget(obj(r.requestParameters)),
    access,
    outcome: error ? 'failure' : 'success',
    error,
    accessDenied: error !== null && ACCESS_DENIED.test(error),
    ref,
  };
}

/** Request parameters that name what a call acts on, most specific first (an attach call names a user and a policy). */
const TARGET_PARAMETERS = [
  'policyArn',
  'secretId',
  'names',
  'name',
  'path',
  'userName',
  'roleName',
  'bucketName',
  'functionName',
  'keyId',
] as const;

function cloudTrailTarget(params: Rec | undefined): string | null {
  if (!params) return null;
  for (const key of TARGET_PARAMETERS) {
    const v = params[key];
    if (typeof v === 'string' && v !== '') return v;
    if (Array.isArray(v) && v.length > 0) return v.map(String).sort().join(',');
  }
  return null;
}

/**
 * A CloudTrail record as the Elastic AWS integration indexes it (ECS names: `@timestamp`, `event.action`,
 * `event.provider`, `source.ip`, `user_agent.original`, `aws.cloudtrail.*`), put back into CloudTrail's own names so
 * that one reader serves both. `event.original` is not used: it is only there when the integration is told to keep it.
 */
export function fromElastic(r: Rec): Rec {
  const event = obj(r.event) ?? {};
  const ct = obj(obj(r.aws)?.cloudtrail) ?? {};
  const id = obj(ct.user_identity) ?? {};
  const ctx = obj(id.session_context);
  const issuer = obj(ctx?.session_issuer);
  const source = obj(r.source);
  const cloud = obj(r.cloud);
  return {
    eventTime: r['@timestamp'],
    eventSource: event.provider,
    eventName: event.action,
    awsRegion: cloud?.region,
    sourceIPAddress: str(source?.ip) ?? str(source?.address),
    userAgent: obj(r.user_agent)?.original,
    errorCode: ct.error_code,
    readOnly: ct.read_only,
    recipientAccountId: str(ct.recipient_account_id) ?? str(obj(cloud?.account)?.id),
    requestParameters: obj(obj(ct.flattened)?.request_parameters),
    userIdentity: {
      type: id.type,
      arn: id.arn,
      accessKeyId: id.access_key_id,
      invokedBy: id.invoked_by,
      principalId: obj(r.user)?.id,
      accountId: obj(cloud?.account)?.id,
      sessionContext: {
        attributes: { mfaAuthenticated: ctx?.mfa_authenticated },
        ...(issuer ? { sessionIssuer: { type: issuer.type, arn: issuer.arn } } : {}),
        ...(ctx?.ec2_role_delivery ? { ec2RoleDelivery: ctx.ec2_role_delivery } : {}),
      },
    },
  };
}
