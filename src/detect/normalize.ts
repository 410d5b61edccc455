import { AZURE_APP_IDS, classifyUserAgent } from './clients.js';
import type { CredentialKind, DetectEvent, EventRef, LogSource } from './event.js';
import { loadRangeTable, type RangeTable, type SourceNetwork } from './ip-ranges.js';

type Rec = Record<string, unknown>;

/** Thrown for a record that is JSON but not an audit-log record this reader knows; the reader adds file:line. */
export class RecordError extends Error {}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);

function parseTime(v: unknown, what: string): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new RecordError(`${what} is missing or not a date-time`);
  return t;
}

let ranges: RangeTable | undefined;

/** The published cloud ranges to place compute credentials' source addresses in (the shipped file unless set). */
export function useRangeTable(table: RangeTable): void {
  ranges = table;
}

/**
 * Where a compute credential or a long-term key was used from; other events are not looked up (it is only their rules
 * that ask: a key's pipeline on hosted runners leaves from a cloud provider's ranges).
 */
function networkOf(ip: string | null, compute: string | null, longTermKey = false): SourceNetwork | null {
  if (ip === null || (compute === null && !longTermKey)) return null;
  ranges ??= loadRangeTable();
  return ranges.networkOf(ip);
}

/** Which log a record came from, read from its shape; undefined when it is none of them. */
export function recordKind(r: Rec): LogSource | 'lookup-event' | 'elastic-cloudtrail' | 'log-analytics' | undefined {
  if (typeof r.TimeGenerated === 'string' && typeof r.Type === 'string' && LOG_ANALYTICS_TABLES.has(r.Type)) return 'log-analytics';
  if ('eventSource' in r && 'eventName' in r) return 'cloudtrail';
  // Datadog moves eventName to its standard attribute evt.name.
  if ('eventSource' in r && (obj(r.evt)?.name !== undefined || 'evt.name' in r)) return 'cloudtrail';
  if (obj(obj(r.aws)?.cloudtrail) && str(obj(r.event)?.action) !== null) return 'elastic-cloudtrail';
  if ('eventsource' in r && 'eventname' in r) return 'cloudtrail';
  if (typeof r.CloudTrailEvent === 'string') return 'lookup-event';
  if (obj(r.protoPayload)) return 'gcp-audit';
  if (typeof r.createdDateTime === 'string' && 'appId' in r) return 'entra-signin';
  if (/SignInLogs$/.test(String(r.category ?? '')) && obj(r.properties)) return 'entra-signin';
  // Entra ID audit logs: diagnostic settings (`category: AuditLogs`, fields under properties) and Graph directoryAudits.
  if (r.category === 'AuditLogs' && obj(r.properties)) return 'entra-audit';
  if (typeof r.activityDateTime === 'string' && obj(r.initiatedBy)) return 'entra-audit';
  if ('operationName' in r && ('eventTimestamp' in r || 'resourceId' in r || 'time' in r)) return 'azure-activity';
  return undefined;
}

/** Normalizes one record of any supported log into the event shape. */
export function normalizeRecord(r: Rec, ref: EventRef): DetectEvent {
  switch (recordKind(r)) {
    case 'cloudtrail':
      return fromCloudTrail(r, ref);
    case 'lookup-event': {
      let inner: unknown;
      try {
        inner = JSON.parse(r.CloudTrailEvent as string);
      } catch {
        throw new RecordError('CloudTrailEvent is not valid JSON');
      }
      const rec = obj(inner);
      if (!rec) throw new RecordError('CloudTrailEvent is not a JSON object');
      return fromCloudTrail(rec, ref);
    }
    case 'elastic-cloudtrail':
      return fromCloudTrail(fromElastic(r), ref);
    case 'log-analytics':
      return normalizeRecord(fromLogAnalytics(r), ref);
    case 'gcp-audit':
      return fromGcp(r, ref);
    case 'entra-audit':
      return fromEntraAudit(typeof r.activityDateTime === 'string' ? r : { ...obj(r.properties), tenantId: r.tenantId, callerIpAddress: r.callerIpAddress, time: r.time }, ref);
    case 'entra-signin':
      return fromSignIn(typeof r.createdDateTime === 'string' ? r : { ...obj(r.properties), createdDateTime: r.time }, ref);
    case 'azure-activity':
      return fromAzureActivity(r, ref);
    default:
      throw new RecordError('not a CloudTrail, Azure Activity Log, Entra sign-in or audit, or GCP audit log record');
  }
}

// ---------------------------------------------------------------- AWS CloudTrail

