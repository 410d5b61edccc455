import { DetectionEngine } from './engine.js';
import type { DetectEvent } from './event.js';
import { testEventDefaults } from './log-readers.js';
import { normalizeRecord, RecordError } from './normalize.js';
import type { Finding } from './engine.js';
import type { Rule, RuleTest } from './rules.js';

export interface RuleCaseOutcome {
  ruleId: string;
  file: string;
  name: string;
  expected: number;
  actual: number;
  ok: boolean;
  detail: string;
  /** Why the case failed other than by its count: findings not as its `findings` list asserts. */
  problems?: string[];
}

/** One finding a test asserts: whose it is (the actor), and optionally its group key and its message, exactly. */
export interface FindingExpectation {
  actor: string;
  group?: string;
  message?: string;
}

/** A rule test as written, with the optional list of the findings it must raise. */
export type RuleTestWithFindings = RuleTest & { findings?: FindingExpectation[] };

const describeExpected = (w: FindingExpectation): string =>
  [
    `actor ${JSON.stringify(w.actor)}`,
    ...(w.group !== undefined ? [`group ${JSON.stringify(w.group)}`] : []),
    ...(w.message !== undefined ? [`message ${JSON.stringify(w.message)}`] : []),
  ].join(', ');
const describeFound = (f: Finding, w: FindingExpectation): string =>
  [
    `actor ${JSON.stringify(f.actor)}`,
    ...(w.group !== undefined ? [`group ${JSON.stringify(f.group)}`] : []),
    ...(w.message !== undefined ? [`message ${JSON.stringify(f.message)}`] : []),
  ].join(', ');

/**
 * Matches a test's asserted findings against the ones raised, in any order, each raised finding used once; returns
 * one line per assertion that does not hold, the expected against what was raised.
 */
export function findingProblems(
  wanted: readonly FindingExpectation[],
  found: readonly Finding[],
  expect: number,
): string[] {
  const problems: string[] = [];
  if (wanted.length !== expect)
    problems.push(
      `lists ${wanted.length} finding${wanted.length === 1 ? '' : 's'} under findings but expects ${expect}`,
    );
  const left = [...found];
  for (const w of wanted) {
    const i = left.findIndex(
      (f) =>
        f.actor === w.actor &&
        (w.group === undefined || f.group === w.group) &&
        (w.message === undefined || f.message === w.message),
    );
    if (i >= 0) {
      left.splice(i, 1);
      continue;
    }
    const got = left.length === 0 ? 'no other finding' : left.map((f) => describeFound(f, w)).join('; ');
    problems.push(`expected a finding with ${describeExpected(w)}, got ${got}`);
  }
  return problems;
}

const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');

/**
 * What a test event leaves out, from the first registered provider that declares defaults (the shipped rules' tests
 * take an IAM user's CLI read).
 */
function defaults(time: number, file: string, line: number): DetectEvent {
  const d = testEventDefaults();
  return { time, ...d, actor: { ...d.actor }, client: { ...d.client }, src: { ...d.src }, ref: { file, line } };
}

/** Turns a rule's test events into normalized events: raw records go through the normalizers, the rest take defaults. */
export function caseEvents(rule: Rule, testIndex: number): DetectEvent[] {
  const test = rule.definition.tests[testIndex]!;
  const events: DetectEvent[] = [];
  let clock = BASE_TIME;
  test.events.forEach((item, i) => {
    const repeat = typeof item.repeat === 'number' ? item.repeat : 1;
    const ref = { file: rule.file, line: rule.line, index: i };
    let base: DetectEvent;
    if (item.record && typeof item.record === 'object') {
      base = normalizeRecord(item.record as Record<string, unknown>, ref);
    } else {
      const { repeat: _r, time, actor, client, src, ...rest } = item as Record<string, unknown>;
      const d = defaults(typeof time === 'string' ? Date.parse(time) : clock, rule.file, rule.line);
      base = {
        ...d,
        ...(rest as Partial<DetectEvent>),
        actor: { ...d.actor, ...(actor as object) },
        client: { ...d.client, ...(client as object) },
        src: { ...d.src, ...(src as object) },
        ref,
      };
    }
    for (let n = 0; n < repeat; n++) {
      events.push({ ...base, time: base.time + n * 1000 });
    }
    clock = events[events.length - 1]!.time + 1000;
  });
  return events.sort((a, b) => a.time - b.time);
}

/** Runs each of a rule's test cases through a fresh engine holding only that rule. */
export function runRuleCases(rule: Rule): RuleCaseOutcome[] {
  return rule.definition.tests.map((test: RuleTestWithFindings, index) => {
    let actual = 0;
    let detail = '';
    let problems: string[] = [];
    try {
      const engine = new DetectionEngine([rule]);
      for (const event of caseEvents(rule, index)) engine.process(event);
      const findings = engine.finish();
      actual = findings.length;
      detail = findings.map((f) => f.message).join('; ') || 'no finding';
      if (test.findings) problems = findingProblems(test.findings, findings, test.expect);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      actual = -1;
      detail = `test record is not readable: ${error.message}`;
    }
    // Both the count and the asserted findings must hold; a broken assertion is what the detail then says.
    if (problems.length > 0) detail = problems.join('; ');
    const ok = actual === test.expect && problems.length === 0;
    return {
      ruleId: rule.id,
      file: rule.file,
      name: test.name,
      expected: test.expect,
      actual,
      ok,
      detail,
      ...(problems.length > 0 ? { problems } : {}),
    };
  });
}
