import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, cp, mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import { BUILT_BIN, EXAMPLE, ROOT, tempDir } from '../helpers/cli.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parseYaml(await readFile(join(ROOT, 'action.yml'), 'utf8')) as Action;

/** Fills `${{ inputs.x }}` and `${{ steps.audit.outputs.y }}` as the runner would. */
function expand(text: string, inputs: Record<string, string>, outputs: Record<string, string> = {}): string {
  return text.replace(/\$\{\{\s*(inputs|steps\.audit\.outputs)\.([\w-]+)\s*\}\}/g, (_, kind: string, name: string) =>
    kind === 'inputs' ? (inputs[name] ?? action.inputs[name]?.default ?? '') : (outputs[name] ?? ''),
  );
}

function bash(
  script: string,
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-c', script], { cwd, env: { PATH: process.env.PATH!, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the action's Audit and Gate steps in a workspace, with this checkout as the action. */
async function runAction(inputs: Record<string, string>) {
  const workspace = await tempDir();
  const outputFile = join(workspace, 'github-output');
  const summary = join(workspace, 'step-summary');
  await writeFile(outputFile, '');
  await writeFile(summary, '');
  const steps = action.runs.steps;
  const audit = steps.find((s) => s.id === 'audit')!;
  const env = Object.fromEntries(Object.entries(audit.env ?? {}).map(([k, v]) => [k, expand(v, inputs)]));
  const auditRun = await bash(
    audit.run!,
    { ...env, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summary, NO_COLOR: '1' },
    workspace,
  );
  const outputs = Object.fromEntries(
    (await readFile(outputFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  const gate = steps.find((s) => s.name === 'Gate')!;
  const gateRun = await bash(
    gate.run!,
    Object.fromEntries(Object.entries(gate.env ?? {}).map(([k, v]) => [k, expand(v, inputs, outputs)])),
    workspace,
  );
  return { workspace, auditRun, outputs, gateRun, summary: await readFile(summary, 'utf8') };
}

test('action.yml: a composite action whose inputs reach cloudward as CLOUDWARD_* variables, then SARIF upload and the gate', (t) => {
  t.is(action.runs.using, 'composite');
  t.true(action.inputs.snapshots!.required);
  const uses = action.runs.steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.name);
  t.deepEqual(uses, ['actions/setup-node', 'Install cloudward', 'Audit', 'github/codeql-action/upload-sarif', 'Gate']);
  const upload = action.runs.steps[3]!;
  t.regex(upload.if!, /always\(\)/, 'SARIF is uploaded when the gate fails too');
  t.is(upload.with!.sarif_file, '${{ steps.audit.outputs.sarif }}');
});

test('action.yml: the actions it runs are pinned by full commit id with their version tag beside, on a supported Node.js', async (t) => {
  const text = await readFile(join(ROOT, 'action.yml'), 'utf8');
  const lines = text.split('\n').filter((l) => /^\s*-?\s*uses:/.test(l));
  t.is(lines.length, 2);
  for (const line of lines) t.regex(line, /uses: [\w-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
  t.regex(String(action.runs.steps[0]!.with!['node-version']), /^(22|24)$/);
});

test('the action audits, writes every report, fills the job summary and fails the job on a failed gate', async (t) => {
  const failed = await runAction({ snapshots: EXAMPLE });
  t.is(failed.outputs['exit-code'], '1', failed.auditRun.stderr);
  t.deepEqual((await readdir(join(failed.workspace, 'cloudward-reports'))).sort(), [
    'cloudward.html',
    'cloudward.json',
    'cloudward.md',
    'cloudward.sarif',
    'cloudward.txt',
  ]);
  t.is(JSON.parse(await readFile(join(failed.workspace, failed.outputs.sarif!), 'utf8')).version, '2.1.0');
  t.regex(failed.summary, /^## cloudward: gate failed ❌/);
  t.is(failed.gateRun.code, 1);
  t.regex(failed.gateRun.stdout, /::error title=cloudward::gate failed/);
  const passed = await runAction({ snapshots: EXAMPLE, 'fail-on': 'none', args: '--compliance cis-aws-v5.0.0' });
  t.is(passed.outputs['exit-code'], '0', passed.auditRun.stderr);
  t.is(passed.gateRun.code, 0);
  t.regex(passed.summary, /### Compliance: CIS Amazon Web Services/);
  const bad = await runAction({ snapshots: join(ROOT, 'missing.json') });
  t.is(bad.outputs['exit-code'], '2');
  t.is(bad.gateRun.code, 2);
});

test('Dockerfile: both stages start from a supported Node.js LTS image pinned by digest, whose origin is recorded', async (t) => {
  const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const image = /^ARG NODE_IMAGE=(node:(\d+)-[\w.-]+)@sha256:([0-9a-f]{64})$/m.exec(text);
  t.truthy(image, 'ARG NODE_IMAGE=node:<tag>@sha256:<digest>');
  t.true(['22', '24'].includes(image![2]!), `Node.js ${image![2]} is a supported LTS line`);
  t.deepEqual(
    text
      .split('\n')
      .filter((l) => l.startsWith('FROM '))
      .map((l) => l.split(' ')[1]),
    ['${NODE_IMAGE}', '${NODE_IMAGE}'],
  );
  t.regex(
    text,
    /docker-library\/repo-info@[0-9a-f]{40}:repos\/node\/remote\//,
    'the comment says where the digest was read',
  );
  t.regex(text, /--user "\$\(id -u\):\$\(id -g\)"/);
});

test('Dockerfile: the final image runs as a non-root user, holds what the package ships, and starts the CLI', async (t) => {
  const lines = (await readFile(join(ROOT, 'Dockerfile'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const stages = lines.map((l, i) => (l.startsWith('FROM ') ? i : -1)).filter((i) => i >= 0);
  t.is(stages.length, 2, 'a build stage and a runtime stage');
  const final = lines.slice(stages[1]);
  const user = final.findIndex((l) => l.startsWith('USER '));
  t.true(user > 0, 'USER is set in the final stage');
  t.notRegex(final[user]!, /USER (root|0)\b/);
  t.true(final.findIndex((l) => l.startsWith('ENTRYPOINT')) > user, 'the entry point runs as that user');
  t.regex(final.find((l) => l.startsWith('ENTRYPOINT'))!, /\["node", "\/app\/bin\/cloudward\.js"\]/);
  const copied = final.filter((l) => l.startsWith('COPY')).map((l) => l.split(/\s+/).at(-1)!.replace(/^\.\//, ''));
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  for (const entry of pkg.files) t.true(copied.includes(entry.replace(/\/$/, '')), `the image holds ${entry}`);
  t.true(copied.includes('node_modules'));
  t.false(
    final.some((l) => /npm (install|ci)/.test(l)),
    'nothing is installed at run time',
  );
});

test('read-only root friendly: as an unprivileged user, with the code not writable, an audit writes only to its volume', async (t) => {
  if (process.getuid?.() !== 0) {
    t.pass('needs root to run as another user');
    return;
  }
  const volume = await tempDir();
  await chown(volume, 65534, 65534);
  const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BUILT_BIN, 'audit', EXAMPLE, '--output-dir', 'reports', '--format', 'json,sarif,html', '--fail-on', 'none'],
      {
        cwd: volume,
        uid: 65534,
        gid: 65534,
        // No writable home or temp folder, as in a --read-only container with only the volume mounted.
        env: { PATH: process.env.PATH!, HOME: '/nonexistent', TMPDIR: '/nonexistent', NO_COLOR: '1' },
      },
      (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
    );
  });
  t.is(run.code, 0, run.stderr);
  t.deepEqual((await readdir(join(volume, 'reports'))).sort(), ['cloudward.html', 'cloudward.json', 'cloudward.sarif']);
});

test('the release tarball (npm pack) holds the CLI, the built code, the checks and the schemas', async (t) => {
  const listing = await new Promise<string>((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
  const files = new Set(
    (JSON.parse(listing) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path),
  );
  for (const path of [
    'bin/cloudward.js',
    'dist/cli/main.js',
    'dist/report/csv.js',
    'policies/aws/aws-root-mfa-enabled.yaml',
    'schemas/report.schema.json',
    'package.json',
  ])
    t.true(files.has(path), path);
  t.false(
    [...files].some((f) => f.startsWith('test/') || f.startsWith('src/')),
    'no tests or sources',
  );
});

/** Runs the CLI as another user (nobody), as a container whose uid differs from the files' owner does. */
function runAs(uid: number, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BUILT_BIN, ...args],
      { cwd, uid, gid: uid, env: { PATH: process.env.PATH!, HOME: '/nonexistent', NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('a 0600 snapshot of another uid is one clear line and exit 2, naming the owner and the --user fix', async (t) => {
  if (process.getuid?.() !== 0) {
    t.pass('skipped: only root can run the CLI as another user, and a file its own user wrote stays readable to it');
    return;
  }
  const dir = await tempDir();
  await chmod(dir, 0o755);
  const snapshot = join(dir, 'snapshot.json');
  await copyFile(EXAMPLE, snapshot);
  await chmod(snapshot, 0o600);
  const run = await runAs(65534, ['audit', snapshot, '--fail-on', 'none'], dir);
  t.is(run.code, 2, run.stderr);
  t.is(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(
    lines[0]!,
    /snapshot\.json: snapshot is not readable by this user \(uid 65534\): it belongs to uid 0 and has mode 0600/,
  );
  t.regex(lines[0]!, /--user "\$\(id -u\):\$\(id -g\)"/);
});

test('no page tells users to install the unpublished registry name, or a repository spec by a movable tag', async (t) => {
  const pages = [
    'README.md',
    'action.yml',
    ...(await readdir(join(ROOT, 'docs'), { recursive: true }))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
  for (const page of pages) {
    const text = await readFile(join(ROOT, page), 'utf8');
    for (const line of text.split('\n')) {
      // Quoted in a warning (`npm install cloudward`) is fine; an instruction to run it is not.
      if (/never|not on the npm registry|not published/i.test(line)) continue;
      t.notRegex(line, /\bnpm (install|i|add)\b[^`\n]*\s(cloudward)(@[\w.^~-]+)?(\s|$|")/, `${page}: ${line}`);
      t.notRegex(line, /github:cloudward\/cloudward#v\d/, `${page}: ${line}`);
    }
  }
  t.pass();
});

test('the LICENSE file the package names is there: the Apache License 2.0', async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { license: string };
  t.is(pkg.license, 'Apache-2.0');
  const license = await readFile(join(ROOT, 'LICENSE'), 'utf8');
  t.regex(license, /^\s*Apache License\s+Version 2\.0, January 2004/);
  t.regex(license, /END OF TERMS AND CONDITIONS/);
});

/** A copy of the build's inputs and a built dist/ stamp, with an `npm` on PATH that only records being asked. */
async function buildTree(): Promise<{
  dir: string;
  run: () => Promise<{ code: number; stderr: string; builds: number }>;
}> {
  const dir = await tempDir();
  for (const entry of ['src', 'policies', 'schemas', 'scripts', 'tsconfig.json', 'package.json'])
    await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
  await mkdir(join(dir, 'dist'));
  await mkdir(join(dir, 'bin-stub'));
  const log = join(dir, 'npm-calls');
  await writeFile(log, '');
  await writeFile(join(dir, 'bin-stub', 'npm'), `#!/bin/sh\necho "$*" >> "${log}"\n`, { mode: 0o755 });
  const run = () =>
    new Promise<{ code: number; stderr: string; builds: number }>((resolve) => {
      execFile(
        process.execPath,
        [join(dir, 'scripts', 'build-if-stale.mjs')],
        { cwd: dir, env: { PATH: `${join(dir, 'bin-stub')}:${process.env.PATH!}` } },
        async (error, _stdout, stderr) => {
          const calls = (await readFile(log, 'utf8')).split('\n').filter((l) => l === 'run build');
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            stderr,
            builds: calls.length,
          });
        },
      );
    });
  return { dir, run };
}

test('npm start rebuilds only when a source, the checks, the schemas or tsconfig.json is newer than the last build', async (t) => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.is(pkg.scripts.prestart, 'node scripts/build-if-stale.mjs');
  t.regex(pkg.scripts.build!, /node scripts\/build-if-stale\.mjs --stamp$/, 'a build leaves its stamp in dist/');

  const tree = await buildTree();
  let builds = (await tree.run()).builds;
  t.is(builds, 1, 'no stamp (never built, or a build that did not finish): it builds');

  // A finished build: its stamp is newer than every input.
  const at = (offset: number) => new Date(Date.now() + offset);
  await writeFile(join(tree.dir, 'dist', '.build-stamp'), '');
  await utimes(join(tree.dir, 'dist', '.build-stamp'), at(60_000), at(60_000));
  const current = await tree.run();
  t.is(current.code, 0, current.stderr);
  t.is(current.builds, builds, 'dist/ is current: no build');
  t.regex(current.stderr, /dist\/ is up to date/);
  for (const input of [
    'src/cli/main.ts',
    'policies/aws/aws-root-mfa-enabled.yaml',
    'schemas/snapshot.schema.json',
    'tsconfig.json',
  ]) {
    await utimes(join(tree.dir, input), at(120_000), at(120_000));
    t.is((await tree.run()).builds, ++builds, `${input} is newer than the build: it builds`);
    await utimes(join(tree.dir, input), at(-60_000), at(-60_000));
    t.is((await tree.run()).builds, builds, `${input} back in the past: no build`);
  }
});
