import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import type { Report } from '../../src/report/model.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { snapshotDigest } from '../../src/snapshot/digest.js';
import { ROOT, cloudward, tempDir, writeJson, type CliRun } from './helpers.js';

/*
 * docs/ci.md is a contract: every `cloudward` command in its code blocks is run here exactly as written (through
 * bin/cloudward.js) on the acme example, and must pass or fail as the page says.
 */

interface DocCommand {
  args: string[];
  /** The `# exit N` line after it, in console blocks. */
  expect?: number;
  lang: string;
  block: number;
  text: string;
}

const SKIP_MARKER = /<!-- ci-docs: not run/;

/** Splits a command line into words; shell expansion has no place in a documented cloudward command. */
function words(line: string): string[] {
  if (/[$`]|\$\(/.test(line)) throw new Error(`documented command uses shell expansion: ${line}`);
  const out: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(match[1] ?? match[2] ?? match[3]!);
  return out;
}

async function documentedCommands(): Promise<{
  commands: DocCommand[];
  blocks: Array<{ lang: string; text: string }>;
}> {
  const lines = (await readFile(join(ROOT, 'docs', 'ci.md'), 'utf8')).split('\n');
  const commands: DocCommand[] = [];
  const blocks: Array<{ lang: string; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)/.exec(lines[i]!);
    if (!open) continue;
    let previous = i - 1;
    while (previous >= 0 && lines[previous]!.trim() === '') previous--;
    const skip = previous >= 0 && SKIP_MARKER.test(lines[previous]!);
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    blocks.push({ lang: open[1]!, text: body.join('\n') });
    if (skip) continue;
    for (let j = 0; j < body.length; j++) {
      const stripped = body[j]!.trim().replace(/^(- |\$ |run: )/, '');
      if (!stripped.startsWith('cloudward ')) continue;
      let text = stripped;
      while (text.endsWith('\\') && j + 1 < body.length) text = `${text.slice(0, -1).trimEnd()} ${body[++j]!.trim()}`;
      text = text.replace(/\s+#.*$/, '');
      const next = body[j + 1]?.trim() ?? '';
      const expect = /^# exit (\d)/.exec(next);
      commands.push({
        args: words(text).slice(1),
        ...(expect ? { expect: Number(expect[1]) } : {}),
        lang: open[1]!,
        block: blocks.length - 1,
        text,
      });
    }
  }
  return { commands, blocks };
}

/** The example tenant a week earlier, as the main branch had it: ben@acme.com still enrolled in 2-Step Verification. */
async function mainBranchSnapshot(): Promise<Snapshot> {
  const snapshot = JSON.parse(await readFile(join(ROOT, 'examples', 'acme', 'snapshot.json'), 'utf8')) as Snapshot;
  const ben = snapshot.principals.find((p) => p.uid === 'gcp:408813245716:user/ben@acme.com')!;
  ben.mfa = { state: 'enabled', methods: ['totp'] };
  // As collected that week: its own digest (an audit refuses a snapshot no digest vouches for).
  delete snapshot.digest;
  snapshot.digest = snapshotDigest(snapshot);
  return snapshot;
}

/** A checkout laid out as the workflows expect, with the target branch's snapshot already fetched. */
async function checkout(main: 'a week earlier' | 'same as the pull request'): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'cloudward'));
  await copyFile(join(ROOT, 'examples', 'acme', 'snapshot.json'), join(dir, 'cloudward', 'snapshot.json'));
  await copyFile(join(ROOT, 'examples', 'acme', 'waivers.yaml'), join(dir, 'cloudward', 'waivers.yaml'));
  if (main === 'a week earlier') writeJson(dir, 'main-snapshot.json', await mainBranchSnapshot());
  else await copyFile(join(ROOT, 'examples', 'acme', 'snapshot.json'), join(dir, 'main-snapshot.json'));
  return dir;
}

function describe(run: CliRun, command: DocCommand): string {
  return `${command.text}\nexit ${run.code}\n${run.stderr}`;
}

const isGate = (c: DocCommand) => c.args.includes('--fail-on-new-only');
const isDiff = (c: DocCommand) => c.args[0] === 'diff';

test('the documented workflows are valid YAML and upload SARIF under the category the audit writes', async (t) => {
  const { blocks } = await documentedCommands();
  const yamlBlocks = blocks.filter((b) => b.lang === 'yaml');
  t.true(yamlBlocks.length >= 3);
  for (const block of yamlBlocks) t.notThrows(() => parseYaml(block.text), block.text.slice(0, 60));
  const workflow = parseYaml(yamlBlocks.find((b) => b.text.startsWith('name: cloudward'))!.text) as {
    jobs: { audit: { steps: Array<{ uses?: string; with?: Record<string, string>; run?: string }> } };
  };
  const upload = workflow.jobs.audit.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
  const categories = workflow.jobs.audit.steps.flatMap((s) =>
    [...(s.run ?? '').matchAll(/--sarif-category (\S+)/g)].map((m) => m[1]),
  );
  t.true(categories.length > 0);
  t.true(
    categories.every((c) => c === upload.with!.category),
    `${categories.join(',')} vs ${upload.with!.category}`,
  );
  t.is(upload.with!.sarif_file, 'reports/cloudward.sarif');
  const gitlab = parseYaml(yamlBlocks.find((b) => b.text.startsWith('cloudward:'))!.text) as {
    cloudward: { artifacts: { reports: { junit: string } } };
  };
  t.is(gitlab.cloudward.artifacts.reports.junit, 'reports/cloudward.junit.xml');
});

for (const platform of ['GitHub Actions', 'GitLab CI']) {
  test(`${platform}: the documented commands gate a pull request that adds a high finding (exit 1) and report otherwise (exit 0)`, async (t) => {
    const { commands, blocks } = await documentedCommands();
    const block = blocks.findIndex(
      (b) =>
        b.lang === 'yaml' &&
        (platform === 'GitHub Actions' ? b.text.startsWith('name: cloudward') : b.text.startsWith('cloudward:')),
    );
    const jobCommands = commands.filter((c) => c.block === block);
    // GitHub: baseline, gate, report on push, diff. GitLab: baseline, gate.
    t.is(jobCommands.length, platform === 'GitHub Actions' ? 4 : 2);
    t.is(jobCommands.filter(isGate).length, 1, 'one gate command');
    const dir = await checkout('a week earlier');
    for (const command of jobCommands) {
      const run = await cloudward(command.args, { cwd: dir });
      // The baseline and report commands say --fail-on none; the gate fails on ben@acme.com's new finding.
      const expected = isGate(command) ? 1 : 0;
      t.is(run.code, expected, describe(run, command));
      if (isGate(command)) {
        t.regex(run.stderr, /gate failed — 1 new failing result at or above high severity \(1 high\)/);
        const report = JSON.parse(await readFile(join(dir, 'reports', 'cloudward.json'), 'utf8')) as Report;
        t.deepEqual(
          report.results.filter((r) => r.baselineState === 'new').map((r) => r.resource.uid),
          ['gcp:408813245716:user/ben@acme.com'],
        );
        for (const name of ['cloudward.json', 'cloudward.sarif', 'cloudward.junit.xml', 'cloudward.md'])
          t.true((await stat(join(dir, 'reports', name))).size > 0, name);
      }
      if (isDiff(command))
        t.regex(
          await readFile(join(dir, 'reports', 'diff.md'), 'utf8'),
          /### New findings \(1\)\n\n- \*\*high\*\* `gcp-users-2sv-enrolled` `gcp:408813245716:user\/ben@acme\.com`/,
        );
    }

    const same = await checkout('same as the pull request');
    for (const command of jobCommands.filter((c) => !isDiff(c))) {
      const run = await cloudward(command.args, { cwd: same });
      t.is(run.code, 0, describe(run, command));
    }
  });
}

test('"Try it on the example": every command exits as its "# exit N" line says', async (t) => {
  const { commands } = await documentedCommands();
  const tryIt = commands.filter((c) => c.lang === 'console');
  t.is(tryIt.length, 6);
  const dir = await tempDir();
  await mkdir(join(dir, 'examples', 'acme'), { recursive: true });
  for (const name of ['snapshot.json', 'waivers.yaml', 'baseline.json'])
    await copyFile(join(ROOT, 'examples', 'acme', name), join(dir, 'examples', 'acme', name));
  for (const command of tryIt) {
    t.not(command.expect, undefined, `${command.text} has no "# exit N" line`);
    const run = await cloudward(command.args, { cwd: dir });
    t.is(run.code, command.expect!, describe(run, command));
    if (isGate(command) && command.args.includes('--waivers') && !command.args.includes('critical'))
      t.regex(run.stderr, /1 new failing result at or above high severity \(1 high\)/);
    if (isDiff(command))
      t.regex(
        run.stdout,
        /New findings \(1\)\n {2}\+ high {5}gcp-users-2sv-enrolled gcp:408813245716:user\/ben@acme\.com/,
      );
  }
});

test('the shipped baseline is the example a week earlier: only ben@acme.com differs', async (t) => {
  const run = await cloudward([
    'audit',
    'examples/acme/snapshot.json',
    '--waivers',
    'examples/acme/waivers.yaml',
    '--baseline',
    'examples/acme/baseline.json',
    '--format',
    'json',
    '--fail-on',
    'none',
  ]);
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  t.deepEqual(
    report.results.filter((r) => r.baselineState === 'new').map((r) => r.resource.uid),
    ['gcp:408813245716:user/ben@acme.com'],
    'examples/acme changed: regenerate the baseline with `node --import tsx test/gate/make-example-baseline.ts`',
  );
  t.is(report.baseline?.fixed, 0);
});
