import test from 'ava';
import { loadRules } from '../../src/detect/rules.js';
import { runDetection } from '../../src/detect/run.js';
import { fixture } from '../helpers/cli.js';

/** Stratus Red Team's recorded detonations (real CloudTrail, anonymised): each file is one attack technique. */
const stratus = (technique: string) => fixture('vendor', 'detect', 'stratus-red-team', `${technique}.json`);
const OPTIONS = { lateness: 15 * 60_000, maxDocumentBytes: 1 << 30 };

async function findings(technique: string): Promise<{ rules: string[]; coverage: string[] }> {
  const result = await runDetection([stratus(technique)], await loadRules(), OPTIONS);
  return {
    rules: [...new Set(result.findings.map((f) => f.ruleId))].sort(),
    coverage: result.coverage.map((c) => c.field),
  };
}

test('Stratus "Retrieve a High Number of Secrets Manager secrets" is found as a bulk secret read', async (t) => {
  t.deepEqual((await findings('aws.credential-access.secretsmanager-retrieve-secrets')).rules, ['bulk-secret-read']);
});

test('Stratus "Create an administrative IAM User" (three calls in one second, listed out of order) is found as a persistence chain', async (t) => {
  t.deepEqual((await findings('aws.persistence.iam-create-admin-user')).rules, ['new-user-admin-key-chain']);
});

test('Stratus "Steal EC2 Instance Credentials" is found: the credentials are used from the address that ran SendCommand on the instance', async (t) => {
  const { rules, coverage } = await findings('aws.credential-access.ec2-steal-instance-credentials');
  t.true(rules.includes('ssm-then-instance-credentials'), rules.join(', '));
  t.false(coverage.includes('client'), 'the tool sets its own user agent: the client is known, not missing');
});

test('Stratus "Retrieve And Decrypt SSM Parameters" (ten names per GetParameters call) is found as a bulk secret read', async (t) => {
  t.deepEqual((await findings('aws.credential-access.ssm-retrieve-securestring-parameters')).rules, [
    'bulk-secret-read',
  ]);
});

test('a call naming ten parameters is one event of evidence, not ten', async (t) => {
  const result = await runDetection(
    [stratus('aws.credential-access.ssm-retrieve-securestring-parameters')],
    await loadRules(),
    OPTIONS,
  );
  const finding = result.findings[0]!;
  t.is(new Set(finding.events.map((e) => `${e.line}:${e.index}`)).size, finding.events.length);
  t.true(finding.eventCount <= 5);
});
