import test from 'ava';
import type { Result } from '../../src/engine/types.js';
import { applyWaivers, parseWaivers, type Waiver } from '../../src/gate/waivers.js';
import type { Report } from '../../src/report/model.js';
import { CHECKS_FLAG, FIXTURE_CHECKS, cloudward, gcpSnapshot, tempDir, writeJson, writeText } from './helpers.js';

const SNAPSHOT = gcpSnapshot({
  users: [
    { name: 'alice', mfa: 'enabled' },
    { name: 'bob', mfa: 'disabled' },
    { name: 'break-glass-1', mfa: 'disabled' },
    { name: 'break-glass-2', mfa: 'disabled' },
  ],
  adminServiceAccount: true,
});

const WAIVERS = `# accepted risks
waivers:
  - id: break-glass
    check: gcp-users-2sv-enrolled
    resource: "gcp:acme-prod:user/break-glass-*"
    owner: secops@acme.com
    reason: Emergency access accounts sign in with a hardware key held in the safe
    ticket: SEC-42
    expires: 2027-03-31
  - id: deployer-owner
    check: gcp-service-accounts-not-admin
    resource: "gcp:acme-prod:serviceAccount/deployer"
    owner: platform@acme.com
    reason: Owner until the deploy pipeline moves to workload identity
    expires: 2026-11-17
  - id: alice-2sv
    check: gcp-users-2sv-enrolled
    resource: "gcp:acme-prod:user/alice"
    owner: secops@acme.com
    reason: Was missing 2SV last quarter
    expires: "2027-01-01"
`;

test('waivers are active, expired or stale, and waived results count as not passing', async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
  const waivers = writeText(dir, 'waivers.yaml', WAIVERS);
  const run = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--waivers', waivers, '--format', 'json']);
  const report = JSON.parse(run.stdout) as Report;
  const status = (uid: string) =>
    report.results.find((r) => r.resource.uid === uid && r.checkId !== 'gcp-audit-logging-all-services')!;
  t.is(status('gcp:acme-prod:user/break-glass-1').status, 'waived');
  t.is(status('gcp:acme-prod:user/break-glass-2').status, 'waived');
  t.like(status('gcp:acme-prod:user/break-glass-1').waiver, {
    id: 'break-glass',
    owner: 'secops@acme.com',
    ticket: 'SEC-42',
    expires: '2027-03-31',
  });
  t.is(status('gcp:acme-prod:serviceAccount/deployer').status, 'fail', 'an expired waiver no longer waives');
  t.is(status('gcp:acme-prod:user/bob').status, 'fail');
  t.is(status('gcp:acme-prod:user/alice').status, 'pass');
  t.deepEqual(
    report.waivers?.map((w) => [w.id, w.state, w.matched]),
    [
      ['break-glass', 'active', 2],
      ['deployer-owner', 'expired', 1],
      ['alice-2sv', 'stale', 0],
    ],
  );
  // Scored like failures: 1 pass of 4 users (high, 5 each) + deployer fail (5) + scope fail (medium, 3).
  t.is(report.summary.byStatus.waived, 2);
  t.is(report.scorecard.overall.score, Math.round((5 / (5 * 5 + 3)) * 1000) / 10);
  // bob and the deployer still fail the gate; the summary names the expired and stale waivers.
  t.is(run.code, 1);
  t.regex(
    run.stderr,
    /waivers: 1 active, 1 expired and no longer waiving \(deployer-owner\), 1 stale, matching nothing \(alice-2sv\)/,
  );

  const text = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--waivers', waivers]);
  t.regex(
    text.stdout,
    /Waived \(2\)\n {2}~ gcp-users-2sv-enrolled gcp:acme-prod:user\/break-glass-1 — Emergency access accounts/,
  );
  t.regex(text.stdout, /! deployer-owner .*expired 2026-11-17; no longer waives \(1 result counts again\)/);
  t.regex(text.stdout, /! alice-2sv .*stale: matches no failing or unknown result; remove it/);
});

