import test from 'ava';
import { judgeSnapshot, reportJudgement } from '../../src/audit.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import { score } from '../../src/engine/score.js';
import type { Check } from '../../src/engine/types.js';
import { decideGate } from '../../src/gate/decide.js';
import { diffReports } from '../../src/report/compare.js';
import { renderDiff } from '../../src/report/diff.js';
import { formatters } from '../../src/report/index.js';
import type { ReportResult } from '../../src/report/model.js';
import { buildLineIndex } from '../../src/snapshot/line-index.js';
import { gcpSnapshot } from './helpers.js';

let checks: Check[];
test.before(async () => {
  checks = (await loadChecks()).filter((c) => c.id.startsWith('gcp-'));
});

const result = (
  status: ReportResult['status'],
  severity: ReportResult['severity'],
  baselineState?: ReportResult['baselineState'],
) => ({ status, severity, ...(baselineState ? { baselineState } : {}) });

test('the gate decides from results and the scorecard alone, before any report exists', (t) => {
  const scorecard = score([], []);
  const failing = decideGate([result('fail', 'high'), result('pass', 'critical')], scorecard, undefined, undefined, {
    failOn: 'high',
  });
  t.false(failing.decision.passed);
  t.deepEqual(failing.decision.reasons, ['1 failing result at or above high severity (1 high).']);
  t.regex(failing.summary, /^cloudward: gate failed — 1 failing result/);
  const baseline = {
    file: 'main.json',
    new: 0,
    unchanged: 1,
    fixed: 0,
    notEvaluated: 0,
    notEvaluatedChecks: [],
    notEvaluatedScopes: [],
    fixedResults: [],
  };
  const newOnly = decideGate([result('fail', 'high', 'unchanged')], scorecard, baseline, [], {
    failOn: 'high',
    failOnNewOnly: true,
  });
  t.true(newOnly.decision.passed);
  t.regex(newOnly.summary, /against baseline main\.json: 0 new, 1 unchanged, 0 fixed; waivers: 0 active/);
  t.throws(() => decideGate([], scorecard, undefined, undefined, { failOn: 'high', failOnNewOnly: true }), {
    message: /--fail-on-new-only needs a baseline/,
  });
});

test('the report renders the verdict the gate reached; no formatter reads a file', async (t) => {
  const snapshot = gcpSnapshot({
    users: [
      { name: 'alice', mfa: 'disabled' },
      { name: 'bob', mfa: 'enabled' },
    ],
  });
  const judgement = judgeSnapshot({
    loaded: { snapshot, files: [], origin: new Map() },
    checks,
    gate: { failOn: 'high' },
    generatedAt: '2026-11-18T00:00:00.000Z',
  });
  t.false(judgement.verdict.decision.passed);
  // The snapshot file named here does not exist: every format renders from the report and what it is handed.
  const files = [{ path: '/nonexistent/snapshot.json', sha256: '0'.repeat(64), collectedAt: snapshot.collectedAt }];
  const report = reportJudgement(judgement, files);
  t.is(report.gate, judgement.verdict.decision);
  const text = JSON.stringify(snapshot, null, 2);
  const lineIndexes = [{ path: files[0]!.path, index: buildLineIndex(Buffer.from(text)) }];
  for (const formatter of formatters) {
    // What a format loads before rendering (OCSF: the adapters' cloud names) is no file of the run.
    await formatter.prepare?.();
    const out = formatter.render(report, { color: false, verbose: false, quiet: false, lineIndexes });
    t.true((typeof out === 'string' ? out : [...out].join('')).length > 0, formatter.name);
  }
  const sarif = JSON.parse(
    [
      ...(formatters
        .find((f) => f.name === 'sarif')!
        .render(report, { color: false, verbose: false, quiet: false, lineIndexes }) as Iterable<string>),
    ].join(''),
  ) as {
    runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }>;
  };
  const line = sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine;
  t.true(line > 1, 'located from the handed-in index');
  t.regex(text.split('\n')[line - 1]!, /"uid": "gcp:acme-prod:user\/alice"/);
});

test('diff renders through the report formatters: text, markdown and json of the same comparison', (t) => {
  const older = reportJudgement(
    judgeSnapshot({
      loaded: { snapshot: gcpSnapshot({ users: [{ name: 'a', mfa: 'disabled' }] }), files: [], origin: new Map() },
      checks,
      gate: { failOn: 'none' },
      generatedAt: '2026-11-01T00:00:00.000Z',
    }),
    [],
  );
  const newer = reportJudgement(
    judgeSnapshot({
      loaded: { snapshot: gcpSnapshot({ users: [{ name: 'a', mfa: 'enabled' }] }), files: [], origin: new Map() },
      checks,
      gate: { failOn: 'none' },
      generatedAt: '2026-11-02T00:00:00.000Z',
    }),
    [],
  );
  const loaded = (file: string, report: typeof older) => ({
    file,
    report,
    byFingerprint: new Map(report.results.map((r) => [r.fingerprint, r])),
  });
  const diff = diffReports(loaded('old.json', older), loaded('new.json', newer));
  t.regex(
    renderDiff(diff, 'text'),
    /^cloudward diff: old\.json .* -> new\.json[\s\S]*Fixed \(1\)\n {2}- high {5}gcp-users-2sv-enrolled gcp:acme-prod:user\/a/,
  );
  t.regex(renderDiff(diff, 'markdown'), /^## cloudward: what changed[\s\S]*### Fixed \(1\)/);
  t.deepEqual(JSON.parse(renderDiff(diff, 'json')), JSON.parse(JSON.stringify(diff)));
});
