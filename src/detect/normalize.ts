import type { AuditLogContext } from '../events/audit-logs.js';
import type { DetectEvent, EventRef, SourceNetwork } from '../events/event.js';
import { RecordError, type Rec } from '../events/record.js';
import { classifyUserAgent } from './clients.js';
import { loadRangeTable, type RangeTable } from './ip-ranges.js';
import { logReaders, logTitles } from './log-readers.js';

export { RecordError };

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

/** What every provider's log reader is handed: the lookups that span the providers. */
const CONTEXT: AuditLogContext = { userAgent: classifyUserAgent, network: networkOf };

/** The format of a record as the report names it (`cloudtrail`, `entra-audit`), read from its shape; undefined when no provider reads it. */
export function recordFormat(r: Rec): string | undefined {
  for (const { logs } of logReaders()) {
    const format = logs.format(r);
    if (format !== undefined) return format;
  }
  return undefined;
}

/** Normalizes one record of any registered provider's logs into the event shape. */
export function normalizeRecord(r: Rec, ref: EventRef): DetectEvent {
  for (const { logs } of logReaders()) {
    const event = logs.normalize(r, ref, CONTEXT);
    if (event !== undefined) return event;
  }
  throw new RecordError(`not a ${logTitles()} record`);
}
