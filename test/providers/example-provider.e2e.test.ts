import test from 'ava';
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { undeclaredCalls } from '../../src/providers/cloud/index.js';
import { ROOT, tempDir, type CliRun } from '../helpers/cli.js';
import { DEMO_OPERATIONS } from '../support/example-provider/operations.js';
import { startFakeDemo, type DemoProject } from '../support/example-provider/fake-server.js';

const ADAPTER = join(ROOT, 'test', 'support', 'example-provider', 'index.ts');
const POLICIES = join(ROOT, 'test', 'support', 'example-provider', 'policies');
const PLAN = join(ROOT, 'test', 'support', 'example-provider', 'whatif', 'bob-role-admin.plan.json');
const AT = '2026-11-01T09:00:00Z';

/** The CLI from source under tsx, with the example adapter registered (or not) through the environment. */
function run(args: string[], register = true): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'support', 'example-provider', 'run-cli.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', CLOUDWARD_PROVIDER_MODULES: register ? ADAPTER : '' },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * alice is an Owner; carol's Role Administrator role can assign her the Owner role; erin's Support Agent role acts as
 * any user, alice included; bob and dave are viewers.
 */
const PROJECTS: DemoProject[] = [
  {
    id: 'p-alpha',
    name: 'alpha',
    auditLogging: true,
    users: [
      { id: 'u1', name: 'alice', mfa: true, roles: ['owner'] },
      { id: 'u2', name: 'bob', mfa: false, roles: ['viewer'] },
      { id: 'u3', name: 'carol', mfa: true, roles: ['role-admin'] },
      { id: 'u5', name: 'erin', mfa: true, roles: ['support'] },
    ],
  },
  {
    id: 'p-beta',
    name: 'beta',
    auditLogging: false,
    users: [{ id: 'u4', name: 'dave', mfa: true, roles: ['viewer'] }],
  },
  { id: 'p-gamma', name: 'gamma', auditLogging: true, denyAuditConfig: true, users: [] },
];

interface Snapshot {
  sources: Array<{ scope: { id: string }; gaps: Array<{ what: string; reason: string; call?: string }> }>;
  principals: Array<{
    uid: string;
    privilege?: { level: string; reasons: string[] };
    details?: Record<string, unknown>;
  }>;
  roles: unknown[];
  controls: Array<{ uid: string; state: string }>;
}
interface JsonReport {
  results: Array<{
    checkId: string;
    status: string;
    message?: string;
    baselineState?: string;
    resource: { uid: string };
    causes?: Array<{ address: string }>;
  }>;
  baseline?: { new: number; fixed: number };
  whatif?: { changes: Array<{ address: string; outcome: string; scope?: string; reason?: string }>; gaps: unknown[] };
}

/** One collection of the example tenant (with its --raw-out folder), shared by the tests that read it. */
const collection = (async () => {
  const fake = await startFakeDemo(PROJECTS, { throttleFirst: 1 });
  const dir = await tempDir('cloudward-demo-');
  const collected = await run([
    'collect',
    'demo',
    '--endpoint-url',
    fake.endpoint,
    '--concurrency',
    '2',
    '--collected-at',
    AT,
    '--raw-out',
    join(dir, 'raw'),
    '--output',
    join(dir, 'demo.json'),
  ]);
  await fake.close();
  return { collected, calls: fake.calls, dir, snapshot: join(dir, 'demo.json'), raw: join(dir, 'raw') };
})();
test.after.always(async () => rm((await collection).dir, { recursive: true, force: true }));

