import { createRequire } from 'node:module';
import type { XMLBuilder as XmlBuilder } from 'fast-xml-parser';
import type { Formatter } from './formatter.js';
import { relativeUri } from './locations.js';
import { runNotes, type Report, type ReportCheck, type ReportResult } from './model.js';
import { safeFileText } from '../util/terminal.js';

/*
 * JUnit XML for CI test-report views (GitLab `artifacts:reports:junit`, Jenkins, Azure Pipelines, test-reporter
 * actions): one <testsuite> per check, one <testcase> per check x resource.
 * - fail    -> <failure type="SEVERITY">: message, resource, what did not hold, remediation.
 * - unknown -> <error type="unknown">: the check could not be assessed (data missing or a collection gap). JUnit's
 *              "error" means "the test could not run properly", which is exactly that; CI views show errors red,
 *              like failures, so a gap never looks green. (The gate still decides the exit code.)
 * - waived  -> <skipped>: with the waiver's id, reason, owner and expiry.
 * - pass    -> an empty <testcase>.
 */

/** Made on first use: the XML library is loaded only by runs that write JUnit. */
let builder: XmlBuilder | undefined;
function xmlBuilder(): XmlBuilder {
  builder ??= new (createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser')).XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
    indentBy: '  ',
  });
  return builder;
}

// XML 1.0 cannot carry these code points at all, escaped or not; snapshot text could contain them. The control
// characters among them (and those XML allows but a terminal acts on) are shown as visible escapes first.
const INVALID_XML = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clean(text: string): string {
  return safeFileText(text).replace(INVALID_XML, '\uFFFD');
}

