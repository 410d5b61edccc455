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
const AT = '2026-11-01T09:00:00Z';

/** The CLI from source under tsx, with the example adapter registered (or not) through the environment. */
function run(args: string[], register = true): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'example-provider', 'run-cli.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', CLOUDWARD_PROVIDER_MODULES: register ? ADAPTER : '' },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

const PROJECTS: DemoProject[] = [
  { id: 'p-alpha', name: 'alpha', auditLogging: true, users: [{ id: 'u1', name: 'alice', mfa: true }, { id: 'u2', name: 'bob', mfa: false }, { id: 'u3', name: 'carol', mfa: true }] },
  { id: 'p-beta', name: 'beta', auditLogging: false, users: [{ id: 'u4', name: 'dave', mfa: true }] },
  { id: 'p-gamma', name: 'gamma', auditLogging: true, denyAuditConfig: true, users: [] },
];

interface Snapshot { sources: Array<{ scope: { id: string }; gaps: Array<{ what: string; reason: string; call?: string }> }>; principals: unknown[]; controls: Array<{ uid: string; state: string }> }

test('an adapter registered outside the tree collects through the kit, imports its raw evidence back, and is audited end to end', async (t) => {
  const fake = await startFakeDemo(PROJECTS, { throttleFirst: 1 });
  t.teardown(() => fake.close());
  const dir = await tempDir('cloudward-demo-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const collected = await run(['collect', 'demo', '--endpoint-url', fake.endpoint, '--concurrency', '2', '--collected-at', AT, '--raw-out', join(dir, 'raw'), '--output', join(dir, 'demo.json')]);
  t.is(collected.code, 0, collected.stderr);
  t.regex(collected.stderr, /demo: p-gamma|demo: project p-gamma: demo\.audit-config not read \(demo:GetAuditConfig\)/);
  t.regex(collected.stderr, /cloudward: demo: 3 sources, 4 principals, 0 roles, 3 controls, 0 hosts, 1 gap/);
  t.deepEqual(undeclaredCalls(DEMO_OPERATIONS, fake.calls), [], 'every call the collector made is declared');
  t.is(fake.calls.filter((c) => c === 'demo:ListProjects').length, 3, 'one throttled answer retried, then two pages');

  const snapshot = JSON.parse(await readFile(join(dir, 'demo.json'), 'utf8')) as Snapshot;
  t.deepEqual(snapshot.sources.map((s) => s.scope.id), ['p-alpha', 'p-beta', 'p-gamma']);
  t.deepEqual(snapshot.sources[2]!.gaps, [{ what: 'demo.audit-config', call: 'demo:GetAuditConfig', reason: 'PERMISSION_DENIED: caller may not read the audit config of p-gamma — needs permission auditConfig.get' }]);

  // --raw-out keeps each project's documents; importing them gives the same snapshot.
  const files = (await Promise.all(['p-alpha', 'p-beta', 'p-gamma'].map(async (p) => (await readdir(join(dir, 'raw', p))).map((f) => join(dir, 'raw', p, f))))).flat();
  const imported = await run(['import', 'demo', ...files, '--output', join(dir, 'imported.json'), '--quiet']);
  t.is(imported.code, 0, imported.stderr);
  const again = JSON.parse(await readFile(join(dir, 'imported.json'), 'utf8')) as Snapshot;
  t.deepEqual(again.principals, snapshot.principals);
  t.deepEqual(again.controls, snapshot.controls);
  t.deepEqual(again.sources.map((s) => s.gaps), snapshot.sources.map((s) => s.gaps));

  // The audit: a failing user, a failing and an unknown project, never a pass without data.
  const audit = await run(['audit', join(dir, 'demo.json'), '--policies', POLICIES, '--no-builtin-policies', '--format', 'json', '--fail-on', 'none', '--quiet']);
  t.is(audit.code, 0, audit.stderr);
  const report = JSON.parse(audit.stdout) as { results: Array<{ checkId: string; status: string; resource: { uid: string } }> };
  const status = Object.fromEntries(report.results.map((r) => [`${r.checkId} ${r.resource.uid}`, r.status]));
  t.is(status['demo-users-mfa demo:p-alpha:user/u2'], 'fail');
  t.is(status['demo-users-mfa demo:p-alpha:user/u1'], 'pass');
  t.is(status['demo-audit-logging demo:p-alpha:audit-logging'], 'pass');
  t.is(status['demo-audit-logging demo:p-beta:audit-logging'], 'fail');
  t.is(status['demo-audit-logging demo:p-gamma:audit-logging'], 'unknown');

  const permissions = await run(['permissions', 'demo']);
  t.is(permissions.code, 0);
  t.is(permissions.stdout, '# Demo Cloud: read-only permissions cloudward needs\n\n## In every scope read\nauditConfig.get\nusers.list\n\n## Once, for the organization or tenant (caller credentials)\nprojects.list\n');
});

test('without the adapter registered, its command does not exist and its checks need undeclared topics; a bad module is exit 2', async (t) => {
  const collect = await run(['collect', 'demo', '--endpoint-url', 'http://127.0.0.1:9'], false);
  t.is(collect.code, 2);
  const validate = await run(['validate', join(POLICIES, 'demo-users-mfa.yaml')], false);
  t.is(validate.code, 2);
  t.regex(validate.stderr, /demo-users-mfa\.yaml:\d+: needs "demo\.users", a gap topic no provider adapter declares/);
  const bad = await new Promise<CliRun>((resolve) => execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'example-provider', 'run-cli.ts'), 'checks', 'list'], { cwd: ROOT, env: { ...process.env, CLOUDWARD_PROVIDER_MODULES: join(ROOT, 'package.json') } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr })));
  t.is(bad.code, 2);
  t.regex(bad.stderr, /package\.json: .*(cannot load the provider module|exports no adapter)/);
});
