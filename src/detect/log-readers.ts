import type { PathTime, UserAgentMarker } from '../events/audit-logs.js';
import type { DetectEvent } from '../events/event.js';
import { UserError } from '../errors.js';
import { auditLogReaders } from '../providers/audit-logs.js';

/** The registered providers' audit-log parts, in registry order: the order records are offered to them. */
export const logReaders = auditLogReaders;

/** The clouds whose logs detect reads (rules' `clouds` name these). */
export const logClouds = (): string[] => logReaders().map((r) => r.cloud);

/**
 * A rule's `clouds` name providers whose logs are read: the schema takes any name, so that a new provider's rules need
 * no schema edit, and the registry decides here (`at`: where the i-th name is, file:line).
 */
export function assertRuleClouds(clouds: readonly string[] | undefined, at: (i: number) => string): void {
  const known = logClouds();
  clouds?.forEach((cloud, i) => {
    if (!known.includes(cloud))
      throw new UserError(`clouds names "${cloud}", whose logs no registered provider reads`, {
        where: at(i),
        hint: `use one of: ${known.join(', ')}`,
      });
  });
}

/** `CloudTrail, Azure Activity Log, Entra sign-in or audit, or GCP audit log`: the logs read, for messages. */
export function logTitles(): string {
  const titles = logReaders().map((r) => r.logs.title);
  return titles.length <= 1
    ? (titles[0] ?? 'known audit log')
    : `${titles.slice(0, -1).join(', ')}, or ${titles[titles.length - 1]}`;
}

/** Every provider's user agent markers, in the order they are tried, and the markers of a CLI in a Cloud Shell. */
export function userAgentMarkers(): { early: UserAgentMarker[]; late: UserAgentMarker[]; cloudShell: string[] } {
  const all = logReaders().flatMap((r) => r.logs.clients?.userAgents ?? []);
  return {
    early: all.filter((m) => !m.late),
    late: all.filter((m) => m.late),
    cloudShell: logReaders().flatMap((r) => r.logs.clients?.cloudShell ?? []),
  };
}

/** Every provider's export paths that say which hour a file holds. */
export const logPathTimes = (): PathTime[] => logReaders().flatMap((r) => r.logs.pathTimes ?? []);

/** What a rule's test event leaves out: the first registered provider's defaults that declares some. */
export function testEventDefaults(): Omit<DetectEvent, 'time' | 'ref'> {
  const found = logReaders().find((r) => r.logs.testEventDefaults)?.logs.testEventDefaults;
  if (!found) throw new Error('no registered provider declares test event defaults');
  return found;
}
