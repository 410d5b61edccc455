import type { ClientKind, DetectEvent, EventRef, SourceNetwork } from './event.js';
import type { Rec } from './record.js';

/** What a client is, read from a user agent or an application id. */
export interface ClientInfo {
  kind: ClientKind;
  tool: string | null;
  scripted: boolean | null;
}

/**
 * The lookups a log reader is handed that span every registered provider: a user agent is classified by every
 * provider's markers (an Entra sign-in can come from the AWS Tools for PowerShell), and an address placed in every
 * provider's published ranges.
 */
export interface AuditLogContext {
  userAgent(ua: string | null | undefined): ClientInfo;
  /**
   * Where a compute credential (`compute` set) or a long-term key was used from: `private`, a provider's name (its
   * published ranges) or `public`; null for other events (only their rules ask) and without an address.
   */
  network(ip: string | null, compute: string | null, longTermKey?: boolean): SourceNetwork | null;
}

/**
 * A user agent marker: the client a user agent matching `pattern` is. The providers' markers are tried in registry
 * order, each provider's in its own order: first those without `late`, then the generic ones (Terraform), then the
 * `late` ones (SDK prefixes that a generic tool's user agent carries too), then a browser's.
 */
export interface UserAgentMarker {
  pattern: RegExp;
  kind: ClientKind;
  /** The tool's name, or how to read it from the user agent (its first token, the whole agent). */
  tool: string | null | ((ua: string) => string | null);
  /** Whether the call came from a script, when the user agent says (gcloud's from-script marker). */
  scripted?: (ua: string) => boolean | null;
  late?: boolean;
}

/** A path that says which hour a file holds: five captures (year, month, day, hour, minute), UTC. */
export interface PathTime {
  pattern: RegExp;
  /** How long before the path's time the file's records may start (CloudTrail names a file by its delivery time). */
  leadMs?: number;
}

/**
 * A provider's audit logs, read by `cloudward detect`: how its records are recognised and normalized into the one
 * event shape, the clients its logs name, its published address ranges and the file paths that say their time.
 * Pure and synchronous: it loads no SDK, so the registry stays cheap to load.
 */
export interface AuditLogs {
  /** Its logs as a message names them: `CloudTrail`, `Azure Activity Log, Entra sign-in or audit`. */
  title: string;
  /** The event `source` values its events carry, each with what it is (`cloudtrail: AWS CloudTrail`). */
  sources: Record<string, string>;
  /** The format of a record as the report names it (`cloudtrail`, `cloudtrail-elastic`), or undefined when it is not its own. */
  format(record: Rec): string | undefined;
  /** The record as an event, or undefined when it is not its own; throws RecordError for its own record it cannot read. */
  normalize(record: Rec, ref: EventRef, context: AuditLogContext): DetectEvent | undefined;
  /** Its user agent markers, and those of a CLI or SDK in its browser shell (Cloud Shell). */
  clients?: {
    userAgents?: UserAgentMarker[];
    /** Substrings of a user agent that mark a CLI or SDK running inside its Cloud Shell. */
    cloudShell?: string[];
  };
  /**
   * Its published address ranges file (`cloudward ranges refresh` reads it; events then place addresses in them under
   * the provider's name): where it is published, and how its file is read (undefined: not this provider's file).
   */
  ipRanges?: {
    /** Where it is published (a URL, or how to find it). */
    source: string;
    /** The file as a user knows it, for messages: `AWS ip-ranges.json`. */
    file: string;
    read(doc: Rec): { prefixes: string[]; published: string } | undefined;
  };
  /** Export paths that say which hour a file holds, so files are ordered without being opened. */
  pathTimes?: PathTime[];
  /**
   * Event fields only one of its sources carries (`signInMethod: 'entra-signin'`): a file of its other sources lacks
   * them without the rules that need them being blind there, so coverage does not name them for it.
   */
  fieldsOnlyIn?: Record<string, string>;
  /**
   * What a rule's test event leaves out, when this is the first registered provider that declares it (the shipped
   * rules' tests take an IAM user's CLI read in AWS).
   */
  testEventDefaults?: Omit<DetectEvent, 'time' | 'ref'>;
}

/** The user agent's first token (`aws-sdk-go-v2/1.30`, `google-api-go-client/0.5`): an SDK's name. */
export const userAgentToken = (ua: string): string | null => /^([A-Za-z0-9_.-]+)/.exec(ua)?.[1] ?? null;
