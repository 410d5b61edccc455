import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { isUserError } from '../../src/errors.js';
import { providers } from '../../src/providers/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { filesUnder } from './support.js';

const RAW = join(ROOT, 'examples', 'acme', 'raw');
const context = {
  options: {},
  progress: { status: () => undefined, warn: () => undefined },
  collectedAt: '2026-11-01T09:00:00Z',
};

/** Imports a provider's example export with one file edited, as the fuzzers found them; a crash rejects. */
async function importEdited(
  provider: string,
  folder: string,
  file: string,
  edit: (document: any) => void,
): Promise<unknown> {
  const dir = await tempDir('cloudward-regression-');
  cpSync(join(RAW, folder), dir, { recursive: true });
  const document = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  edit(document);
  writeFileSync(join(dir, file), JSON.stringify(document));
  const adapter = providers.find((p) => p.name === provider)!;
  try {
    return adapter.normalize(
      await adapter.importFiles(
        filesUnder(dir).map((f) => join(dir, f)),
        context,
      ),
    );
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
}

// Each case is a field an edited export holds with a type the provider never writes; each crashed with a TypeError.
const CASES: Array<[string, string, string, string, (d: any) => void]> = [
  [
    'AWS advanced event selectors as a string',
    'aws',
    'aws/222222222222',
    'cloudtrail-get-event-selectors.workloads-us-east-1.json',
    (d) => (d.AdvancedEventSelectors[0].FieldSelectors = '\u001b[2J'),
  ],
  [
    'AWS null event selector',
    'aws',
    'aws/222222222222',
    'cloudtrail-get-event-selectors.acme-org-trail.json',
    (d) => (d.EventSelectors = d.EventSelectors ? [null] : { x: 1 }),
  ],
  [
    'AWS parent id as a number',
    'aws',
    'aws/222222222222',
    'organizations-list-parents.222222222222.json',
    (d) => (d.Parents[0].Id = 7),
  ],
  [
    'AWS credential report date as a number',
    'aws',
    'aws/222222222222',
    'iam-get-credential-report.json',
    (d) => (d.GeneratedTime = 7),
  ],
  ['Azure subscription id as a number', 'azure', 'azure', 'account-list.json', (d) => (d[0].id = 7)],
  [
    'Azure role action as an object',
    'azure',
    'azure',
    'a1b2c3d4-1111-4aaa-8bbb-000000000001/role-definition-list.json',
    (d) => (d[0].permissions[0].actions = [{}]),
  ],
  [
    'Azure error message as a number',
    'azure',
    'azure',
    'a1b2c3d4-2222-4aaa-8bbb-000000000002/diagnostic-settings.error.json',
    (d) => (d.error.message = 7),
  ],
  [
    'Entra role permissions as a string',
    'azure',
    'azure',
    'graph/directory-role-definitions.json',
    (d) => ((d.value ?? d)[0].rolePermissions = 'x'),
  ],
  [
    'Google denied permission as a number',
    'gcp',
    'gcp',
    'deny-policy.no-contractor-keys.json',
    (d) => (d.rules[0].denyRule.deniedPermissions = [7]),
  ],
  ['Google deny rule as null', 'gcp', 'gcp', 'deny-policy.no-contractor-keys.json', (d) => (d.rules = [null])],
  [
    'Google org policy rules as an object',
    'gcp',
    'gcp',
    'org-policies.projects.acme-data-2203.iam.allowedPolicyMemberDomains.json',
    (d) => (d.spec.rules = { x: 1 }),
  ],
  [
    'Linux cloud tool entry as null',
    'linux',
    'linux',
    'acme-build-07.json',
    (d) => {
      const tools =
        d.documents?.find?.((x: { kind: string }) => x.kind === 'linux.cloud-tools') ??
        d['linux.cloud-tools'] ??
        d.cloudTools;
      if (Array.isArray(tools?.body)) tools.body.push(null);
      else if (Array.isArray(tools)) tools.push(null);
      else throw new Error('the example bundle has no cloud tool list');
    },
  ],
  [
    'Azure role definition id as a number',
    'azure',
    'azure',
    'a1b2c3d4-1111-4aaa-8bbb-000000000001/role-definition-list.json',
    (d) => {
      delete d[0].name;
      d[0].id = 7;
    },
  ],
  [
    'Azure diagnostic destination as a number',
    'azure',
    'azure',
    'a1b2c3d4-1111-4aaa-8bbb-000000000001/diagnostic-settings.json',
    (d) => (d.value[0].storageAccountId = 7),
  ],
  [
    'Google policy resource as a number',
    'gcp',
    'gcp',
    'asset.search-all-iam-policies.json',
    (d) => (d[0].resource = 7),
  ],
  ['Google folders as an object', 'gcp', 'gcp', 'asset.search-all-iam-policies.json', (d) => (d[0].folders = { x: 1 })],
  [
    'Google audit configs as an object',
    'gcp',
    'gcp',
    'asset.search-all-iam-policies.json',
    (d) => (d.find((x: any) => x.policy?.auditConfigs).policy.auditConfigs = { x: 1 }),
  ],
  [
    'Google condition expression as a number',
    'gcp',
    'gcp',
    'asset.search-all-iam-policies.json',
    (d) => (d.flatMap((x: any) => x.policy.bindings ?? []).find((b: any) => b.condition).condition.expression = 7),
  ],
  [
    'Google role permissions as a string',
    'gcp',
    'gcp',
    'iam.roles.describe.etlRunner.json',
    (d) => (d.includedPermissions = 'x'),
  ],
  // Found by `npm run fuzz` at seed 5 (AWS) and seed 2 (Azure), 600 runs.
  [
    'AWS user group list as an object',
    'aws',
    'aws/222222222222',
    'iam-get-account-authorization-details.json',
    (d) => (d.UserDetailList[0].GroupList = { x: 1 }),
  ],
  [
    'Entra verified domains as a string',
    'azure',
    'azure',
    'graph/organization.json',
    (d) => (d.value[0].verifiedDomains = 'x'),
  ],
  // Found at seeds 3 and 6 (GCP, 600 runs).
  [
    'Google asset organization as a number',
    'gcp',
    'gcp',
    'asset.search-all-iam-policies.json',
    (d) => (d[0].organization = 7),
  ],
  [
    'Google role named __proto__',
    'gcp',
    'gcp',
    'asset.search-all-iam-policies.json',
    (d) => (d[0].policy.bindings[0].role = '__proto__'),
  ],
  [
    'Google service account email empty',
    'gcp',
    'gcp',
    'iam.service-accounts.acme-prod-7781.json',
    (d) => (d[0].email = ''),
  ],
];

for (const [name, provider, folder, file, edit] of CASES) {
  test(`${name}: read or refused in one line, not a crash`, async (t) => {
    await t.notThrowsAsync(importEdited(provider, folder, file, edit));
  });
}

// A document of the wrong shape is refused where it is recognised, with the file and the JSON pointer of the field.
test('a field of the wrong type is refused in one line naming the file and its JSON pointer', async (t) => {
  const error = await importEdited(
    'aws',
    'aws/222222222222',
    'iam-get-account-authorization-details.json',
    (d) => (d.UserDetailList[1].GroupList = 'Developers'),
  );
  t.true(isUserError(error));
  t.regex(
    (error as { oneLine(): string }).oneLine(),
    /iam-get-account-authorization-details\.json#\/UserDetailList\/1\/GroupList: "GroupList" must be a list/,
  );
});
