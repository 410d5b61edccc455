import test from 'ava';
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, tempDir, type CliRun } from '../helpers/cli.js';

const ADAPTER = join(ROOT, 'test', 'support', 'cluster-provider', 'index.ts');
const POLICIES = join(ROOT, 'test', 'support', 'cluster-provider', 'policies');

/** The CLI from source under tsx, with the given provider modules registered through the environment. */
function run(args: string[], modules: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'support', 'example-provider', 'run-cli.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', CLOUDWARD_PROVIDER_MODULES: modules },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('a provider registered outside the tree with a scope kind of its own (a cluster) is validated and audited end to end, its OCSF cloud as it declares', async (t) => {
  const dir = await tempDir('cloudward-kinds-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'prod.json'),
    JSON.stringify({
      cluster: 'prod-eu',
      users: [
        { name: 'ops', admin: true },
        { name: 'dev', admin: false },
      ],
    }),
  );

  const imported = await run(
    ['import', 'kube', join(dir, 'prod.json'), '--output', join(dir, 'kube.json'), '--quiet'],
    ADAPTER,
  );
  t.is(imported.code, 0, imported.stderr);
  const snapshot = JSON.parse(await readFile(join(dir, 'kube.json'), 'utf8')) as {
    sources: Array<{ scope: { kind: string } }>;
  };
  t.deepEqual(
    snapshot.sources.map((s) => s.scope.kind),
    ['cluster'],
  );

  const valid = await run(['validate', join(dir, 'kube.json')], ADAPTER);
  t.is(valid.code, 0, valid.stderr);
  t.regex(valid.stdout, /kube\.json: valid snapshot 1\.0 \(1 sources, 2 principals/);

  const audit = await run(
    [
      'audit',
      join(dir, 'kube.json'),
      '--policies',
      POLICIES,
      '--no-builtin-policies',
      '--format',
      'json,ocsf',
      '--output-dir',
      join(dir, 'out'),
      '--fail-on',
      'none',
      '--quiet',
    ],
    ADAPTER,
  );
  t.is(audit.code, 0, audit.stderr);
  const files = await readdir(join(dir, 'out'));
  const report = JSON.parse(
    await readFile(join(dir, 'out', files.find((f) => f.endsWith('.json') && !f.endsWith('.ocsf.json'))!), 'utf8'),
  ) as { results: Array<{ status: string; resource: { uid: string } }> };
  t.deepEqual(Object.fromEntries(report.results.map((r) => [r.resource.uid, r.status])), {
    'kube:prod-eu:user/ops': 'fail',
    'kube:prod-eu:user/dev': 'pass',
  });
  const ocsf = JSON.parse(
    await readFile(join(dir, 'out', files.find((f) => f.endsWith('.ocsf.json'))!), 'utf8'),
  ) as Array<{ cloud?: unknown; resources: Array<{ cloud_partition?: string }> }>;
  t.is(ocsf.length, 2);
  for (const finding of ocsf) {
    t.deepEqual(finding.cloud, { provider: 'Kubernetes', account: { uid: 'prod-eu' } });
    t.is(finding.resources[0]!.cloud_partition, 'kube');
  }

  // Its check's test cases name no scope: they are put in one of the adapter's own kind, which the check selects.
  const cases = await run(['test', POLICIES], ADAPTER);
  t.is(cases.code, 0, cases.stdout + cases.stderr);

  // Unregistered, its kind is no registered provider's; under another provider's name, not one that provider declares.
  const unregistered = await run(['validate', join(dir, 'kube.json')], '');
  t.is(unregistered.code, 2);
  t.regex(
    unregistered.stderr,
    /kube\.json#\/sources\/0\/scope\/kind: invalid snapshot: scope kind "cluster" is declared by no registered provider, and provider "kube" is not registered \(kinds: account, tenant, subscription, project, organization, host\)/,
  );
  t.is(unregistered.stderr.trim().split('\n').length, 1);
  const text = await readFile(join(dir, 'kube.json'), 'utf8');
  await writeFile(join(dir, 'aws-cluster.json'), text.replaceAll('"provider": "kube"', '"provider": "aws"'));
  const wrong = await run(['audit', join(dir, 'aws-cluster.json'), '--fail-on', 'none', '--quiet'], ADAPTER);
  t.is(wrong.code, 2);
  t.regex(
    wrong.stderr,
    /aws-cluster\.json#\/sources\/0\/scope\/kind: invalid snapshot: scope kind "cluster" is not one provider "aws" declares \(account\)/,
  );
});

test('an adapter declaring no usable scope kinds or OCSF cloud is refused with one line naming it, exit 2', async (t) => {
  const dir = await tempDir('cloudward-kinds-');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const module = (extra: string) =>
    `export default { name: 'odd', title: 'odd', gapTopics: {}, operations: [], collectOptions: [], importFiles: async () => [], normalize: () => ({}), permissions: () => ({ format: 'text', text: '' }), ${extra} };\n`;
  await writeFile(join(dir, 'kinds.mjs'), module("scopeKinds: ['Cluster Of Nodes']"));
  await writeFile(join(dir, 'none.mjs'), module('scopeKinds: []'));
  await writeFile(join(dir, 'ocsf.mjs'), module("scopeKinds: ['cluster'], ocsfCloudProvider: ''"));
  for (const [file, message] of [
    ['kinds.mjs', /provider "odd" declares scope kinds \["Cluster Of Nodes"\], not a list of scope kinds/],
    ['none.mjs', /provider "odd" declares scope kinds \[\], not a list of scope kinds/],
    ['ocsf.mjs', /provider "odd" declares ocsfCloudProvider "", not a name/],
  ] as const) {
    const result = await run(['checks', 'list'], join(dir, file));
    t.is(result.code, 2, file);
    t.regex(result.stderr, message, file);
    t.is(result.stderr.trim().split('\n').length, 1, file);
  }
});
