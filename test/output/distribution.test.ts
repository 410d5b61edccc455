import { execFile } from 'node:child_process';
import { chown, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import { BIN, EXAMPLE, ROOT, tempDir } from '../helpers/cli.js';

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
  return text.replace(/\$\{\{\s*(inputs|steps\.audit\.outputs)\.([\w-]+)\s*\}\}/g, (_, kind: string, name: string) => (kind === 'inputs' ? (inputs[name] ?? action.inputs[name]?.default ?? '') : (outputs[name] ?? '')));
}

function bash(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-c', script], { cwd, env: { PATH: process.env.PATH!, ...env } }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
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
  const auditRun = await bash(audit.run!, { ...env, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summary, NO_COLOR: '1' }, workspace);
  const outputs = Object.fromEntries((await readFile(outputFile, 'utf8')).trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const gate = steps.find((s) => s.name === 'Gate')!;
  const gateRun = await bash(gate.run!, Object.fromEntries(Object.entries(gate.env ?? {}).map(([k, v]) => [k, expand(v, inputs, outputs)])), workspace);
  return { workspace, auditRun, outputs, gateRun, summary: await readFile(summary, 'utf8') };
}

test('action.yml: a composite action whose inputs reach cloudward as CLOUDWARD_* variables, then SARIF upload and the gate', (t) => {
  t.is(action.runs.using, 'composite');
  t.true(action.inputs.snapshots!.required);
  const uses = action.runs.steps.map((s) => s.uses ?? s.name);
  t.deepEqual(uses, ['actions/setup-node@v4', 'Install cloudward', 'Audit', 'github/codeql-action/upload-sarif@v3', 'Gate']);
  const upload = action.runs.steps[3]!;
  t.regex(upload.if!, /always\(\)/, 'SARIF is uploaded when the gate fails too');
  t.is(upload.with!.sarif_file, '${{ steps.audit.outputs.sarif }}');
});

test('the action audits, writes every report, fills the job summary and fails the job on a failed gate', async (t) => {
  const failed = await runAction({ snapshots: EXAMPLE });
  t.is(failed.outputs['exit-code'], '1', failed.auditRun.stderr);
  t.deepEqual((await readdir(join(failed.workspace, 'cloudward-reports'))).sort(), ['cloudward.html', 'cloudward.json', 'cloudward.md', 'cloudward.sarif', 'cloudward.txt']);
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

test('Dockerfile: the final image runs as a non-root user, holds what the package ships, and starts the CLI', async (t) => {
  const lines = (await readFile(join(ROOT, 'Dockerfile'), 'utf8')).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
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
  t.false(final.some((l) => /npm (install|ci)/.test(l)), 'nothing is installed at run time');
});

test('read-only root friendly: as an unprivileged user, with the code not writable, an audit writes only to its volume', async (t) => {
  if (process.getuid?.() !== 0) {
    t.pass('needs root to run as another user');
    return;
  }
  const volume = await tempDir();
  await chown(volume, 65534, 65534);
  const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'audit', EXAMPLE, '--output-dir', 'reports', '--format', 'json,sarif,html', '--fail-on', 'none'], {
      cwd: volume,
      uid: 65534,
      gid: 65534,
      // No writable home or temp folder, as in a --read-only container with only the volume mounted.
      env: { PATH: process.env.PATH!, HOME: '/nonexistent', TMPDIR: '/nonexistent', NO_COLOR: '1' },
    }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }));
  });
  t.is(run.code, 0, run.stderr);
  t.deepEqual((await readdir(join(volume, 'reports'))).sort(), ['cloudward.html', 'cloudward.json', 'cloudward.sarif']);
});

test('the release tarball (npm pack) holds the CLI, the built code, the checks and the schemas', async (t) => {
  const listing = await new Promise<string>((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  const files = new Set((JSON.parse(listing) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
  for (const path of ['bin/cloudward.js', 'dist/cli/main.js', 'dist/report/csv.js', 'policies/aws/aws-root-mfa-enabled.yaml', 'schemas/report.schema.json', 'package.json']) t.true(files.has(path), path);
  t.false([...files].some((f) => f.startsWith('test/') || f.startsWith('src/')), 'no tests or sources');
});
