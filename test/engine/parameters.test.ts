import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadCheckFile } from '../../src/engine/load-checks.js';
import { applyParameters, bindParameters } from '../../src/engine/parameters.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { EXAMPLE, messageLines, ROOT, runCli, tempDir } from '../helpers/cli.js';

const GCP_CHECK = join(ROOT, 'policies', 'gcp', 'gcp-no-escalation-to-admin.yaml');

/** One Google principal of each kind, each with a path to admin. */
function estate(): Snapshot {
  const scope = { kind: 'organization' as const, id: '1' };
  const path = {
    text: 'x -> iam.serviceAccounts.getAccessToken on etl -> admin',
    firstStep: 'iam.serviceAccounts.getAccessToken on etl',
  };
  const principal = (kind: 'user' | 'serviceAccount' | 'group', name: string, nativeId: string) => ({
    uid: `gcp:1:${kind}/${name}`,
    provider: 'gcp',
    scope,
    nativeId,
    kind,
    name,
    details: { escalation: ['get-access-token'], escalationPath: path },
  });
  return {
    schemaVersion: '1.0',
    generator: { name: 'test', version: '0' },
    collectedAt: '2026-11-01T09:00:00Z',
    sources: [{ provider: 'gcp', scope, method: 'import', collectedAt: '2026-11-01T09:00:00Z', gaps: [] }],
    principals: [
      principal('user', 'dee@acme.com', 'user:dee@acme.com'),
      principal('serviceAccount', 'ci@p.iam.gserviceaccount.com', 'serviceAccount:ci@p.iam.gserviceaccount.com'),
      principal('group', 'ops@acme.com', 'group:ops@acme.com'),
    ],
    roles: [],
    controls: [],
    hosts: [],
  } as unknown as Snapshot;
}

const failing = (snapshot: Snapshot, check: Parameters<typeof evaluate>[1][number]) =>
  evaluate(snapshot, [check])
    .filter((r) => r.status === 'fail')
    .map((r) => r.resource.name)
    .sort();

test("named administrators leave the escalation check: by member, by a user's email, never by a group's or account's bare name", async (t) => {
  const check = await loadCheckFile(GCP_CHECK);
  const snapshot = estate();
  t.deepEqual(
    failing(snapshot, check),
    ['ci@p.iam.gserviceaccount.com', 'dee@acme.com', 'ops@acme.com'],
    'nobody is named by default',
  );
  const named = applyParameters([check], {
    administrators: ['DEE@acme.com', 'serviceAccount:ci@p.iam.gserviceaccount.com', 'ops@acme.com'],
  })[0]!;
  // ops@acme.com is a group's name, not its member (group:ops@acme.com): it names no one.
  t.deepEqual(failing(snapshot, named), ['ops@acme.com']);
  // Binding again starts from the compiled validators, not from the previous binding.
  t.deepEqual(failing(snapshot, bindParameters(named, { administrators: [] })), [
    'ci@p.iam.gserviceaccount.com',
    'dee@acme.com',
    'ops@acme.com',
  ]);
  t.deepEqual(failing(snapshot, bindParameters(named, { administrators: ['group:ops@acme.com'] })), [
    'ci@p.iam.gserviceaccount.com',
    'dee@acme.com',
  ]);
});

test('a parameter no check of the run declares stops the run with one line naming the project file, exit 2', async (t) => {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'cloudward.yaml'),
    `snapshots: [${JSON.stringify(EXAMPLE)}]\nfailOn: none\nparameters:\n  administrator: [ana@acme.com]\n`,
  );
  const run = await runCli(['audit', '--quiet'], { cwd: dir });
  t.is(run.code, 2, run.stderr);
  const lines = messageLines(run.stderr);
  t.is(lines.length, 1, run.stderr);
  t.regex(
    lines[0]!,
    /cloudward\.yaml: parameter "administrator" is not declared by any check run .*declared parameters: administrators/,
  );
  t.is(run.stdout, '');
});

test("the project file's administrators take a principal out of the escalation checks of an audit", async (t) => {
  const dir = await tempDir();
  const audit = async (parameters: string) => {
    await writeFile(
      join(dir, 'cloudward.yaml'),
      `snapshots: [${JSON.stringify(EXAMPLE)}]\nfailOn: none\nformats: [json]\n${parameters}`,
    );
    const run = await runCli(['audit', '--checks', 'gcp-no-escalation-to-admin,azure-no-escalation-to-admin'], {
      cwd: dir,
    });
    t.is(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      results: Array<{ checkId: string; status: string; resource: { name: string } }>;
    };
    return report.results
      .filter((r) => r.status === 'fail')
      .map((r) => `${r.checkId} ${r.resource.name}`)
      .sort();
  };
  const before = await audit('');
  t.true(before.includes('gcp-no-escalation-to-admin dee@acme.com'), before.join('\n'));
  const after = await audit('parameters:\n  administrators: ["user:dee@acme.com"]\n');
  t.deepEqual(
    after,
    before.filter((f) => f !== 'gcp-no-escalation-to-admin dee@acme.com'),
  );
});

test('a check whose namedIn names a parameter it does not declare is refused, naming the line', async (t) => {
  const dir = await tempDir();
  await mkdir(join(dir, 'p'));
  const text = (await import('node:fs/promises')).readFile(GCP_CHECK, 'utf8');
  const file = join(dir, 'p', 'gcp-no-escalation-to-admin.yaml');
  const edited = (await text).replace('not: { namedIn: administrators }', 'not: { namedIn: admins }');
  await writeFile(file, edited);
  const line = edited.split('\n').findIndex((l) => l.includes('namedIn: admins')) + 1;
  const error = await t.throwsAsync(loadCheckFile(file));
  t.regex(error!.message, /namedIn names "admins", which is not among the check's parameters/);
  t.true(((error as Error & { where?: string }).where ?? '').endsWith(`gcp-no-escalation-to-admin.yaml:${line}`));
});

test("checks show names a check's parameters, their defaults and where to set them", async (t) => {
  const show = await runCli(['checks', 'show', 'azure-no-escalation-to-admin']);
  t.is(show.code, 0, show.stderr);
  t.regex(
    show.stdout,
    /^parameter:\s+administrators \(default: none; set it under parameters: in cloudward\.yaml\) — Principals allowed to become administrators/m,
  );
  const json = JSON.parse(
    (await runCli(['checks', 'show', 'azure-no-escalation-to-admin', '--format', 'json'])).stdout,
  ) as { parameters?: Record<string, { default: string[] }> };
  t.deepEqual(json.parameters?.administrators?.default, []);
});
