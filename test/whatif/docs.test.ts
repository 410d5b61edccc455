import { copyFile, cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import { fixture, ROOT, runCli, tempDir } from '../helpers/cli.js';

/** The cloudward command lines of a document's code blocks (continuations joined), with their block's text. */
async function commandsIn(doc: string): Promise<Array<{ args: string[]; block: string; expect?: number }>> {
  const text = await readFile(join(ROOT, 'docs', doc), 'utf8');
  const out: Array<{ args: string[]; block: string; expect?: number }> = [];
  for (const match of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    const lines = match[2]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!.trim().replace(/^(- |\$ )/, '');
      if (!line.startsWith('cloudward audit') || !line.includes('--plan')) continue;
      while (line.endsWith('\\')) line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
      const expect = /^# exit (\d)/.exec(lines[i + 1]?.trim() ?? '');
      out.push({
        args: line.split(/\s+/).slice(1),
        block: match[2]!,
        ...(expect ? { expect: Number(expect[1]) } : {}),
      });
    }
  }
  return out;
}

/** A checkout as the workflows expect it: the snapshot and its raw documents committed, the plan written in infra/. */
async function checkout(planName: string): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'cloudward', 'raw'), { recursive: true });
  await mkdir(join(dir, 'infra'));
  await copyFile(join(ROOT, 'examples', 'acme', 'snapshot.json'), join(dir, 'cloudward', 'snapshot.json'));
  await cp(join(ROOT, 'examples', 'acme', 'raw', 'aws'), join(dir, 'cloudward', 'raw', 'aws'), { recursive: true });
  await copyFile(fixture('whatif', 'acme-tf', planName), join(dir, 'infra', 'plan.json'));
  await copyFile(fixture('whatif', 'acme-tf', 'main.tf'), join(dir, 'infra', 'main.tf'));
  return dir;
}

test('docs/ci.md: the what-if workflows are valid YAML and their cloudward command gates a plan as documented', async (t) => {
  const commands = await commandsIn('ci.md');
  t.is(commands.length, 2, 'one gate command in the GitHub workflow, one in the GitLab job');
  for (const command of commands) {
    t.notThrows(() => parseYaml(command.block));
    const failing = await checkout('admin-no-mfa.plan.json');
    const run = await runCli(command.args, { cwd: failing });
    t.is(run.code, 1, `${command.args.join(' ')}\n${run.stderr}`);
    const comment = await readFile(join(failing, 'reports', 'cloudward.md'), 'utf8');
    t.regex(comment, /caused by `aws_iam_user_policy_attachment\.ops_admin` \(`infra\/main\.tf:13`\)/);
    const passing = await checkout('tags-only.plan.json');
    t.is((await runCli(command.args, { cwd: passing })).code, 0);
  }
  const github = parseYaml((await commandsIn('ci.md'))[0]!.block) as {
    jobs: { whatif: { steps: Array<{ with?: Record<string, string>; run?: string; uses?: string }> } };
  };
  const upload = github.jobs.whatif.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
  t.true(github.jobs.whatif.steps.some((s) => s.run?.includes(`--sarif-category ${upload.with!.category}`)));
});

test('docs/whatif.md: "Try it on the example" exits as documented', async (t) => {
  const commands = (await commandsIn('whatif.md')).filter((c) => c.expect !== undefined);
  t.is(commands.length, 6);
  for (const command of commands) {
    const run = await runCli(command.args);
    t.is(run.code, command.expect!, `${command.args.join(' ')}\n${run.stderr}`);
  }
});

test('docs/whatif.md lists every AWS type the projection supports', async (t) => {
  const { AWS_PROJECTED_TYPES } = await import('../../src/providers/aws/whatif/index.js');
  const doc = await readFile(join(ROOT, 'docs', 'whatif.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Supported resource types'), doc.indexOf('### Other types'));
  for (const type of AWS_PROJECTED_TYPES) t.true(table.includes(`\`${type}\``), type);
});
