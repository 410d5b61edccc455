/** Azure Activity Log, Entra ID sign-in and audit records, and their Log Analytics rows, as events. */
import type { AuditLogContext } from '../../../events/audit-logs.js';
import type { DetectEvent, EventRef } from '../../../events/event.js';
import { ACCESS_DENIED, obj, parseTime, str, type Rec } from '../../../events/record.js';
import { AZURE_APP_IDS } from './clients.js';

const AMR_CLAIM = 'http://schemas.microsoft.com/claims/authnmethodsreferences';
const UPN_CLAIMS = [
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  'name',
];
const OID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

/** `{value, localizedValue}` (az CLI, REST) or a plain string (diagnostic export). */
const activityValue = (v: unknown): string | null => str(v) ?? str(obj(v)?.value);

export function fromAzureActivity(r: Rec, ref: EventRef, { network: networkOf }: AuditLogContext): DetectEvent {
  // The diagnostic-settings export nests claims under identity; `az monitor activity-log list` has them at the top.
  const claims = obj(r.claims) ?? obj(obj(r.identity)?.claims) ?? {};
  const operation = activityValue(r.operationName) ?? '';
  const appId = str(claims.appid) ?? str(claims.azp);
  const upn = UPN_CLAIMS.map((c) => str(claims[c])).find((v) => v !== null) ?? null;
  const caller = str(r.caller);
  const oid = str(claims[OID_CLAIM]);
  const isApp =
    str(claims.idtyp) === 'app' || (upn === null && appId !== null && (caller === null || !caller.includes('@')));
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
    client: known
      ? { kind: known.kind, tool: known.tool, appId, scripted: null, evidence: `appid ${appId}` }
      : { kind: 'unknown', tool: null, appId, scripted: null, evidence: appId ? `appid ${appId}` : '' },
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

export function fromSignIn(r: Rec, ref: EventRef, { userAgent: classifyUserAgent }: AuditLogContext): DetectEvent {
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
      mfa: str(mfaDetail?.authMethod)
        ? true
        : requirement === 'singleFactorAuthentication'
          ? false
          : requirement === 'multiFactorAuthentication'
            ? true
            : null,
      compute: null,
    },
    client: known
      ? {
          kind: known.kind,
          tool: known.tool,
          appId,
          scripted: null,
          evidence: `appId ${appId}${r.appDisplayName ? ` (${String(r.appDisplayName)})` : ''}`,
        }
      : uaClient.kind === 'tool'
        ? { ...uaClient, appId, evidence: ua ?? '' }
        : {
            kind: uaClient.kind === 'unknown' && str(r.clientAppUsed) === 'Browser' ? 'browser' : uaClient.kind,
            tool: uaClient.tool,
            appId,
            scripted: null,
            evidence: appId ? `appId ${appId}` : (ua ?? ''),
          },
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

export const LOG_ANALYTICS_TABLES = new Set([
  'SigninLogs',
  'AADNonInteractiveUserSignInLogs',
  'AuditLogs',
  'AzureActivity',
]);

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
export function fromLogAnalytics(r: Rec): Rec {
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

export function fromEntraAudit(r: Rec, ref: EventRef, { userAgent: classifyUserAgent }: AuditLogContext): DetectEvent {
  const by = obj(r.initiatedBy) ?? {};
  const user = obj(by.user);
  const app = obj(by.app);
  const targets = Array.isArray(r.targetResources)
    ? r.targetResources.map(obj).filter((x): x is Rec => x !== undefined)
    : [];
  const details = Array.isArray(r.additionalDetails) ? r.additionalDetails.map(obj) : [];
  const ua = str(r.userAgent) ?? str(details.find((d) => d?.key === 'User-Agent')?.value);
  const client = classifyUserAgent(ua);
  const appId = str(app?.appId);
  const known = appId ? AZURE_APP_IDS[appId.toLowerCase()] : undefined;
  const principal =
    str(user?.userPrincipalName) ??
    str(user?.id) ??
    str(app?.servicePrincipalId) ??
    appId ??
    str(app?.displayName) ??
    'unknown';
  const result = str(r.result) ?? '';
  const failed = /^fail/i.test(result);
  return {
    time: parseTime(r.activityDateTime ?? r.time, r.activityDateTime !== undefined ? 'activityDateTime' : 'time'),
    cloud: 'azure',
    source: 'entra-audit',
    account: str(r.tenantId),
    region: null,
    actor: {
      principal: principal.toLowerCase(),
      type: user ? 'User' : 'ServicePrincipal',
      role: null,
      credential: user ? 'session' : 'service',
      keyId: user ? null : appId,
      session: str(r.correlationId),
      mfa: null,
      compute: null,
    },
    client: known
      ? { kind: known.kind, tool: known.tool, appId, scripted: null, evidence: `appId ${appId}` }
      : { ...client, appId, evidence: ua ?? '' },
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
