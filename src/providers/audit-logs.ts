/**
 * The registered providers' audit-log parts, without the rest of each adapter: `cloudward detect` reads only these,
 * and loading every adapter (its importers, normalizers and privilege graphs) would cost a detect run more at start-up
 * than reading a small log. Each adapter carries the same part as `auditLogs`; a test holds this list and the
 * registry (`index.ts`) to the same parts, so a provider with logs has its line in both.
 */
import type { AuditLogs } from '../events/audit-logs.js';
import { isUserError, type UserError } from '../errors.js';
import { awsAuditLogs } from './aws/audit-logs/index.js';
import { azureAuditLogs } from './azure/audit-logs/index.js';
import { gcpAuditLogs } from './gcp/audit-logs/index.js';
import { moduleAdapters } from './modules.js';

/** A provider's audit-log part under the provider's name (the `cloud` of its events). */
export interface AuditLogReader {
  cloud: string;
  logs: AuditLogs;
}

/** Kept, like the registry's, and thrown by the first call: a provider module that does not load. */
let problem: UserError | undefined;

const readers: AuditLogReader[] = [
  { cloud: 'aws', logs: awsAuditLogs },
  { cloud: 'azure', logs: azureAuditLogs },
  { cloud: 'gcp', logs: gcpAuditLogs },
  ...(
    await moduleAdapters().catch((error: unknown) => {
      if (!isUserError(error)) throw error;
      problem = error;
      return [];
    })
  ).flatMap((adapter) => (adapter.auditLogs ? [{ cloud: adapter.name, logs: adapter.auditLogs }] : [])),
];

/** The audit-log parts in registry order (the order records are offered to them); throws a module's load problem. */
export function auditLogReaders(): AuditLogReader[] {
  if (problem) throw problem;
  return readers;
}