test('waiving every failure at or above the threshold passes the gate', async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(
    dir,
    'snapshot.json',
    gcpSnapshot({ users: [{ name: 'break-glass-1', mfa: 'disabled' }] }),
  );
  const waivers = writeText(dir, 'waivers.yaml', WAIVERS.split('  - id: deployer-owner')[0]!);
  const run = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--waivers', waivers]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /gate passed .*0 fail|gate passed .*1 fail, 0 unknown, 1 waived/);
});

const BAD: Array<[string, string, RegExp]> = [
  [
    'missing owner',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*"\n    reason: r\n    expires: 2027-01-01\n',
    /waivers\.yaml:2: waiver 1 has no owner — every waiver needs/,
  ],
  [
    'missing expiry',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: r\n  - check: gcp-users-2sv-enrolled\n    resource: x\n    owner: o\n    reason: r\n',
    /waivers\.yaml:2: waiver 1 has no expires/,
  ],
  [
    'missing reason',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: "   "\n    expires: 2027-01-01\n',
    /waivers\.yaml:5: waiver 1: reason is empty/,
  ],
  [
    'bad date',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: r\n    expires: 2027-02-30\n',
    /waivers\.yaml:6: waiver 1 has an invalid expiry date "2027-02-30" — write a real calendar date/,
  ],
  [
    'words for a date',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: r\n    expires: next quarter\n',
    /waivers\.yaml:6: waiver 1 has an invalid expiry date "next quarter"/,
  ],
  [
    'a date and time for an expiry',
    'waivers:\n  - id: exact\n    check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: r\n    expires: 2027-01-01T00:00:00Z\n',
    /waivers\.yaml:7: waiver 1 \(exact\) has an invalid expiry date "2027-01-01T00:00:00Z" — write a real calendar date as YYYY-MM-DD/,
  ],
  [
    'an expiry beyond the longest waiver lifetime',
    'waivers:\n  - id: forever\n    check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: r\n    expires: 2027-11-19\n',
    /waivers\.yaml:7: waiver 1 \(forever\) expires 2027-11-19, more than 365 days after the report time 2026-11-18 — set expires to 2027-11-18 or earlier .*--max-waiver-days/,
  ],
  [
    'unknown check id',
    'waivers:\n  - check: gcp-users-2sv-enroled\n    resource: "*"\n    owner: o\n    reason: r\n    expires: 2027-01-01\n',
    /waivers\.yaml:2: waiver 1 names unknown check "gcp-users-2sv-enroled" — use an id from `cloudward checks list`/,
  ],
  [
    'malformed YAML',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*\n    owner: o\n',
    /waivers\.yaml:\d+: malformed YAML/,
  ],
  [
    'unknown field',
    'waivers:\n  - check: gcp-users-2sv-enrolled\n    resource: "*"\n    owner: o\n    reason: r\n    expires: 2027-01-01\n    expiry: 2027-01-01\n',
    /waivers\.yaml:2: waiver 1 has an unknown field "expiry"/,
  ],
  [
    'duplicate id',
    'waivers:\n  - id: a\n    check: gcp-users-2sv-enrolled\n    resource: x\n    owner: o\n    reason: r\n    expires: 2027-01-01\n  - id: a\n    check: gcp-users-2sv-enrolled\n    resource: y\n    owner: o\n    reason: r\n    expires: 2027-01-01\n',
    /waivers\.yaml:8: waiver id "a" is used twice \(also at line 2\)/,
  ],
  ['not a list', 'waivers: yes\n', /waivers\.yaml:1: invalid waivers file: \/waivers: must be array/],
  ['empty file', '# nothing\n', /waivers\.yaml:1: waivers file is empty/],
];

