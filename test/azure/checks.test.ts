import test from 'ava';
import { runCheckCases } from '../../src/engine/cases.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check } from '../../src/engine/types.js';

let checks: Check[];

test.before(async () => {
  checks = await loadChecks({ builtIn: false, paths: [new URL('../../policies/azure', import.meta.url).pathname] });
});

test('every Azure check has passing, failing and unknown cases, and they hold', (t) => {
  t.true(checks.length >= 13);
  for (const check of checks) {
    for (const outcome of runCheckCases(check))
      t.true(
        outcome.ok,
        `${check.id}: ${outcome.name}: expected ${outcome.expected}, got ${outcome.actual} (${outcome.detail})`,
      );
    for (const expect of ['pass', 'fail', 'unknown'] as const)
      t.true(
        check.tests.some((c) => c.expect === expect),
        `${check.id} has no ${expect} case`,
      );
  }
});

test('every Azure check decides on the normalized Acme tenant: its planted problems fail, its good settings pass', async (t) => {
  const { evaluate } = await import('../../src/engine/evaluate.js');
  const { assembleSnapshot } = await import('../../src/snapshot/load.js');
  const { azureProvider } = await import('../../src/providers/azure/index.js');
  const { ACME_AZURE, importFolder } = await import('../support/azure-fixtures.js');
  const bundles = await importFolder(ACME_AZURE);
  const snapshot = assembleSnapshot([azureProvider.normalize(bundles)], bundles[0]!.collectedAt);
  const results = evaluate(snapshot, checks);
  const tenant = 'azure:7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c';
  const user = (n: string) => `${tenant}:user/0b6e3c1a-${n}`;
  const status = (checkId: string, uid: string) =>
    results.find((r) => r.checkId === checkId && r.resource.uid === uid)?.status;
  const scope = (kind: string, id: string) => `azure:${kind}/${id}`;
  t.is(
    status('azure-privileged-users-mfa-registered', user('0003-4d1e-9f00-0000000ca201')),
    'fail',
    'carol: GA, email only',
  );
  t.is(status('azure-privileged-users-mfa-registered', user('0001-4d1e-9f00-00000000a11c')), 'pass');
  t.is(
    status('azure-privileged-users-mfa-registered', user('0007-4d1e-9f00-0000000e7001')),
    'unknown',
    'the guest is not in the report',
  );
  t.is(
    status('azure-all-users-mfa-registered', user('0010-4d1e-9f00-00000000e111')),
    'fail',
    'henry: security questions only',
  );
  t.is(status('azure-all-users-mfa-registered', user('0009-4d1e-9f00-0000000a6ace')), 'pass');
  t.is(
    status('azure-all-users-mfa-registered', user('0011-4d1e-9f00-0000000015e5')),
    undefined,
    'disabled users are out of scope',
  );
  t.is(status('azure-ca-mfa-admin-roles', scope('tenant', '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c')), 'pass');
  t.is(
    status('azure-ca-mfa-azure-management', scope('tenant', '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c')),
    'fail',
    'report-only',
  );
  t.is(status('azure-ca-mfa-all-users', scope('tenant', '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c')), 'fail');
  t.is(
    status('azure-global-admins-two-to-four', scope('tenant', '7c3a9d2e-5b1f-4e8a-9c6d-2f4b8a1e3d5c')),
    'fail',
    'five, eligible included',
  );
  t.is(
    status('azure-privileged-roles-just-in-time', user('0001-4d1e-9f00-00000000a11c')),
    'pass',
    'alice: eligible and PIM-activated',
  );
  t.is(status('azure-privileged-roles-just-in-time', user('0002-4d1e-9f00-00000000b0b0')), 'fail');
  t.is(status('azure-no-guest-privileged-roles', user('0007-4d1e-9f00-0000000e7001')), 'fail');
  t.is(
    status(
      'azure-service-principals-no-standing-access-grant',
      `${tenant}:servicePrincipal/4f1d2c3b-0001-4c7e-8a11-00000000d3b1`,
    ),
    'fail',
    'github-deploy: Owner',
  );
  t.is(
    status(
      'azure-service-principals-no-standing-access-grant',
      `${tenant}:managedIdentity/4f1d2c3b-0002-4c7e-8a11-0000000000f1`,
    ),
    'pass',
    'conditioned RBAC Administrator',
  );
  t.is(status('azure-no-standing-role-assignment-writers', user('0001-4d1e-9f00-00000000a11c')), 'pass');
  t.is(status('azure-no-standing-role-assignment-writers', user('0002-4d1e-9f00-00000000b0b0')), 'fail');
  t.is(
    status(
      'azure-no-custom-wildcard-role-at-subscription',
      `${tenant}:roleDefinition/3f2e1d0c-9b8a-4766-8554-4433221100aa`,
    ),
    'fail',
  );
  t.is(status('azure-no-custom-owner-roles', `${tenant}:roleDefinition/3f2e1d0c-9b8a-4766-8554-4433221100aa`), 'fail');
  t.is(
    status('azure-activity-log-diagnostic-setting', scope('subscription', 'a1b2c3d4-1111-4aaa-8bbb-000000000001')),
    'pass',
  );
  t.is(
    status('azure-activity-log-diagnostic-setting', scope('subscription', 'a1b2c3d4-2222-4aaa-8bbb-000000000002')),
    'unknown',
    'AuthorizationFailed is a gap',
  );
  const decided = new Set(results.filter((r) => r.status === 'pass' || r.status === 'fail').map((r) => r.checkId));
  t.deepEqual(
    checks.map((c) => c.id).filter((id) => !decided.has(id)),
    [],
    'every check decides something on real data',
  );
});
