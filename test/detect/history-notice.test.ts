import { join } from 'node:path';
import test from 'ava';
import { fixture, runCli, tempDir } from '../helpers/cli.js';

const CHAIN_LOG = fixture('vendor', 'detect', 'google', 'documented-key-chain.jsonl');
const AWS_LOG = fixture('vendor', 'detect', 'stratus-red-team', 'aws.persistence.iam-create-admin-user.json');

/** The run's notices about what its history knows (a run that does not exit 0 fails the test). */
async function notices(args: string[]): Promise<string[]> {
  const run = await runCli([
    'detect',
    ...args,
    '--format',
    'json',
    '--output',
    join(await tempDir(), 'r.json'),
    '--fail-on',
    'none',
    '--quiet',
  ]);
  if (run.code !== 0) throw new Error(`detect exited ${run.code}: ${run.stderr}`);
  return run.stderr.split('\n').filter((l) => l.includes('values seen in this run'));
}

test.serial(
  'a sequence that learns which addresses each caller used says once, without --state, that it knows only this run',
  async (t) => {
    const lines = await notices([CHAIN_LOG]);
    t.is(lines.length, 1, lines.join('\n'));
    t.regex(
      lines[0]!,
      /^cloudward: warning: gcp-key-created-used-new-address knows only the src\.ip values seen in this run; keep its history between runs with --state DIR$/,
    );
  },
);

test.serial('with --state, or on logs the rule never looked at, there is no such notice', async (t) => {
  t.deepEqual(await notices([CHAIN_LOG, '--state', await tempDir()]), []);
  t.deepEqual(await notices([AWS_LOG]), []);
});
