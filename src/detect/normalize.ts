import type { AuditLogContext } from '../events/audit-logs.js';
import type { DetectEvent, EventRef, SourceNetwork } from '../events/event.js';
import { RecordError, type Rec } from '../events/record.js';
import { classifyUserAgent } from './clients.js';
import { loadRangeTable, type RangeTable } from './ip-ranges.js';
import { logReaders, logTitles } from './log-readers.js';

export { RecordError };

/** The shipped ranges, read when first needed by a run that names no others. */
let shipped: RangeTable | undefined;

/**
 * What every provider's log reader is handed: the lookups that span the providers. `ranges`: the published cloud
 * ranges to place source addresses in (the shipped file unless given). A network is looked up only for a compute
 * credential or a long-term key: it is only their rules that ask (a key's pipeline on hosted runners leaves from a
 * cloud provider's ranges).
 */
function contextOf(ranges: RangeTable | undefined): AuditLogContext {
  return {
    userAgent: classifyUserAgent,
    network(ip: string | null, compute: string | null, longTermKey = false): SourceNetwork | null {
      if (ip === null || (compute === null && !longTermKey)) return null;
      return (ranges ?? (shipped ??= loadRangeTable())).networkOf(ip);
    },
  };
}

/** The format of a record as the report names it (`cloudtrail`, `entra-audit`), read from its shape; undefined when no provider reads it. */
export function recordFormat(r: Rec): string | undefined {
  for (const { logs } of logReaders()) {
    const format = logs.format(r);
    if (format !== undefined) return format;
  }
  return undefined;
}

/**
 * The normalizer of one read: it turns a record of any registered provider's logs into the event shape, placing
 * source addresses with `ranges` (the shipped ones unless given).
 */
export function recordNormalizer(ranges?: RangeTable): (r: Rec, ref: EventRef) => DetectEvent {
  const context = contextOf(ranges);
  return (r, ref) => {
    for (const { logs } of logReaders()) {
      const event = logs.normalize(r, ref, context);
      if (event !== undefined) return event;
    }
    throw new RecordError(`not a ${logTitles()} record`);
  };
}

/** Normalizes one record of any registered provider's logs into the event shape (addresses placed with the shipped ranges). */
export const normalizeRecord = recordNormalizer();
