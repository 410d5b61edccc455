import test from 'ava';
import type { ResultResource, Severity, Status } from '../../src/engine/types.js';
import { orderResults, type ReportResult } from '../../src/report/model.js';

/** The order results are documented to have, as one stable sort over every key. */
function reference(results: ReportResult[]): ReportResult[] {
  const status: Record<Status, number> = { fail: 0, unknown: 1, waived: 2, pass: 3 };
  const severity: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...results].sort(
    (a, b) =>
      status[a.status] - status[b.status] ||
      severity[a.severity] - severity[b.severity] ||
      text(a.checkId, b.checkId) ||
      text(a.resource.uid, b.resource.uid),
  );
}

test('results are ordered by status, severity, check id and uid, ties in input order', (t) => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const uids = ['b', 'a', 'ä', 'A', 'a1', 'a\u{1F600}', 'a\uFFFF', 'z', ''];
  // Shared subjects, and distinct subjects with equal uids (scope results make one per result).
  const subjects: ResultResource[] = uids.map((uid) => ({
    uid,
    kind: 'principals',
    provider: 'aws',
    scope: { kind: 'account', id: '1' },
  }));
  const results: ReportResult[] = [];
  for (let i = 0; i < 3000; i++) {
    const shared = random(3) > 0;
    const resource = shared ? subjects[random(subjects.length)]! : { ...subjects[random(subjects.length)]! };
    results.push({
      checkId: `check-${random(4)}`,
      resource,
      status: (['pass', 'fail', 'unknown', 'waived'] as const)[random(4)]!,
      message: String(i),
      evidence: { observed: {} },
      severity: (['critical', 'high', 'medium', 'low'] as const)[random(4)]!,
      mitigation: 'M1026',
      measure: 'm',
      fingerprint: '',
    });
  }
  const ordered = orderResults(results);
  t.is(ordered.length, results.length);
  t.deepEqual(
    ordered.map((r) => r.message),
    reference(results).map((r) => r.message),
  );
  t.deepEqual(orderResults([]), []);
});
