import test from 'ava';
import { join } from 'node:path';
import { runCheckCases } from '../../src/engine/cases.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';
import { awsProvider } from '../../src/providers/aws/index.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import { accountBundle } from '../../src/providers/aws/bundle.js';
import {
  ACCOUNT,
  authorizationDetails,
  COLLECTED_AT,
  LOOK_ALIKES,
  organizationDocuments,
  PATHS,
} from '../fixtures/aws-escalation/playground.js';
import { FIXTURES, importFolder } from '../support/aws-fixtures.js';

let checks: Check[];

test.before(async () => {
  checks = await loadChecks({ builtIn: false, paths: [new URL('../../policies/aws', import.meta.url).pathname] });
});

test('every AWS check has passing, failing and (where data can be missing) unknown cases, and they hold', (t) => {
  t.true(checks.length >= 20);
  for (const check of checks) {
    const outcomes = runCheckCases(check);
    for (const outcome of outcomes)
      t.true(
        outcome.ok,
        `${check.id}: ${outcome.name}: expected ${outcome.expected}, got ${outcome.actual} (${outcome.detail})`,
      );
    t.true(
      check.tests.some((c) => c.expect === 'unknown'),
      `${check.id} has no unknown case`,
    );
  }
});

test('auditing the fixture account finds its planted problems and passes its good settings', async (t) => {
  const bundles = await importFolder(join(FIXTURES, '123456789012'));
  const snapshot = assembleSnapshot([awsProvider.normalize(bundles)], bundles[0]!.collectedAt);
  const results = evaluate(snapshot, checks);
  const status = (checkId: string, uid: string) =>
    results.find((r) => r.checkId === checkId && r.resource.uid === uid)?.status;
  const acct = 'aws:123456789012';
  t.is(status('aws-root-mfa-enabled', `${acct}:root`), 'pass');
  t.is(status('aws-root-hardware-mfa', `${acct}:root`), 'fail');
  t.is(status('aws-root-no-access-keys', `${acct}:root`), 'pass');
  t.is(status('aws-console-users-mfa', `${acct}:user/bob`), 'fail');
  t.is(status('aws-console-users-mfa', `${acct}:user/alice`), 'pass');
  t.is(status('aws-console-users-mfa', `${acct}:user/ci-deploy`), undefined, 'no console password, not in scope');
  t.is(status('aws-no-standing-admin-users', `${acct}:user/bob`), 'fail');
  // ci-deploy may pass roles to Lambda, but the only role Lambda can run as reaches no admin: no path, no finding.
  t.is(status('aws-no-privilege-escalation-users', `${acct}:user/ci-deploy`), 'pass');
  t.is(status('aws-one-active-access-key', `${acct}:user/bob`), 'fail');
  t.is(status('aws-credentials-unused-45-days-disabled', `${acct}:user/bob`), 'fail');
  t.is(status('aws-credentials-unused-45-days-disabled', `${acct}:user/dave`), 'pass');
  t.is(status('aws-permissions-through-groups', `${acct}:user/alice`), 'pass');
  t.is(status('aws-admin-roles-just-in-time', `${acct}:role/BreakGlassAdmin`), 'pass');
  t.is(status('aws-admin-roles-just-in-time', `${acct}:role/OpsAdmin`), 'fail');
  t.is(status('aws-cloudshell-full-access-not-attached', `${acct}:policy/aws/AWSCloudShellFullAccess`), 'fail');
  // The fixture account is the organization's management account: no SCP, the root's deny-CloudShell included, applies to it.
  t.is(status('aws-scp-denies-cloudshell', 'aws:account/123456789012'), 'fail');
  t.is(status('aws-password-policy-strong', `${acct}:password-policy`), 'fail');
  t.is(status('aws-cloudtrail-multi-region-logging', 'aws:account/123456789012'), 'pass');
  t.is(status('aws-cloudtrail-log-file-validation', `${acct}:trail/us-east-1/legacy-eu`), 'fail');
});

test('a collection gap turns the dependent checks unknown, never pass', async (t) => {
  const [bundle] = await importFolder(join(FIXTURES, '123456789012'));
  bundle!.documents = bundle!.documents.filter((d) => d.kind !== 'aws.iam.GetCredentialReport');
  bundle!.gaps.push({ what: 'aws.credential-report', reason: 'AccessDenied', call: 'iam:GenerateCredentialReport' });
  const snapshot = assembleSnapshot([awsProvider.normalize([bundle!])], bundle!.collectedAt);
  const results = evaluate(snapshot, checks).filter((r) =>
    ['aws-console-users-mfa', 'aws-access-keys-rotated-90-days', 'aws-one-active-access-key'].includes(r.checkId),
  );
  t.true(results.length > 0);
  t.true(
    results.every((r) => r.status === 'unknown'),
    JSON.stringify(results.filter((r) => r.status !== 'unknown').map((r) => [r.checkId, r.resource.uid, r.status])),
  );
});

test('the escalation checks fail users, assumable roles and groups with a path, quoting it, and pass the look-alikes', (t) => {
  const rows = [...PATHS, ...LOOK_ALIKES];
  for (const row of rows) {
    const bundle = accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
      { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: row.id, body: authorizationDetails(row) },
      ...organizationDocuments(row),
    ]);
    const results = evaluate(assembleSnapshot([awsProvider.normalize([bundle])], COLLECTED_AT), checks);
    const kind = row.subject.split('/')[0];
    const result = results.find(
      (r) => r.checkId === `aws-no-privilege-escalation-${kind}s` && r.resource.uid === `aws:${ACCOUNT}:${row.subject}`,
    );
    t.truthy(result, `${row.id}: no result`);
    // The playground's only MFA row is an MFA-gated admin role: the just-in-time design the checks accept.
    const flagged = row.expect !== null && row.mfa !== true;
    t.is(result!.status, flagged ? 'fail' : 'pass', row.id);
    if (flagged) t.true(result!.message.endsWith(row.expect!), `${row.id}: ${result!.message}`);
  }
});