for (const [name, text, expected] of BAD) {
  test(`a waivers file with ${name} is rejected with exit 2 and one line naming file:line`, async (t) => {
    const dir = await tempDir();
    const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
    const run = await cloudward(
      ['audit', snapshot, ...CHECKS_FLAG, '--waivers', writeText(dir, 'waivers.yaml', text)],
      { cwd: dir },
    );
    t.is(run.code, 2);
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^(loading|evaluating)/.test(l));
    t.is(lines.length, 1, run.stderr);
    t.regex(lines[0]!, expected);
    t.is(run.stdout, '', 'nothing half-done on stdout');
  });
}

function result(checkId: string, uid: string, status: Result['status']): Result {
  return {
    checkId,
    status,
    resource: { uid, kind: 'principals', provider: 'aws', scope: { kind: 'account', id: '111111111111' } },
    message: 'm',
    evidence: { observed: {} },
  };
}

function waiver(resource: string, expires = '2027-01-01', check = 'c'): Waiver {
  return { id: `w-${resource}`, check, resource, owner: 'o', reason: 'r', expires, where: 'w.yaml:1' };
}

test('resource patterns are globs on the uid: * stays within a path segment, ** crosses segments', (t) => {
  const uids = [
    'aws:111111111111:user/break-glass-1',
    'aws:111111111111:user/ops/break-glass-2',
    'aws:111111111111:role/break-glass-1',
    'aws:222222222222:user/break-glass-1',
  ];
  const waived = (pattern: string) =>
    applyWaivers(
      uids.map((u) => result('c', u, 'fail')),
      [waiver(pattern)],
      '2026-11-18T00:00:00Z',
    )
      .results.filter((r) => r.status === 'waived')
      .map((r) => r.resource.uid);
  t.deepEqual(waived('aws:111111111111:user/break-glass-*'), ['aws:111111111111:user/break-glass-1']);
  t.deepEqual(waived('aws:111111111111:user/**'), [
    'aws:111111111111:user/break-glass-1',
    'aws:111111111111:user/ops/break-glass-2',
  ]);
  t.deepEqual(waived('aws:*:user/break-glass-?'), [
    'aws:111111111111:user/break-glass-1',
    'aws:222222222222:user/break-glass-1',
  ]);
  t.deepEqual(waived('aws:111111111111:{user,role}/break-glass-1'), [
    'aws:111111111111:user/break-glass-1',
    'aws:111111111111:role/break-glass-1',
  ]);
  t.deepEqual(
    waived('!aws:111111111111:user/break-glass-1'),
    [],
    'a leading ! is literal, not a negation that would waive everything else',
  );
});

test('a date expiry lasts through that day (UTC) on the report clock; anything but a date never waives', (t) => {
  const results = [result('c', 'u', 'fail')];
  const state = (expires: string, now: string) => applyWaivers(results, [waiver('u', expires)], now).notes[0]!.state;
  t.is(state('2026-11-18', '2026-11-18T23:59:59Z'), 'active');
  t.is(state('2026-11-18', '2026-11-19T00:00:00Z'), 'expired');
  // parseWaivers refuses these; should one reach applyWaivers anyway, it waives nothing rather than forever.
  t.is(state('2026-11-18T12:00:00Z', '2026-11-18T11:59:59Z'), 'expired');
  t.is(state('2027-02-30', '2026-11-18T00:00:00Z'), 'expired');
});

test('unknown results can be waived, passing ones are left alone and do not keep a waiver fresh', (t) => {
  const { results, notes } = applyWaivers(
    [result('c', 'a', 'unknown'), result('c', 'b', 'pass')],
    [waiver('a'), waiver('b')],
    '2026-11-18T00:00:00Z',
  );
  t.deepEqual(
    results.map((r) => r.status),
    ['waived', 'pass'],
  );
  t.deepEqual(
    notes.map((n) => n.state),
    ['active', 'stale'],
  );
});

