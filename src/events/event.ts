/**
 * The one provider-neutral event every log record is normalized into, modelled on OCSF API Activity (class 6003):
 * who (actor), with what (client), from where (src), against what (cloud, account, service, operation), and how it
 * ended (outcome). Rules match this shape only, never a provider's raw record.
 */

/** The provider whose log an event came from: the name of the adapter whose `auditLogs` part read it. */
export type Cloud = string;
/** Which log an event came from (`cloudtrail`, `entra-signin`, ...): one of the sources its adapter's part declares. */
export type LogSource = string;
/** Where a source address is: `private` (a private or special-use network), a provider's name, or `public`. */
export type SourceNetwork = string;
/** How the caller proved who it is: a long-term key (AKIA, client secret), a session token, federation, a service. */
export type CredentialKind = 'long-term-key' | 'session' | 'federated' | 'service' | 'user' | 'unknown';
/** The program that made the call. `cloud-shell` is a CLI, SDK or PowerShell running inside a provider's Cloud Shell. */
export type ClientKind =
  | 'cli'
  | 'sdk'
  | 'powershell'
  | 'cloud-shell'
  | 'console'
  | 'browser'
  | 'tool'
  | 'service'
  | 'unknown';

export interface EventRef {
  file: string;
  /** 1-based line the record starts on. */
  line: number;
  /** Position inside a wrapped file (`Records`, `records`, a JSON array): 0-based; absent for JSON lines. */
  index?: number;
}

export interface DetectEvent {
  /** Event time, epoch milliseconds (UTC). */
  time: number;
  cloud: Cloud;
  source: LogSource;
  /** AWS account id, Azure subscription (or tenant for sign-ins), GCP project. */
  account: string | null;
  region: string | null;
  actor: {
    /** The stable principal: IAM ARN (session issuer role for assumed roles), UPN or object id, service account email. */
    principal: string;
    /** The provider's own identity type (IAMUser, AssumedRole, ServicePrincipal, user, ...). */
    type: string | null;
    /** For an AWS assumed-role session, the role's ARN (the session issuer); else null. */
    role: string | null;
    credential: CredentialKind;
    /** Access key id (AWS) or application id of a service principal, when the credential has one. */
    keyId: string | null;
    /** The session: AWS role session name, Azure token id, else null. */
    session: string | null;
    /** True when MFA was used, false when the log says it was not, null when the log does not say. */
    mfa: boolean | null;
    /** The compute instance whose attached role/identity issued the credential (EC2 instance id, VM resource id). */
    compute: string | null;
  };
  client: {
    kind: ClientKind;
    /** aws-cli, boto3, azure-cli, azure-powershell, gcloud, terraform, trufflehog, ... or null. */
    tool: string | null;
    /** Application id (Azure, Entra) when the client is known from it. */
    appId: string | null;
    /** gcloud's from-script marker: true, false, or null when the client does not say. */
    scripted: boolean | null;
    /** The raw string the kind was read from (user agent, app id). */
    evidence: string;
  };
  src: {
    ip: string | null;
    /**
     * Where the address is (`private`, the name of the provider whose published ranges hold it, else `public`), read
     * for credentials issued to compute (`actor.compute` set), long-term keys and GCP service accounts only; null
     * otherwise or without an address. GCP's redacted `callerIp` ("private", "gce-internal-ip") is `private`, with no ip.
     */
    network: SourceNetwork | null;
  };
  /** eventSource (AWS), resource provider (Azure), serviceName (GCP), `signin` for sign-ins. */
  service: string;
  /** eventName, operationName, methodName, `SignIn`, the Entra audit activity ("Add member to role"). */
  operation: string;
  /**
   * The resource the call names, when the log says: a secret or parameter (names joined, sorted), the policy an attach
   * call attaches, the user a key or user call names, an Azure resource id, a GCP resource name, an Entra audit target.
   */
  target: string | null;
  /**
   * The id of a long-term key the call created (GCP CreateServiceAccountKey: the last segment of the new key's
   * `response.name`), so that a rule can join the creation to the key's later use (`actor.keyId`); absent or null
   * when the call created none or the log does not say.
   */
  newKeyId?: string | null;
  access: 'read' | 'write' | 'unknown';
  outcome: 'success' | 'failure' | 'unknown';
  /** The provider's error code for a failure (AccessDenied, AuthorizationFailed, PERMISSION_DENIED/7, 50126). */
  error: string | null;
  accessDenied: boolean;
  /**
   * Entra sign-ins only: the protocol or grant the sign-in used, as Entra names it (`authenticationProtocol`:
   * `deviceCode`, `ropc`, `oAuth2`, `saml20`, `wsFederation`, `none`, ...), and `deviceCode` too when the session
   * began with the device code flow (`originalTransferMethod` `deviceCodeFlow`); null when the log does not say
   * (Graph v1.0), absent on other logs.
   */
  signInMethod?: string | null;
  /** Entra sign-ins only: the device's operating system as the sign-in names it (`deviceDetail.operatingSystem`), or null. */
  deviceOs?: string | null;
  ref: EventRef;
}

export function refText(ref: EventRef): string {
  return ref.index === undefined ? `${ref.file}:${ref.line}` : `${ref.file}:${ref.line} (record ${ref.index + 1})`;
}

/** Reads a dotted path (`actor.principal`) of an event. */
export function fieldOf(event: DetectEvent, path: string): unknown {
  return fieldReader(path)(event);
}

const readers = new Map<string, (event: DetectEvent) => unknown>();

/** A reader for one dotted path, made once: rules read their group keys from every event they match. */
export function fieldReader(path: string): (event: DetectEvent) => unknown {
  let reader = readers.get(path);
  if (!reader) {
    const [head, tail] = path.split('.') as [string, string | undefined];
    reader =
      tail === undefined
        ? (e: DetectEvent) => (e as unknown as Record<string, unknown>)[head]
        : (e: DetectEvent) => (e as unknown as Record<string, Record<string, unknown> | undefined>)[head]?.[tail];
    readers.set(path, reader);
  }
  return reader;
}

/** The fields a rule may name (group keys, distinct values, first-seen keys). */
export const EVENT_FIELDS = [
  'cloud',
  'source',
  'account',
  'region',
  'actor.principal',
  'actor.type',
  'actor.role',
  'actor.credential',
  'actor.keyId',
  'actor.session',
  'actor.mfa',
  'actor.compute',
  'client.kind',
  'client.tool',
  'client.appId',
  'client.scripted',
  'client.evidence',
  'src.ip',
  'src.network',
  'service',
  'operation',
  'target',
  'newKeyId',
  'access',
  'outcome',
  'error',
  'accessDenied',
  'signInMethod',
  'deviceOs',
] as const;