test('an adapter registered outside the tree collects through the kit, imports its raw evidence back, and is audited end to end', async (t) => {
  const { collected, calls, dir } = await collection;
  t.is(collected.code, 0, collected.stderr);
  t.regex(collected.stderr, /demo: p-gamma|demo: project p-gamma: demo\.audit-config not read \(demo:GetAuditConfig\)/);
  t.regex(collected.stderr, /cloudward: demo: 3 sources, 5 principals, 12 roles, 3 controls, 0 hosts, 1 gap/);
  t.deepEqual(undeclaredCalls(DEMO_OPERATIONS, calls), [], 'every call the collector made is declared');
  t.is(calls.filter((c) => c === 'demo:ListProjects').length, 3, 'one throttled answer retried, then two pages');

  const snapshot = JSON.parse(await readFile(join(dir, 'demo.json'), 'utf8')) as Snapshot;
  t.deepEqual(
    snapshot.sources.map((s) => s.scope.id),
    ['p-alpha', 'p-beta', 'p-gamma'],
  );
  t.deepEqual(snapshot.sources[2]!.gaps, [
    {
      what: 'demo.audit-config',
      call: 'demo:GetAuditConfig',
      reason: 'PERMISSION_DENIED: caller may not read the audit config of p-gamma — needs permission auditConfig.get',
    },
  ]);

  // Privilege from the roles and the graph: the path to admin is the reason and the evidence.
  const user = (id: string) => snapshot.principals.find((p) => p.uid === `demo:p-alpha:user/${id}`)!;
  t.deepEqual(user('u3').privilege, {
    level: 'privileged',
    reasons: [
      'can become an administrator: carol -> roles.assign Owner to itself -> admin',
      "holds role Role Administrator: roles.assign: assigns any role of the project, an administrator's included",
    ],
  });
  t.deepEqual(user('u3').details, {
    escalation: ['assign-role'],
    escalationPath: {
      text: 'carol -> roles.assign Owner to itself -> admin',
      steps: [
        {
          from: 'demo:p-alpha:user/u3',
          action: 'roles.assign Owner to itself',
          to: 'admin',
          kind: 'assign-role',
          edit: true,
        },
      ],
      conditions: [],
      mfa: false,
    },
  });
  t.deepEqual(
    (user('u5').details?.escalationPath as { steps: unknown[] } | undefined)?.steps,
    [{ from: 'demo:p-alpha:user/u5', action: 'users.impersonate', to: 'demo:p-alpha:user/u1', kind: 'impersonate' }],
    'one step through the hub of every user, to the Owner',
  );
  t.deepEqual(
    [user('u1').privilege?.level, user('u2').privilege?.level, user('u2').details],
    ['admin', 'none', { escalation: [] }],
  );

  // --raw-out keeps each project's documents; importing them gives the same snapshot.
  const files = (
    await Promise.all(
      ['p-alpha', 'p-beta', 'p-gamma'].map(async (p) =>
        (await readdir(join(dir, 'raw', p))).map((f) => join(dir, 'raw', p, f)),
      ),
    )
  ).flat();
  const imported = await run(['import', 'demo', ...files, '--output', join(dir, 'imported.json'), '--quiet']);
  t.is(imported.code, 0, imported.stderr);
  const again = JSON.parse(await readFile(join(dir, 'imported.json'), 'utf8')) as Snapshot;
  t.deepEqual(again.principals, snapshot.principals);
  t.deepEqual(again.roles, snapshot.roles);
  t.deepEqual(again.controls, snapshot.controls);
  t.deepEqual(
    again.sources.map((s) => s.gaps),
    snapshot.sources.map((s) => s.gaps),
  );

  // The audit: a failing user, a failing and an unknown project, never a pass without data.
  const audit = await run([
    'audit',
    join(dir, 'demo.json'),
    '--policies',
    POLICIES,
    '--no-builtin-policies',
    '--format',
    'json',
    '--fail-on',
    'none',
    '--quiet',
  ]);
  t.is(audit.code, 0, audit.stderr);
  const report = JSON.parse(audit.stdout) as JsonReport;
  const status = Object.fromEntries(report.results.map((r) => [`${r.checkId} ${r.resource.uid}`, r.status]));
  t.is(status['demo-users-mfa demo:p-alpha:user/u2'], 'fail');
  t.is(status['demo-users-mfa demo:p-alpha:user/u1'], 'pass');
  t.is(status['demo-audit-logging demo:p-alpha:audit-logging'], 'pass');
  t.is(status['demo-audit-logging demo:p-beta:audit-logging'], 'fail');
  t.is(status['demo-audit-logging demo:p-gamma:audit-logging'], 'unknown');
  t.is(status['demo-no-privilege-escalation demo:p-alpha:user/u2'], 'pass');
  t.is(status['demo-no-privilege-escalation demo:p-alpha:user/u1'], undefined, "an Owner is not the check's");
  const message = (uid: string) =>
    report.results.find((r) => r.checkId === 'demo-no-privilege-escalation' && r.resource.uid === uid)?.message;
  t.is(
    message('demo:p-alpha:user/u3'),
    'Demo user carol can become an administrator: carol -> roles.assign Owner to itself -> admin',
  );
  t.is(
    message('demo:p-alpha:user/u5'),
    'Demo user erin can become an administrator: erin -> users.impersonate alice -> admin',
  );

  const permissions = await run(['permissions', 'demo']);
  t.is(permissions.code, 0);
  t.is(
    permissions.stdout,
    '# Demo Cloud: read-only permissions cloudward needs\n\n## In every scope read\nauditConfig.get\nroles.list\nusers.list\n\n## Once, for the organization or tenant (caller credentials)\nprojects.list\n',
  );
});