/** Athena's CloudTrail table lower-cases every column; this maps such a record back to CloudTrail's names. */
const ATHENA_NAMES: Rec = {
  eventtime: 'eventTime', eventsource: 'eventSource', eventname: 'eventName', awsregion: 'awsRegion', sourceipaddress: 'sourceIPAddress',
  useragent: 'userAgent', errorcode: 'errorCode', readonly: 'readOnly', useridentity: 'userIdentity', recipientaccountid: 'recipientAccountId',
  type: 'type', arn: 'arn', accountid: 'accountId', accesskeyid: 'accessKeyId', principalid: 'principalId', sessioncontext: 'sessionContext',
  attributes: 'attributes', mfaauthenticated: 'mfaAuthenticated', sessionissuer: 'sessionIssuer', username: 'userName', ec2roledelivery: 'ec2RoleDelivery',
};
function camelCase(v: unknown): unknown {
  const o = obj(v);
  if (!o) return v;
  const out: Rec = {};
  for (const [k, val] of Object.entries(o)) out[(ATHENA_NAMES[k] as string | undefined) ?? k] = camelCase(val);
  return out;
}

const READ_PREFIX = /^(Describe|Get|List|Head|Lookup|Search|Scan|Query|BatchGet|Check|Generate(?!DataKey))/;
const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|Unauthorized|AuthorizationFailed|PERMISSION_DENIED|Forbidden/i;
const IPV4_OR_6 = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]+)$/i;