/** Attribute values on one line: parsers fold newlines in attributes into spaces anyway. */
function oneLine(text: string): string {
  return clean(text.replace(/\s+/g, ' ').trim());
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function failureBody(result: ReportResult, check: ReportCheck): string {
  const lines = [
    result.message,
    `Resource: ${result.resource.uid}${result.resource.nativeId ? ` (${result.resource.nativeId})` : ''}`,
  ];
  lines.push(`Severity: ${result.severity} · ${check.mitigation} ${check.measure}`);
  for (const f of result.evidence.failed ?? [])
    lines.push(`Failed: ${f.path}: ${f.message}${f.actual === undefined ? '' : ` (saw ${describe(f.actual)})`}`);
  if (result.baselineState) lines.push(`Baseline: ${result.baselineState}`);
  lines.push('', `Remediation: ${check.remediation.replace(/\s+/g, ' ')}`);
  if (check.references.url) lines.push(`More: ${check.references.url}`);
  return clean(lines.join('\n'));
}

function errorBody(result: ReportResult, check: ReportCheck): string {
  const lines = [result.message, `Resource: ${result.resource.uid}`];
  for (const gap of result.evidence.gaps ?? [])
    lines.push(`Collection gap: ${gap.what}: ${gap.reason}${gap.call ? ` [${gap.call}]` : ''}`);
  for (const missing of result.evidence.missing ?? []) lines.push(`Missing data: ${missing}`);
  lines.push(
    '',
    `Fix the collection (read permission, licence) so ${check.id} can be assessed, or accept it with --allow-unknown.`,
  );
  return clean(lines.join('\n'));
}

export function testcase(result: ReportResult, check: ReportCheck, file: string | undefined): Record<string, unknown> {
  const base: Record<string, unknown> = {
    '@_name': clean(result.resource.uid),
    '@_classname': check.id,
    '@_time': '0',
    ...(file ? { '@_file': file } : {}),
  };
  switch (result.status) {
    case 'fail':
      return {
        ...base,
        failure: {
          '@_type': result.severity,
          '@_message': oneLine(result.message),
          '#text': failureBody(result, check),
        },
      };
    case 'unknown':
      return {
        ...base,
        error: { '@_type': 'unknown', '@_message': oneLine(result.message), '#text': errorBody(result, check) },
      };
    case 'waived': {
      const w = result.waiver;
      const why = w
        ? `waived by ${w.id}: ${w.reason} (owner ${w.owner}, expires ${w.expires}${w.ticket ? `, ${w.ticket}` : ''})`
        : 'waived';
      return { ...base, skipped: { '@_message': oneLine(why) } };
    }
    default:
      return base;
  }
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(results: ReportResult[]): Counts {
  const counts: Counts = { tests: results.length, failures: 0, errors: 0, skipped: 0 };
  for (const r of results) {
    if (r.status === 'fail') counts.failures++;
    else if (r.status === 'unknown') counts.errors++;
    else if (r.status === 'waived') counts.skipped++;
  }
  return counts;
}

function countAttributes(counts: Counts): string {
  return `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}"`;
}

/** The suite of one check: its attributes and properties, and (when given) its test cases. */
export function suiteObject(
  report: Report,
  check: ReportCheck,
  results: ReportResult[],
  testcases?: Array<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    testsuite: {
      '@_name': check.id,
      ...Object.fromEntries(Object.entries(count(results)).map(([k, v]) => [`@_${k}`, String(v)])),
      '@_time': '0',
      '@_timestamp': report.generatedAt,
      properties: {
        property: [
          { '@_name': 'title', '@_value': oneLine(check.title) },
          { '@_name': 'severity', '@_value': check.severity },
          { '@_name': 'mitigation', '@_value': check.mitigation },
          { '@_name': 'measure', '@_value': check.measure },
          { '@_name': 'technique', '@_value': check.technique },
          // Run-wide warnings and gate settings (unverified or stale snapshot, project-file gate settings): JUnit has
          // properties per suite only, so every suite carries them.
          ...runNotes(report).map((n) => ({ '@_name': n.level, '@_value': oneLine(n.text) })),
        ],
      },
      ...(testcases ? { testcase: testcases } : {}),
    },
  };
}

const SUITE_END = '</testsuite>';

/** The five entities the XML builder writes, `&` first (as it does). */
const ENTITIES: Array<[RegExp, string]> = [
  [/&/g, '&amp;'],
  [/>/g, '&gt;'],
  [/</g, '&lt;'],
  [/'/g, '&apos;'],
  [/"/g, '&quot;'],
];
const NEEDS_ESCAPE = /[&<>'"]/;

function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = text;
  for (const [pattern, entity] of ENTITIES) out = out.replace(pattern, entity);
  return out;
}

/**
 * One test case as XML, exactly as the XML builder writes it inside a suite (attributes, a child element with
 * attributes and text, empty elements closed in place); the tests hold the two equal on every status and on hostile
 * text. A suite of 100k test cases through the builder cost ~2 s and ~400 MiB of garbage at 100k principals; the
 * builder still writes everything around the test cases.
 */
function elementXml(name: string, node: Record<string, unknown>, indent: string): string {
  let attributes = '';
  const children: Array<[string, Record<string, unknown>]> = [];
  let text = '';
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_')) attributes += ` ${key.slice(2)}="${escapeXml(String(value))}"`;
    else if (key === '#text') text = String(value);
    else children.push([key, value as Record<string, unknown>]);
  }
  if (children.length > 0)
    return `${indent}<${name}${attributes}>\n${children.map(([child, value]) => elementXml(child, value, `${indent}  `)).join('')}${indent}</${name}>\n`;
  return text === ''
    ? `${indent}<${name}${attributes}/>\n`
    : `${indent}<${name}${attributes}>${escapeXml(text)}</${name}>\n`;
}

/**
 * Streams a suite at a time, and a large suite a test case at a time: the XML is what building each whole suite at
 * once gives, without holding it all.
 */
export function* renderJunit(report: Report): Iterable<string> {
  const byCheck = new Map<string, ReportResult[]>();
  for (const r of report.results) {
    let list = byCheck.get(r.checkId);
    if (!list) byCheck.set(r.checkId, (list = []));
    list.push(r);
  }
  const file = report.snapshot.files.length === 1 ? relativeUri(report.snapshot.files[0]!.path) : undefined;
  // Attribute values below are numbers, fixed words and an ISO timestamp: nothing to escape.
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="cloudward" ${countAttributes(count(report.results))} time="0" timestamp="${report.generatedAt}">\n`;
  for (const check of report.checks) {
    const results = byCheck.get(check.id);
    if (!results || results.length === 0) continue;
    // The suite without its test cases, cut before its end tag; the test cases go in between.
    const shell = xmlBuilder().build(suiteObject(report, check, results)) as string;
    const end = shell.lastIndexOf(SUITE_END);
    yield shell.slice(0, end);
    for (const r of results) yield elementXml('testcase', testcase(r, check, file), '  ');
    const tail = shell.slice(end);
    yield tail.endsWith('\n') ? tail : `${tail}\n`;
  }
  yield '</testsuites>\n';
}

export const junitFormatter: Formatter = {
  name: 'junit',
  extension: 'junit.xml',
  description: 'JUnit XML for CI test views: a test case per check and resource (unknown = error, waived = skipped)',
  needs: { passEvidence: true, fingerprints: true, filters: false },
  render: renderJunit,
};
