/** GCP Cloud Audit Logs entries (gcloud logging read, log sinks) as events. */
import type { AuditLogContext } from '../../../events/audit-logs.js';
import type { DetectEvent, EventRef } from '../../../events/event.js';
import { obj, parseTime, str, type Rec } from '../../../events/record.js';

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

const GCP_READ =
  /\.(get|list|search|lookup|query|aggregated|test|check|fetch|batchGet|getIamPolicy|testIamPermissions)[A-Za-z]*$/i;

export function fromGcp(
  r: Rec,
  ref: EventRef,
  { userAgent: classifyUserAgent, network: networkOf }: AuditLogContext,
): DetectEvent {
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
  const access =
    logName.endsWith('%2Fdata_access') || logName.endsWith('/data_access') || GCP_READ.test(method) ? 'read' : 'write';
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