function fromCloudTrail(raw: Rec, ref: EventRef): DetectEvent {
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
  const access = readOnly === true || readOnly === 'true' ? 'read' : readOnly === false || readOnly === 'false' ? 'write' : READ_PREFIX.test(name) ? 'read' : 'write';
  const ip = str(r.sourceIPAddress) ?? str(obj(obj(r.network)?.client)?.ip) ?? str(r['network.client.ip']);
  // The Logstash cloudtrail codec moves eventTime to @timestamp.
  const time = r.eventTime === undefined && r['@timestamp'] !== undefined ? parseTime(r['@timestamp'], '@timestamp') : parseTime(r.eventTime, 'eventTime');
  return {
    time,
    cloud: 'aws',
    source: 'cloudtrail',
    account: str(r.recipientAccountId) ?? str(id.accountId),
    region: str(r.awsRegion),
    actor: { principal, type, role, credential, keyId, session, mfa, compute },
    client: { ...client, appId: null, evidence: ua ?? '' },
    src: { ip: ip && IPV4_OR_6.test(ip) ? ip : null, network: networkOf(ip && IPV4_OR_6.test(ip) ? ip : null, compute, credential === 'long-term-key') },
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
const TARGET_PARAMETERS = ['policyArn', 'secretId', 'names', 'name', 'path', 'userName', 'roleName', 'bucketName', 'functionName', 'keyId'] as const;

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
function fromElastic(r: Rec): Rec {
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

// ---------------------------------------------------------------- Azure Activity Log (diagnostic export and az CLI)

const AMR_CLAIM = 'http://schemas.microsoft.com/claims/authnmethodsreferences';
const UPN_CLAIMS = ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'name'];
const OID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

/** `{value, localizedValue}` (az CLI, REST) or a plain string (diagnostic export). */
const activityValue = (v: unknown): string | null => str(v) ?? str(obj(v)?.value);

function fromAzureActivity(r: Rec, ref: EventRef): DetectEvent {
  // The diagnostic-settings export nests claims under identity; `az monitor activity-log list` has them at the top.
  const claims = obj(r.claims) ?? obj(obj(r.identity)?.claims) ?? {};
  const operation = activityValue(r.operationName) ?? '';
  const appId = str(claims.appid) ?? str(claims.azp);
  const upn = UPN_CLAIMS.map((c) => str(claims[c])).find((v) => v !== null) ?? null;
  const caller = str(r.caller);
  const oid = str(claims[OID_CLAIM]);
  const isApp = str(claims.idtyp) === 'app' || (upn === null && appId !== null && (caller === null || !caller.includes('@')));
  const miResource = str(claims.xms_mirid);
  const amr = str(claims[AMR_CLAIM]);
  const known = appId ? AZURE_APP_IDS[appId.toLowerCase()] : undefined;
  const status = activityValue(r.resultType) ?? activityValue(r.status) ?? '';
  const subStatus = activityValue(r.resultSignature) ?? activityValue(r.subStatus) ?? '';
  const failed = /^fail/i.test(status);
  const time = r.eventTimestamp ?? r.time;
  const resourceId = str(r.resourceId) ?? '';
  const subscription = str(r.subscriptionId) ?? /\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] ?? null;
  const ip = str(r.callerIpAddress) ?? str(obj(r.httpRequest)?.clientIpAddress) ?? str(claims.ipaddr);
  const errorCode = failed ? (str(obj(obj(r.properties)?.statusMessage)?.code) ?? (subStatus || status)) : null;
  const lower = operation.toLowerCase();
  return {
    time: parseTime(time, r.eventTimestamp !== undefined ? 'eventTimestamp' : 'time'),
    cloud: 'azure',
    source: 'azure-activity',
    account: subscription ? subscription.toLowerCase() : null,
    region: null,
    actor: {
      principal: (upn ?? caller ?? oid ?? appId ?? 'unknown').toLowerCase(),
      role: null,
      type: isApp ? (miResource ? 'ManagedIdentity' : 'ServicePrincipal') : 'User',
      credential: isApp ? 'service' : 'session',
      keyId: isApp ? appId : null,
      session: str(claims.uti),
      mfa: amr === null ? null : /\bmfa\b/.test(amr),
      compute: miResource && /\/virtualmachines\//i.test(miResource) ? miResource.toLowerCase() : null,
    },
    client: known ? { kind: known.kind, tool: known.tool, appId, scripted: null, evidence: `appid ${appId}` } : { kind: 'unknown', tool: null, appId, scripted: null, evidence: appId ? `appid ${appId}` : '' },
    src: { ip, network: networkOf(ip, miResource && /\/virtualmachines\//i.test(miResource) ? miResource : null) },
    service: lower.split('/')[0] ?? '',
    operation: lower,
    target: resourceId ? resourceId.toLowerCase() : null,
    access: lower.endsWith('/read') ? 'read' : 'write',
    outcome: failed ? 'failure' : /^succe/i.test(status) ? 'success' : 'unknown',
    error: errorCode,
    accessDenied: failed && ACCESS_DENIED.test(`${status} ${subStatus} ${errorCode ?? ''}`),
    ref,
  };
}

// ---------------------------------------------------------------- Entra ID sign-ins (Graph auditLogs/signIns)

function fromSignIn(r: Rec, ref: EventRef): DetectEvent {
  const appId = str(r.appId);
  const known = appId ? AZURE_APP_IDS[appId.toLowerCase()] : undefined;
  const status = obj(r.status);
  const code = status?.errorCode;
  const failed = typeof code === 'number' ? code !== 0 : typeof code === 'string' ? code !== '0' : false;
  const mfaDetail = obj(r.mfaDetail);
  const requirement = str(r.authenticationRequirement);
  const ua = str(r.userAgent);
  const uaClient = classifyUserAgent(ua);
  const isServicePrincipal = str(r.servicePrincipalId) !== null && str(r.userPrincipalName) === null;
  // Graph signIn (beta) authenticationProtocol; originalTransferMethod deviceCodeFlow marks every later sign-in of a
  // session that the device code flow began (its refreshes say authenticationProtocol none).
  const protocol = str(r.authenticationProtocol);
  const signInMethod = str(r.originalTransferMethod) === 'deviceCodeFlow' ? 'deviceCode' : protocol;
  return {
    time: parseTime(r.createdDateTime, 'createdDateTime'),
    cloud: 'azure',
    source: 'entra-signin',
    account: str(r.tenantId) ?? str(r.resourceTenantId),
    region: null,
    actor: {
      principal: (str(r.userPrincipalName) ?? str(r.userId) ?? str(r.servicePrincipalName) ?? 'unknown').toLowerCase(),
      type: isServicePrincipal ? 'ServicePrincipal' : 'User',
      role: null,
      credential: isServicePrincipal ? 'service' : 'user',
      keyId: null,
      session: str(r.correlationId),
      mfa: str(mfaDetail?.authMethod) ? true : requirement === 'singleFactorAuthentication' ? false : requirement === 'multiFactorAuthentication' ? true : null,
      compute: null,
    },
    client: known
      ? { kind: known.kind, tool: known.tool, appId, scripted: null, evidence: `appId ${appId}${r.appDisplayName ? ` (${String(r.appDisplayName)})` : ''}` }
      : uaClient.kind === 'tool'
        ? { ...uaClient, appId, evidence: ua ?? '' }
        : { kind: uaClient.kind === 'unknown' && str(r.clientAppUsed) === 'Browser' ? 'browser' : uaClient.kind, tool: uaClient.tool, appId, scripted: null, evidence: appId ? `appId ${appId}` : (ua ?? '') },
    src: { ip: str(r.ipAddress), network: null },
    service: 'signin',
    operation: 'SignIn',
    target: null,
    access: 'read',
    outcome: failed ? 'failure' : 'success',
    error: failed ? String(code) : null,
    accessDenied: false,
    signInMethod,
    deviceOs: str(obj(r.deviceDetail)?.operatingSystem),
    ref,
  };
}

// ---------------------------------------------------------------- Log Analytics / Sentinel tables

const LOG_ANALYTICS_TABLES = new Set(['SigninLogs', 'AADNonInteractiveUserSignInLogs', 'AuditLogs', 'AzureActivity']);

/** Dynamic columns come as JSON text from `az monitor log-analytics query` and as objects from other exports. */
function dynamic(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/**
 * A Log Analytics row (PascalCase columns of the Azure Monitor table reference) put into the shape of the same log's
 * own export, so that one reader serves both: sign-ins as Graph signIns, AuditLogs as directoryAudits, AzureActivity
 * as `az monitor activity-log list` output.
 */
function fromLogAnalytics(r: Rec): Rec {
  switch (r.Type) {
    case 'AuditLogs':
      return {
        activityDateTime: str(r.ActivityDateTime) ?? r.TimeGenerated,
        activityDisplayName: str(r.ActivityDisplayName) ?? r.OperationName,
        result: r.Result,
        resultReason: r.ResultReason,
        tenantId: str(r.AADTenantId),
        correlationId: r.CorrelationId,
        initiatedBy: dynamic(r.InitiatedBy) ?? {},
        targetResources: dynamic(r.TargetResources),
        additionalDetails: dynamic(r.AdditionalDetails),
      };
    case 'AzureActivity':
      return {
        eventTimestamp: r.TimeGenerated,
        operationName: r.OperationNameValue ?? r.OperationName,
        status: r.ActivityStatusValue ?? r.ActivityStatus,
        subStatus: r.ActivitySubstatusValue ?? r.ActivitySubstatus,
        caller: r.Caller,
        callerIpAddress: r.CallerIpAddress,
        subscriptionId: r.SubscriptionId,
        resourceId: str(r._ResourceId) ?? r.ResourceId,
        claims: dynamic(r.Claims_d) ?? dynamic(r.Claims),
      };
    default: {
      const code = str(r.ResultType) ?? (typeof r.ResultType === 'number' ? String(r.ResultType) : '0');
      return {
        createdDateTime: str(r.CreatedDateTime) ?? r.TimeGenerated,
        userPrincipalName: r.UserPrincipalName,
        userId: r.UserId,
        appId: r.AppId ?? null,
        appDisplayName: r.AppDisplayName,
        ipAddress: r.IPAddress,
        status: { errorCode: Number(code) },
        authenticationRequirement: r.AuthenticationRequirement,
        mfaDetail: dynamic(r.MfaDetail),
        userAgent: r.UserAgent,
        clientAppUsed: r.ClientAppUsed,
        correlationId: r.CorrelationId,
        servicePrincipalId: r.ServicePrincipalId,
        authenticationProtocol: r.AuthenticationProtocol,
        originalTransferMethod: r.OriginalTransferMethod,
        deviceDetail: dynamic(r.DeviceDetail),
        tenantId: str(r.AADTenantId) ?? str(r.HomeTenantId) ?? str(r.ResourceTenantId),
      };
    }
  }
}

// ---------------------------------------------------------------- Entra ID audit logs (directoryAudits)

function fromEntraAudit(r: Rec, ref: EventRef): DetectEvent {
  const by = obj(r.initiatedBy) ?? {};
  const user = obj(by.user);
  const app = obj(by.app);
  const targets = Array.isArray(r.targetResources) ? r.targetResources.map(obj).filter((x): x is Rec => x !== undefined) : [];
  const details = Array.isArray(r.additionalDetails) ? r.additionalDetails.map(obj) : [];
  const ua = str(r.userAgent) ?? str(details.find((d) => d?.key === 'User-Agent')?.value);
  const client = classifyUserAgent(ua);
  const appId = str(app?.appId);
  const known = appId ? AZURE_APP_IDS[appId.toLowerCase()] : undefined;
  const principal = str(user?.userPrincipalName) ?? str(user?.id) ?? str(app?.servicePrincipalId) ?? appId ?? str(app?.displayName) ?? 'unknown';
  const result = str(r.result) ?? '';
  const failed = /^fail/i.test(result);
  return {
    time: parseTime(r.activityDateTime ?? r.time, r.activityDateTime !== undefined ? 'activityDateTime' : 'time'),
    cloud: 'azure',
    source: 'entra-audit',
    account: str(r.tenantId),
    region: null,
    actor: { principal: principal.toLowerCase(), type: user ? 'User' : 'ServicePrincipal', role: null, credential: user ? 'session' : 'service', keyId: user ? null : appId, session: str(r.correlationId), mfa: null, compute: null },
    client: known ? { kind: known.kind, tool: known.tool, appId, scripted: null, evidence: `appId ${appId}` } : { ...client, appId, evidence: ua ?? '' },
    src: { ip: str(user?.ipAddress) ?? str(r.callerIpAddress), network: null },
    service: 'entra',
    operation: str(r.activityDisplayName) ?? str(r.operationName) ?? '',
    target: str(targets[0]?.displayName) ?? str(targets[0]?.userPrincipalName) ?? str(targets[0]?.id),
    access: 'write',
    outcome: failed ? 'failure' : /^succe/i.test(result) ? 'success' : 'unknown',
    error: failed ? (str(r.resultReason) ?? result) : null,
    accessDenied: false,
    ref,
  };
}

// ---------------------------------------------------------------- GCP Cloud Audit Logs

/**
 * `callerIp` values Google writes instead of an address (AuditLog RequestMetadata): "private" for calls inside
 * Google's production network from one Google Cloud service to another, "gce-internal-ip" for a VM without an
 * external address outside the resource's organization. Neither is an address; both are inside Google's network.
 */
const GCP_REDACTED_IPS = new Set(['private', 'gce-internal-ip']);

/** The id of the key a CreateServiceAccountKey call made: the last segment of `response.name` (`.../keys/KEYID`). */
function createdGcpKey(method: string, response: Rec | undefined): string | null {
  if (!/CreateServiceAccountKey$/.test(method)) return null;
  const name = str(response?.name);
  const m = name === null ? null : /\/keys\/([^/]+)$/.exec(name);
  return m ? m[1]! : null;
}

const GCP_READ = /\.(get|list|search|lookup|query|aggregated|test|check|fetch|batchGet|getIamPolicy|testIamPermissions)[A-Za-z]*$/i;

function fromGcp(r: Rec, ref: EventRef): DetectEvent {
  const p = obj(r.protoPayload)!;
  const auth = obj(p.authenticationInfo) ?? {};
  const meta = obj(p.requestMetadata) ?? {};
  const status = obj(p.status);
  const code = typeof status?.code === 'number' ? status.code : 0;
  const ua = str(meta.callerSuppliedUserAgent);
  const client = classifyUserAgent(ua);
  const method = str(p.methodName) ?? '';
  const principal = str(auth.principalEmail) ?? str(auth.principalSubject) ?? 'unknown';
  const logName = str(r.logName) ?? '';
  const isSa = principal.endsWith('.gserviceaccount.com');
  const delegation = Array.isArray(auth.serviceAccountDelegationInfo) && auth.serviceAccountDelegationInfo.length > 0;
  const labels = obj(obj(r.resource)?.labels);
  const project = str(labels?.project_id) ?? /^projects\/([^/]+)/.exec(logName)?.[1] ?? null;
  const access = logName.endsWith('%2Fdata_access') || logName.endsWith('/data_access') || GCP_READ.test(method) ? 'read' : 'write';
  const keyName = str(auth.serviceAccountKeyName);
  const callerIp = str(meta.callerIp);
  const redacted = callerIp !== null && GCP_REDACTED_IPS.has(callerIp);
  const ip = redacted ? null : callerIp;
  // A service account's address is placed for every call (not only with a key): its habit, an internal address, is
  // what a rule compares a new public address with.
  const network = redacted ? 'private' : networkOf(ip, null, isSa);
  return {
    time: parseTime(r.timestamp ?? r.receiveTimestamp, 'timestamp'),
    cloud: 'gcp',
    source: 'gcp-audit',
    account: project,
    region: str(labels?.location) ?? str(labels?.zone) ?? null,
    actor: {
      principal: principal.toLowerCase(),
      type: isSa ? 'ServiceAccount' : 'User',
      role: null,
      credential: isSa ? (keyName ? 'long-term-key' : delegation ? 'federated' : 'service') : 'session',
      keyId: keyName?.split('/').pop() ?? null,
      session: null,
      mfa: null,
      compute: null,
    },
    client: { ...client, appId: null, evidence: ua ?? '' },
    src: { ip, network },
    service: str(p.serviceName) ?? '',
    operation: method,
    target: str(p.resourceName),
    newKeyId: createdGcpKey(method, obj(p.response)),
    access,
    outcome: code === 0 ? 'success' : 'failure',
    error: code === 0 ? null : `${code}`,
    // google.rpc.Code 7 PERMISSION_DENIED, 16 UNAUTHENTICATED.
    accessDenied: code === 7 || code === 16,
    ref,
  };
}