test('without the adapter registered, its command does not exist and its checks need undeclared topics; a bad module is exit 2', async (t) => {
  const collect = await run(['collect', 'demo', '--endpoint-url', 'http://127.0.0.1:9'], false);
  t.is(collect.code, 2);
  const validate = await run(['validate', join(POLICIES, 'demo-users-mfa.yaml')], false);
  t.is(validate.code, 2);
  t.regex(validate.stderr, /demo-users-mfa\.yaml:\d+: needs "demo\.users", a gap topic no provider adapter declares/);
  const bad = await new Promise<CliRun>((resolve) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'support', 'example-provider', 'run-cli.ts'), 'checks', 'list'],
      { cwd: ROOT, env: { ...process.env, CLOUDWARD_PROVIDER_MODULES: join(ROOT, 'package.json') } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    ),
  );
  t.is(bad.code, 2);
  t.regex(bad.stderr, /package\.json: .*(cannot load the provider module|exports no adapter)/);
});

test("the example checks' own cases pass, each pinning a failing message and pointer", async (t) => {
  const cases = await run(['test', POLICIES]);
  t.is(cases.code, 0, cases.stdout + cases.stderr);
  t.regex(cases.stdout, /^\d+ passed, 0 failed$/m);
  t.notRegex(
    cases.stdout + cases.stderr,
    /no failing case that pins/,
    'each check pins the message and failing pointer of a failing case',
  );
});

test('audit --plan projects a demo_* plan through the example projector: the gate fails on the new path to admin and names the address', async (t) => {
  const { collected, dir, snapshot, raw } = await collection;
  t.is(collected.code, 0, collected.stderr);
  const reports = join(dir, 'reports');
  const audit = await run([
    'audit',
    snapshot,
    '--plan',
    PLAN,
    '--raw',
    raw,
    '--policies',
    POLICIES,
    '--no-builtin-policies',
    '--fail-on-new-only',
    '--format',
    'json,text',
    '--output-dir',
    reports,
    '--quiet',
  ]);
  t.is(audit.code, 1, audit.stderr);
  const report = JSON.parse(await readFile(join(reports, 'cloudward.json'), 'utf8')) as JsonReport;
  t.regex(
    await readFile(join(reports, 'cloudward.txt'), 'utf8'),
    /bob can become an administrator: .* \[new\]\n.*\n\s+caused by demo_user_role\.bob_role_admin\n/,
  );
  const fresh = report.results
    .filter((r) => r.baselineState === 'new')
    .map((r) => `${r.checkId} ${r.resource.uid} ${r.status} ${(r.causes ?? []).map((c) => c.address).join(',')}`);
  t.deepEqual(fresh, ['demo-no-privilege-escalation demo:p-alpha:user/u2 fail demo_user_role.bob_role_admin']);
  t.is(report.baseline!.fixed, 1, 'turning the beta audit log on fixes its failing result');
  t.is(
    report.results.find((r) => r.checkId === 'demo-audit-logging' && r.resource.uid === 'demo:p-beta:audit-logging')!
      .status,
    'pass',
  );
  t.is(
    report.results.find((r) => r.baselineState === 'new')!.message,
    'Demo user bob can become an administrator: bob -> roles.assign Owner to itself -> admin',
  );
  t.deepEqual(
    report.whatif!.changes.map((c) => [c.address, c.outcome, c.scope ?? c.reason]),
    [
      ['demo_user_role.bob_role_admin', 'projected', 'demo:project/p-alpha'],
      ['demo_project_audit_config.beta', 'projected', 'demo:project/p-beta'],
      ['demo_bucket.logs', 'not-projected', 'demo_bucket does not change M1026/M1038 posture'],
    ],
  );
});
