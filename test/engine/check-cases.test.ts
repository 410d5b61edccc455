import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { assertsWhatUsersRead, describeCaseFailure, runCheckCases } from '../../src/engine/cases.js';
import { loadCheckFile } from '../../src/engine/load-checks.js';
import { fixture, runCli, tempDir } from '../helpers/cli.js';

async function checkWithCases(
  cases: string,
  body = 'require: { properties: { mfa: { properties: { state: { const: enabled } } } } }',
): Promise<ReturnType<typeof runCheckCases>> {
  const file = join(await tempDir(), 'mfa-on.yaml');
  await writeFile(
    file,
    `id: mfa-on
title: Principals have MFA
description: Exercises what a check's test cases can assert.
mitigation: M1026
measure: multi-factor-authentication
technique: T1059.009
severity: high
resource: principals
where: { properties: { provider: { const: azure } } }
${body}
message: "{name} in {scope.id} has no MFA"
remediation: Turn on MFA for this principal.
references: { nist: ["IA-2(1)"] }
tests:
${cases}`,
  );
  return runCheckCases(await loadCheckFile(file));
}

const PASSING = '  - { name: on passes, expect: pass, resource: { kind: user, name: a, mfa: { state: enabled } } }\n';

test('a case whose resource is not snapshot data fails, naming the JSON pointer', async (t) => {
  const outcomes =
    await checkWithCases(`${PASSING}  - { name: off fails, expect: fail, resource: { kind: user, name: b, mfa: { state: disabled, hardware: "yes" } } }
  - { name: wrong field, expect: fail, resource: { kind: user, name: c, mfaState: disabled, mfa: { state: disabled } } }
  - { name: wrong gap, expect: unknown, resource: { kind: user, name: d }, gaps: [{ what: "", reason: "x" }] }
  - { name: wrong related, expect: fail, resource: { kind: user, name: e, mfa: { state: disabled } }, related: { roles: [{ name: r, builtIn: "no" }] } }
  - { name: incomplete credential, expect: fail, resource: { kind: user, name: f, mfa: { state: disabled }, credentials: [{ kind: accessKey, id: k1 }] } }
`);
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  t.true(byName.get('on passes')!.ok);
  for (const [name, pointer] of [
    ['off fails', '/tests/1/resource/mfa/hardware'],
    ['wrong field', '/tests/2/resource/mfaState'],
    ['wrong gap', '/tests/3/gaps/0/what'],
    ['wrong related', '/tests/4/related/roles/0/builtIn'],
    ['incomplete credential', '/tests/5/resource/credentials/0'],
  ] as const) {
    const o = byName.get(name)!;
    t.false(o.ok, name);
    t.is(o.actual, o.expected, `${name}: the status alone would have passed`);
    t.true(
      o.problems?.some((p) => p.startsWith(`case data is not snapshot data at ${pointer}:`)),
      `${name}: ${JSON.stringify(o.problems)}`,
    );
  }
});

test('a case can assert the failing pointers, the missing data and the rendered message', async (t) => {
  const outcomes = await checkWithCases(`${PASSING}  - name: right
    expect: fail
    resource: { kind: user, name: bob, scope: { kind: tenant, id: t1 }, mfa: { state: disabled } }
    failed: [/mfa/state]
    message: "bob in t1 has no MFA"
  - name: wrong pointer
    expect: fail
    resource: { kind: user, name: bob, mfa: { state: disabled } }
    failed: [/mfa/methods]
  - name: wrong message
    expect: fail
    resource: { kind: user, name: bob, scope: { kind: tenant, id: t1 }, mfa: { state: disabled } }
    message: "bob has no MFA"
  - name: unknown with the right missing data
    expect: unknown
    resource: { kind: user, name: carol }
    missing: [/mfa/state]
    message: "Not assessed: no data for /mfa/state"
  - name: unknown with the wrong missing data
    expect: unknown
    resource: { kind: user, name: carol }
    missing: [/mfa]
`);
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  t.true(byName.get('right')!.ok, JSON.stringify(byName.get('right')));
  t.true(
    byName.get('unknown with the right missing data')!.ok,
    JSON.stringify(byName.get('unknown with the right missing data')),
  );
  t.deepEqual(byName.get('wrong pointer')!.problems, ['expected failing pointers /mfa/methods, got /mfa/state']);
  t.deepEqual(byName.get('wrong message')!.problems, [
    'expected the message "bob has no MFA", got "bob in t1 has no MFA"',
  ]);
  t.deepEqual(byName.get('unknown with the wrong missing data')!.problems, [
    'expected missing pointers /mfa, got /mfa/state',
  ]);
});