test('the first matching waiver in file order is the one recorded; both count as used', (t) => {
  const first = { ...waiver('a*'), id: 'first' };
  const second = { ...waiver('ab'), id: 'second' };
  const { results, notes } = applyWaivers([result('c', 'ab', 'fail')], [first, second], '2026-11-18T00:00:00Z');
  t.is(results[0]!.waiver?.id, 'first');
  t.deepEqual(
    notes.map((n) => [n.id, n.state]),
    [
      ['first', 'active'],
      ['second', 'active'],
    ],
  );
});

test('parseWaivers accepts quoted and unquoted dates and defaults ids to the position', (t) => {
  const waivers = parseWaivers(
    WAIVERS.replace('  - id: deployer-owner\n    check:', '  - check:'),
    'w.yaml',
    FIXTURE_CHECKS,
  );
  t.deepEqual(
    waivers.map((w) => w.id),
    ['break-glass', 'waiver-2', 'alice-2sv'],
  );
  t.deepEqual(
    waivers.map((w) => w.expires),
    ['2027-03-31', '2026-11-17', '2027-01-01'],
  );
  t.is(waivers[0]!.where, 'w.yaml:3');
});

test('a waiver may run up to --max-waiver-days (default 365) from the report time; flag, variable and project file set it', async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
  const expiring = (date: string) =>
    writeText(
      dir,
      `waivers-${date}.yaml`,
      `waivers:\n  - id: long\n    check: gcp-users-2sv-enrolled\n    resource: "gcp:acme-prod:user/bob"\n    owner: o\n    reason: r\n    expires: ${date}\n`,
    );
  // The report time is 2026-11-18: 365 days on is 2027-11-18.
  const atLimit = await cloudward(
    ['audit', snapshot, ...CHECKS_FLAG, '--waivers', expiring('2027-11-18'), '--fail-on', 'none'],
    { cwd: dir },
  );
  t.is(atLimit.code, 0, atLimit.stderr);
  const beyond = expiring('2028-01-31');
  t.is(
    (await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--waivers', beyond, '--fail-on', 'none'], { cwd: dir })).code,
    2,
  );
  const flag = await cloudward(
    ['audit', snapshot, ...CHECKS_FLAG, '--waivers', beyond, '--fail-on', 'none', '--max-waiver-days', '440'],
    { cwd: dir },
  );
  t.is(flag.code, 0, flag.stderr);
  const variable = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--waivers', beyond, '--fail-on', 'none'], {
    cwd: dir,
    env: { CLOUDWARD_MAX_WAIVER_DAYS: '440' },
  });
  t.is(variable.code, 0, variable.stderr);
  writeText(dir, 'cloudward.yaml', 'max-waiver-days: 440\n');
  const config = await cloudward(['audit', snapshot, ...CHECKS_FLAG, '--waivers', beyond, '--fail-on', 'none'], {
    cwd: dir,
  });
  t.is(config.code, 0, config.stderr);
  const tighter = await cloudward(
    [
      'audit',
      snapshot,
      ...CHECKS_FLAG,
      '--waivers',
      expiring('2027-01-31'),
      '--fail-on',
      'none',
      '--max-waiver-days',
      '30',
    ],
    { cwd: dir },
  );
  t.is(tighter.code, 2);
  t.regex(tighter.stderr, /waiver 1 \(long\) expires 2027-01-31, more than 30 days after the report time 2026-11-18/);
});

test('bad input — --max-waiver-days and --max-age take a whole number of days', async (t) => {
  const dir = await tempDir();
  const snapshot = writeJson(dir, 'snapshot.json', SNAPSHOT);
  for (const args of [
    ['--max-waiver-days', '0'],
    ['--max-waiver-days', '1y'],
    ['--max-age', '-3'],
    ['--max-age', '7.5'],
  ]) {
    const run = await cloudward(['audit', snapshot, ...CHECKS_FLAG, ...args], { cwd: dir });
    t.is(run.code, 2, args.join(' '));
    t.regex(run.stderr, /whole number of days/, args.join(' '));
  }
});
