import test from 'ava';
import { auditSnapshot } from '../../src/audit.js';
import { loadChecks, selectChecks } from '../../src/engine/load-checks.js';
import { MARKDOWN_MAX_BYTES, MARKDOWN_PER_CHECK, renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/model.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { FIXTURE_CHECKS, cloudward, EXAMPLE, gcpSnapshot } from './helpers.js';

const CONTEXT = { color: false, verbose: false, quiet: false };

async function reportOf(snapshot: Snapshot): Promise<Report> {
  const checks = selectChecks(await loadChecks({}), FIXTURE_CHECKS);
  return auditSnapshot({
    loaded: {
      snapshot,
      files: [{ path: 'huge.json', sha256: '0', collectedAt: snapshot.collectedAt }],
      origin: new Map(),
    },
    checks,
    gate: { failOn: 'high' },
    generatedAt: '2026-11-18T00:00:00.000Z',
  });
}

function hugeSnapshot(users: number): Snapshot {
  // Long names make each listed result big (about 260 bytes a line).
  return gcpSnapshot({
    users: Array.from({ length: users }, (_, i) => ({
      name: `user-${String(i).padStart(6, '0')}-${'x'.repeat(200)}`,
      mfa: 'disabled' as const,
    })),
  });
}

test('markdown of a huge report stays under 1 MB, summarised per check with a note saying what was left out', async (t) => {
  const report = await reportOf(hugeSnapshot(50_000));
  const markdown = renderMarkdown(report, CONTEXT);
  const bytes = Buffer.byteLength(markdown);
  t.log(`markdown for ${report.summary.total} results: ${bytes} bytes`);
  t.true(bytes < MARKDOWN_MAX_BYTES);
  t.regex(markdown, /### Failing \(50001\)/);
  t.regex(markdown, /- … and 49990 more/);
  t.is(markdown.match(/^- `gcp:acme-prod:user\//gm)?.length, MARKDOWN_PER_CHECK);
  t.regex(
    markdown,
    /> \[!NOTE\]\n> This summary leaves out 49990 results to stay under 1000 kB\. The JSON and SARIF reports list every result\./,
  );
});

test('when even the shortest lists do not fit, results are dropped per check first, then the text is cut at a line', async (t) => {
  const report = await reportOf(hugeSnapshot(200));
  const small = renderMarkdown(report, CONTEXT, 3_500);
  t.true(Buffer.byteLength(small) <= 3_500, String(Buffer.byteLength(small)));
  t.regex(small, /- … and (19[5-9]|200) more/);
  t.regex(small, /\[!NOTE\]/);
  const warnings: string[] = [];
  const tiny = renderMarkdown(report, { ...CONTEXT, warn: (m) => warnings.push(m) }, 1_500);
  t.true(Buffer.byteLength(tiny) <= 1_500);
  t.regex(tiny, /leaves out the rest of the report/);
  t.is(warnings.length, 1);
});

test('a small report is complete and has no truncation note', async (t) => {
  const report = await reportOf(gcpSnapshot({ users: [{ name: 'alice', mfa: 'disabled' }] }));
  const markdown = renderMarkdown(report, CONTEXT);
  t.notRegex(markdown, /NOTE/);
  t.regex(markdown, /^## cloudward: gate failed ❌\n\n> 1 failing result at or above high severity \(1 high\)\./);
  t.regex(markdown, /\| \*\*M1026 Privileged Account Management\*\* \| [\d.]+ \| 1 \| 2 \| 0 \| 0 \|/);
  t.regex(markdown, /\*\*Fix:\*\* /);
});

test('text from the snapshot cannot inject Markdown, HTML or @mentions', async (t) => {
  const snapshot = gcpSnapshot({ users: [{ name: 'mallory', mfa: 'disabled' }] });
  snapshot.principals[0]!.name = '@octocat <img src=x onerror=alert(1)> **bold** [link](https://evil) | pipe `tick`';
  const markdown = renderMarkdown(await reportOf(snapshot), CONTEXT);
  const line = markdown.split('\n').find((l) => l.includes('mallory'))!;
  t.notRegex(line, /(^|[^\\])<img/);
  t.notRegex(line, /(^|[^\\])\*\*bold/);
  t.notRegex(line, /(^|[^\\])\[link\]/);
  t.regex(line, /@\u200boctocat/);
  t.regex(line, /\\\| pipe \\`tick\\`/);
});

test('the CLI writes markdown for the example tenant', async (t) => {
  const run = await cloudward(['audit', EXAMPLE, '--format', 'markdown', '--fail-on', 'none']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^## cloudward: gate not applied/);
  t.regex(run.stdout, /### Failing \(\d+\)/);
  t.regex(run.stdout, /### Not assessed: data missing, counted as not passing \(\d+\)/);
});
