import { primaryScopeKind, registeredProviders } from '../providers/index.js';
import type { Snapshot, Source } from '../snapshot/model.js';
import { validateCaseData } from './case-schema.js';
import { evaluate } from './evaluate.js';
import { bindParameters } from './parameters.js';
import type { CaseExpectation, Check, CheckCase } from './types.js';

/** The outcome of one test case of one check. */
export interface CaseOutcome {
  checkId: string;
  file: string;
  name: string;
  expected: CaseExpectation;
  actual: CaseExpectation;
  ok: boolean;
  detail: string;
  /** Why the case failed other than by its status: invalid case data, or failing pointers or message not as asserted. */
  problems?: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const list = (values: readonly string[]): string => (values.length === 0 ? 'none' : values.join(', '));

const DEFAULT_COLLECTED_AT = '2026-01-01T00:00:00Z';
function withDefaults(
  resource: Record<string, unknown>,
  fallbackProvider: string,
  uid: string,
): Record<string, unknown> & { provider: string; scope: Source['scope']; uid: string } {
  const provider = typeof resource.provider === 'string' ? resource.provider : fallbackProvider;
  // A case that names no scope is in one of the provider's own kind (its adapter's first declared scope kind).
  const scope = (resource.scope as Source['scope'] | undefined) ?? {
    kind: primaryScopeKind(provider) ?? 'account',
    id: 'test',
  };
  return { ...resource, uid: typeof resource.uid === 'string' ? resource.uid : uid, provider, scope };
}

/** Builds the minimal snapshot a case describes: the resource, its related resources, and their sources with gaps. */
export function caseSnapshot(check: Check, testCase: CheckCase, index: number): { snapshot: Snapshot; uid: string } {
  const collectedAt = testCase.collectedAt ?? DEFAULT_COLLECTED_AT;
  // A check for every provider is tested on the first registered one.
  const fallbackProvider = check.providers?.[0] ?? registeredProviders()[0]?.name ?? 'none';
  const subject = withDefaults(testCase.resource ?? {}, fallbackProvider, `test:${check.id}:${index}`);
  const snapshot: Snapshot = {
    schemaVersion: '1.0',
    generator: { name: 'cloudward-test', version: '0' },
    collectedAt,
    sources: [],
    principals: [],
    roles: [],
    controls: [],
    hosts: [],
  };
  const sources = new Map<string, Source>();
  const ensureSource = (provider: string, scope: Source['scope']) => {
    const key = `${provider}:${scope.kind}/${scope.id}`;
    if (!sources.has(key))
      sources.set(key, { provider: provider as Source['provider'], scope, method: 'import', collectedAt, gaps: [] });
    return sources.get(key)!;
  };
  const subjectSource = ensureSource(subject.provider, subject.scope);
  subjectSource.gaps.push(...(testCase.gaps ?? []));
  if (check.resource !== 'scopes') (snapshot[check.resource] as unknown[]).push(subject);
  for (const [kind, list] of Object.entries(testCase.related ?? {}) as Array<
    [keyof NonNullable<CheckCase['related']>, Array<Record<string, unknown>>]
  >) {
    list.forEach((item, i) => {
      const resource = withDefaults(
        { provider: subject.provider, scope: subject.scope, ...item },
        subject.provider,
        `test:${check.id}:${index}:${kind}:${i}`,
      );
      ensureSource(resource.provider, resource.scope);
      (snapshot[kind] as unknown[]).push(resource);
    });
  }
  snapshot.sources = [...sources.values()];
  const uid =
    check.resource === 'scopes' ? `${subject.provider}:${subject.scope.kind}/${subject.scope.id}` : subject.uid;
  return { snapshot, uid };
}

/**
 * Whether a check has a failing case that asserts what a user reads: the rendered message and the failing JSON
 * pointers (`message` and `failed` on a case that expects `fail`). Every shipped check has one.
 */
export function assertsWhatUsersRead(check: Pick<Check, 'tests'>): boolean {
  return check.tests.some(
    (t) => t.expect === 'fail' && t.message !== undefined && t.failed !== undefined && t.failed.length > 0,
  );
}

/**
 * A failed case as one line each: the check file, the case, and what was expected against what came out, e.g.
 * `policies/aws/x.yaml: case "root without MFA fails": expected the message "...", got "..."`.
 */
export function describeCaseFailure(o: CaseOutcome, file: string = o.file): string[] {
  if (o.ok) return [];
  const where = `${file}: case ${JSON.stringify(o.name)}`;
  const lines = o.actual !== o.expected ? [`${where}: expected ${o.expected}, got ${o.actual} — ${o.detail}`] : [];
  for (const problem of o.problems ?? []) lines.push(`${where}: ${problem}`);
  return lines;
}

/** Runs a check's embedded cases; also fails a check that lacks a passing or a failing case. */
export function runCheckCases(check: Check): CaseOutcome[] {
  const outcomes: CaseOutcome[] = check.tests.map((testCase, index) => {
    const { snapshot, uid } = caseSnapshot(check, testCase, index);
    const result = evaluate(snapshot, [testCase.parameters ? bindParameters(check, testCase.parameters) : check]).find(
      (r) => r.resource.uid === uid,
    );
    const actual: CaseExpectation = result?.status ?? 'not-applicable';
    const detail = result
      ? `${result.message}${result.evidence.failed ? ` (${result.evidence.failed.map((f) => `${f.path} ${f.message}`).join('; ')})` : ''}`
      : "the check's where did not select the resource";
    // A case proves something only about data a snapshot can hold, and only as much as it asserts.
    const problems = validateCaseData(check.resource, testCase, index).map(
      (p) => `case data is not snapshot data at ${p.pointer}: ${p.message}`,
    );
    if (testCase.failed) {
      const seen = (result?.evidence.failed ?? []).map((f) => f.path);
      if (!sameSet(seen, testCase.failed))
        problems.push(`expected failing pointers ${list(testCase.failed)}, got ${list(seen)}`);
    }
    if (testCase.missing) {
      const seen = result?.evidence.missing ?? [];
      if (!sameSet(seen, testCase.missing))
        problems.push(`expected missing pointers ${list(testCase.missing)}, got ${list(seen)}`);
    }
    if (testCase.message !== undefined && result?.message !== testCase.message) {
      problems.push(
        `expected the message ${JSON.stringify(testCase.message)}, got ${result ? JSON.stringify(result.message) : 'no result'}`,
      );
    }
    const ok = actual === testCase.expect && problems.length === 0;
    return {
      checkId: check.id,
      file: check.file,
      name: testCase.name,
      expected: testCase.expect,
      actual,
      ok,
      detail,
      ...(problems.length > 0 ? { problems } : {}),
    };
  });
  for (const needed of ['pass', 'fail'] as const) {
    if (!check.tests.some((t) => t.expect === needed)) {
      outcomes.push({
        checkId: check.id,
        file: check.file,
        name: `has a case that expects ${needed}`,
        expected: needed,
        actual: 'not-applicable',
        ok: false,
        detail: `every check needs at least one case that must ${needed}`,
      });
    }
  }
  return outcomes;
}
