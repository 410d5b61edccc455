import type { ReportResult } from './model.js';

/**
 * Results grouped by check id, in first-seen order. Appends in place: copying a group for every result added to it
 * is quadratic in the size of the largest group.
 */
export function groupByCheck(results: ReportResult[]): Map<string, ReportResult[]> {
  const byCheck = new Map<string, ReportResult[]>();
  for (const r of results) {
    const list = byCheck.get(r.checkId);
    if (list) list.push(r);
    else byCheck.set(r.checkId, [r]);
  }
  return byCheck;
}
