import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { multitoolValidate, SARIF_SCHEMA } from '../support/sarif-multitool.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as addFormats from 'ajv-formats';
import { runCli, tempDir } from '../helpers/cli.js';

const trail = (s: number, name: string, ua: string) =>
  JSON.stringify({
    eventTime: new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString(),
    eventSource: 'iam.amazonaws.com',
    eventName: name,
    sourceIPAddress: '203.0.113.5',
    userAgent: ua,
    readOnly: name.startsWith('List'),
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/x', accessKeyId: 'AKIAEXAMPLE' },
  });

async function detectSarif(): Promise<string> {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'trail.jsonl'),
    `${trail(0, 'ListUsers', 'TruffleHog')}\n${trail(5, 'CreateUser', 'aws-cli/2.15.0 exec-env/CloudShell')}\n{"broken\n`,
  );
  const file = join(dir, 'detect.sarif');
  const run = await runCli([
    'detect',
    dir,
    '--format',
    'sarif',
    '--output',
    file,
    '--skip-bad-records',
    '--fail-on',
    'none',
  ]);
  if (run.code !== 0) throw new Error(run.stderr);
  return file;
}

test('detect SARIF validates against the SARIF 2.1.0 schema and passes the Multitool', async (t) => {
  const file = await detectSarif();
  const log = JSON.parse(await readFile(file, 'utf8')) as {
    runs: Array<{
      results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }>;
    }>;
  };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as object);
  t.true(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  t.deepEqual(log.runs[0]!.results.map((r) => r.ruleId).sort(), [
    'cloudshell-iam-change-aws',
    'offensive-tool-user-agent',
  ]);
  t.deepEqual(log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region.startLine).sort(), [1, 2]);
  t.deepEqual((await multitoolValidate(file)).serious, []);
});