test('a failed assertion reads as one line naming the check file, the case, and the expected against the actual value', async (t) => {
  const outcomes = await checkWithCases(`${PASSING}  - name: wrong message
    expect: fail
    resource: { kind: user, name: bob, scope: { kind: tenant, id: t1 }, mfa: { state: disabled } }
    failed: [/mfa/methods]
    message: "bob has no MFA"
  - name: wrong status
    expect: pass
    resource: { kind: user, name: carol, mfa: { state: disabled } }
`);
  const byName = new Map(outcomes.map((o) => [o.name, o]));
  t.deepEqual(describeCaseFailure(byName.get('wrong message')!, 'our/mfa-on.yaml'), [
    'our/mfa-on.yaml: case "wrong message": expected failing pointers /mfa/methods, got /mfa/state',
    'our/mfa-on.yaml: case "wrong message": expected the message "bob has no MFA", got "bob in t1 has no MFA"',
  ]);
  t.deepEqual(describeCaseFailure(byName.get('wrong status')!, 'our/mfa-on.yaml'), [
    'our/mfa-on.yaml: case "wrong status": expected pass, got fail — carol in test has no MFA (/mfa/state must be "enabled")',
  ]);
  t.deepEqual(describeCaseFailure(byName.get('on passes')!), []);
});

test('a check asserts what users read only with a failing case that pins both its message and its failing pointers', (t) => {
  const fail = { name: 'f', expect: 'fail' as const };
  t.false(assertsWhatUsersRead({ tests: [{ name: 'p', expect: 'pass' }, fail] }));
  t.false(assertsWhatUsersRead({ tests: [{ ...fail, message: 'm' }] }), 'message alone');
  t.false(assertsWhatUsersRead({ tests: [{ ...fail, failed: ['/a'] }] }), 'pointers alone');
  t.false(
    assertsWhatUsersRead({ tests: [{ ...fail, failed: [], message: 'm' }] }),
    'an empty pointer list asserts nothing failed',
  );
  t.false(
    assertsWhatUsersRead({ tests: [{ name: 'u', expect: 'unknown', missing: ['/a'], failed: ['/a'], message: 'm' }] }),
    'not a failing case',
  );
  t.true(assertsWhatUsersRead({ tests: [{ ...fail, failed: ['/a'], message: 'm' }] }));
});

test('cloudward test fails a check whose cases use a field no snapshot holds, and names the pointer', async (t) => {
  const run = await runCli(['test', fixture('bad', 'policies', 'case-not-snapshot-data.yaml')]);
  t.is(run.code, 1, run.stderr);
  t.regex(
    run.stdout,
    /FAIL case-not-snapshot-data: enabled passes\n\s+case data is not snapshot data at \/tests\/0\/resource\/mfaState: unknown field "mfaState"/,
  );
  t.regex(run.stdout, /2 failed/);
});

test('cloudward test notes, without failing, the checks that pin no failure message and pointers, and how to add them', async (t) => {
  const run = await runCli(['test', fixture('bad', 'policies', 'case-not-snapshot-data.yaml')]);
  t.regex(
    run.stdout,
    /^note: 1 check has no failing case that pins its message and failing pointers \(add failed: and message: to one; docs\/checks\.md, "Test cases"\): case-not-snapshot-data$/m,
  );
  const builtIn = await runCli(['test', '--checks', 'aws-root-mfa-enabled']);
  t.is(builtIn.code, 0, builtIn.stdout);
  t.notRegex(builtIn.stdout, /^note:/m);
});
