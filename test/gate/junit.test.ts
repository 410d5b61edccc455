import test from 'ava';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Report } from '../../src/report/model.js';
import { CHECKS_FLAG, EXAMPLE, cloudward, gcpSnapshot, tempDir, writeJson, writeText } from './helpers.js';

interface Case {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_type': string; '@_message': string; '#text': string };
  error?: { '@_type': string; '@_message': string; '#text': string };
  skipped?: { '@_message': string };
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase: Case[];
}

function parse(xml: string): { root: Record<string, string>; suites: Suite[] } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid)}`);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    processEntities: true,
    isArray: (name) => name === 'testsuite' || name === 'testcase' || name === 'property',
  }).parse(xml) as {
    testsuites: Record<string, string> & { testsuite: Suite[] };
  };
  return { root: parsed.testsuites, suites: parsed.testsuites.testsuite };
}

test('junit parses back with one test case per check and resource, counts matching the report', async (t) => {
  const [xml, json] = await Promise.all([
    cloudward(['audit', EXAMPLE, '--format', 'junit', '--fail-on', 'none']),
    cloudward(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none']),
  ]);
  t.is(xml.code, 0, xml.stderr);
  const report = JSON.parse(json.stdout) as Report;
  const { root, suites } = parse(xml.stdout);
  const { byStatus } = report.summary;
  t.like(root, {
    '@_tests': String(report.summary.total),
    '@_failures': String(byStatus.fail),
    '@_errors': String(byStatus.unknown),
    '@_skipped': String(byStatus.waived),
  });
  const cases = suites.flatMap((s) => s.testcase.map((c) => `${c['@_classname']} ${c['@_name']}`));
  t.is(cases.length, report.summary.total);
  t.deepEqual([...cases].sort(), report.results.map((r) => `${r.checkId} ${r.resource.uid}`).sort());
  for (const suite of suites) {
    t.is(Number(suite['@_tests']), suite.testcase.length);
    t.is(Number(suite['@_failures']), suite.testcase.filter((c) => c.failure).length);
    t.is(Number(suite['@_errors']), suite.testcase.filter((c) => c.error).length);
  }
  const failing = report.results.find((r) => r.status === 'fail')!;
  const failure = suites
    .find((s) => s['@_name'] === failing.checkId)!
    .testcase.find((c) => c['@_name'] === failing.resource.uid)!.failure!;
  t.is(failure['@_type'], failing.severity);
  t.is(failure['@_message'], failing.message.replace(/\s+/g, ' ').trim());
  t.regex(failure['#text'], /Remediation: /);
});

test('junit marks unknown as error and waived as skipped, and escapes hostile text', async (t) => {
  const dir = await tempDir();
  const snapshot = gcpSnapshot({
    users: [
      { name: 'x', mfa: 'disabled' },
      { name: 'waived', mfa: 'disabled' },
    ],
    gaps: [],
  });
  // A name with markup, quotes, an entity, a CDATA terminator and a control character (shown as a visible escape).
  snapshot.principals[0]!.name = 'evil <script>&amp; "q" \'s ]]> \u0007bell';
  const waivers = writeText(
    dir,
    'w.yaml',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "gcp:acme-prod:user/waived"\n    owner: o@acme.com\n    reason: "needs <review> & sign-off"\n    expires: 2027-01-01\n',
  );
  const run = await cloudward([
    'audit',
    writeJson(dir, 's.json', snapshot),
    ...CHECKS_FLAG,
    '--waivers',
    waivers,
    '--format',
    'junit',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  const { suites } = parse(run.stdout);
  const users = suites.find((s) => s['@_name'] === 'gcp-users-2sv-enrolled')!;
  const evil = users.testcase.find((c) => c['@_name'] === 'gcp:acme-prod:user/x')!;
  t.is(
    evil.failure!['@_message'],
    'User evil <script>&amp; "q" \'s ]]> \\x07bell is not enrolled in 2-Step Verification',
  );
  t.regex(
    users.testcase.find((c) => c['@_name'] === 'gcp:acme-prod:user/waived')!.skipped!['@_message'],
    /^waived by waiver-1: needs <review> & sign-off \(owner o@acme\.com, expires 2027-01-01\)$/,
  );

  const gap = await cloudward([
    'audit',
    writeJson(
      dir,
      'g.json',
      gcpSnapshot({
        users: [{ name: 'u', mfa: 'enabled' }],
        gaps: [{ what: 'gcp.directory-users', reason: 'not delegated' }],
      }),
    ),
    ...CHECKS_FLAG,
    '--format',
    'junit',
    '--allow-unknown',
  ]);
  const unknown = parse(gap.stdout).suites.find((s) => s['@_name'] === 'gcp-users-2sv-enrolled')!;
  t.is(unknown['@_errors'], '1');
  t.is(unknown.testcase[0]!.error!['@_type'], 'unknown');
  t.regex(unknown.testcase[0]!.error!['#text'], /Collection gap: gcp\.directory-users: not delegated/);
});

test('a large suite streamed in batches is exactly the suite built whole', async (t) => {
  const { XMLBuilder } = await import('fast-xml-parser');
  const { renderJunit, suiteObject, testcase } = await import('../../src/report/junit.js');
  const report = JSON.parse(
    (await cloudward(['audit', EXAMPLE, '--format', 'json', '--fail-on', 'none'])).stdout,
  ) as Report;
  // One check with 2,500 results of every status: more than two batches.
  const check = report.checks.find((c) => report.results.some((r) => r.checkId === c.id && r.status === 'fail'))!;
  const own = report.results.filter((r) => r.checkId === check.id);
  const others = report.results.filter((r) => r.checkId !== check.id);
  const many = Array.from({ length: 2500 }, (_, i) => ({
    ...own[i % own.length]!,
    status: (['fail', 'pass', 'unknown', 'waived'] as const)[i % 4]!,
    resource: { ...own[i % own.length]!.resource, uid: `uid-${i}<&>"'` },
  }));
  const big: Report = { ...report, results: [...many, ...others] };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
    indentBy: '  ',
  });
  const file = 'examples/acme/snapshot.json';
  const whole = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    ...big.checks.flatMap((c) => {
      const results = big.results.filter((r) => r.checkId === c.id);
      if (results.length === 0) return [];
      const xml = builder.build(
        suiteObject(
          big,
          c,
          results,
          results.map((r) => testcase(r, c, file)),
        ),
      ) as string;
      return [xml.endsWith('\n') ? xml : `${xml}\n`];
    }),
  ];
  const streamed = [...renderJunit(big)];
  const suites = streamed.slice(2, -1).join('');
  t.is(suites, whole.slice(1).join(''));
  t.is(streamed[0], whole[0]);
  t.true(streamed.length > big.checks.length + 3, 'the large suite came in several pieces');
});
