import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Control, Principal, Snapshot } from '../../src/snapshot/model.js';
import { readSnapshotFile } from '../../src/snapshot/load.js';
import { gcpProjector, readGcpRaw } from '../../src/providers/gcp/whatif/index.js';
import { gcpProvider } from '../../src/providers/gcp/index.js';
import { projectPlan, rawFiles, type WhatIfProjection } from '../../src/whatif/index.js';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { UserError } from '../../src/errors.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/cli.js';
import { googlePlanDocument, type ChangeSpec } from './plan-shape.js';

/** The whole raw folder: AWS, Azure, GCP and host files mixed, as a CI job keeps it. */
const RAW = join(ROOT, 'examples', 'acme', 'raw');
const ORG = '408813245716';
const DATA = 'acme-data-2203';
const PROD = 'acme-prod-7781';
const ETL = `etl@${DATA}.iam.gserviceaccount.com`;
let example: Snapshot;

test.before(async () => {
  example = (await readSnapshotFile(EXAMPLE)).snapshot;
});

async function project(specs: ChangeSpec[], raw = RAW): Promise<WhatIfProjection> {
  const projection = await projectPlan(parsePlan(googlePlanDocument(specs), 'plan.json'), example, [raw]);
  await projection.verified;
  return projection;
}

const user = (p: WhatIfProjection, email: string): Principal | undefined =>
  p.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:user/${email}`);
const account = (p: WhatIfProjection, email: string, scope = DATA): Principal | undefined =>
  p.snapshot.principals.find((x) => x.uid === `gcp:${scope}:serviceAccount/${email}`);
const roles = (principal: Principal | undefined) =>
  (principal?.assignments ?? [])
    .map((a) => `${a.role.split(':').at(-1)} ${a.scope}${a.expiresAt ? ` until ${a.expiresAt}` : ''}`)
    .sort();
const effectOf = (p: WhatIfProjection, address: string) => p.effects.find((e) => e.address === address)?.uids ?? [];
const control = (p: WhatIfProjection, uid: string): Control | undefined =>
  p.snapshot.controls.find((c) => c.uid === uid);
const outcomes = (p: WhatIfProjection) => p.notes.map((n) => `${n.address} ${n.outcome}`);
const condition = (expression: string, title: string) => [{ expression, title, description: '' }];

test('google_project_iam_member: create adds the member, a condition keeps the grant time-bound, delete removes it', async (t) => {
  const p = await project([
    {
      address: 'google_project_iam_member.cy_owner',
      actions: ['create'],
      after: { project: PROD, role: 'roles/owner', member: 'user:cy@acme.com', condition: [] },
      unknown: { etag: true, id: true },
    },
    {
      address: 'google_project_iam_member.dee_admin',
      actions: ['create'],
      after: {
        project: DATA,
        role: 'roles/resourcemanager.projectIamAdmin',
        member: 'user:dee@acme.com',
        condition: condition('request.time < timestamp("2026-11-03T00:00:00Z")', 'change-812'),
      },
      unknown: { etag: true, id: true },
    },
    {
      address: 'google_project_iam_member.ben_editor',
      actions: ['delete'],
      before: {
        project: PROD,
        role: 'roles/editor',
        member: 'user:ben@acme.com',
        condition: [],
        etag: 'BwX',
        id: `${PROD}/roles/editor/user:ben@acme.com`,
      },
    },
  ]);
  t.deepEqual(outcomes(p), [
    'google_project_iam_member.cy_owner projected',
    'google_project_iam_member.dee_admin projected',
    'google_project_iam_member.ben_editor projected',
  ]);
  const cy = user(p, 'cy@acme.com')!;
  t.deepEqual(roles(cy), [`roles/owner projects/${PROD}`]);
  t.is(cy.privilege?.level, 'admin');
  t.is(cy.mfa?.state, 'disabled', 'the directory still says cy has no 2-Step Verification');
  const dee = user(p, 'dee@acme.com')!;
  const jit = dee.assignments!.find((a) => a.role.endsWith('roles/resourcemanager.projectIamAdmin'))!;
  t.deepEqual(
    [jit.mode, jit.expiresAt, jit.condition],
    ['active-jit', '2026-11-03T00:00:00Z', 'request.time < timestamp("2026-11-03T00:00:00Z")'],
  );
  t.deepEqual(
    roles(user(p, 'ben@acme.com')),
    [],
    'ben keeps only the expired break-glass binding, which grants nothing',
  );
  t.true(effectOf(p, 'google_project_iam_member.cy_owner').includes(`gcp:${ORG}:user/cy@acme.com`));
  t.is(p.notes[0]!.scope, `gcp:project/${PROD}`);
  t.deepEqual(p.gaps, []);
  t.true(
    p.projectedScopes.includes(`gcp:project/${DATA}`) && p.projectedScopes.includes(`gcp:organization/${ORG}`),
    'the organization and every project are replaced',
  );
});

test('google_project_iam_member: a member new to the snapshot becomes a new principal of the organization', async (t) => {
  const p = await project([
    {
      address: 'google_project_iam_member.eve',
      actions: ['create'],
      after: { project: PROD, role: 'roles/editor', member: 'user:Eve@Partner.example', condition: [] },
      unknown: { etag: true, id: true },
    },
  ]);
  const eve = user(p, 'eve@partner.example')!;
  t.deepEqual(roles(eve), [`roles/editor projects/${PROD}`]);
  t.true(
    (eve.details as { external: boolean }).external,
    'not in the directory: its 2-Step Verification cannot be read',
  );
  t.is(eve.mfa, undefined);
});

test("google_project_iam_binding: authoritative for its role; delete drops the role's binding", async (t) => {
  const p = await project([
    {
      address: 'google_project_iam_binding.editors',
      actions: ['update'],
      before: {
        project: PROD,
        role: 'roles/editor',
        members: ['user:ben@acme.com', 'serviceAccount:771182340011@cloudservices.gserviceaccount.com'],
        condition: [],
      },
      after: { project: PROD, role: 'roles/editor', members: ['user:dee@acme.com'], condition: [] },
    },
    {
      address: 'google_project_iam_binding.owners',
      actions: ['delete'],
      before: { project: DATA, role: 'roles/owner', members: [`serviceAccount:${ETL}`], condition: [] },
    },
  ]);
  t.deepEqual(roles(user(p, 'ben@acme.com')), []);
  t.true(roles(user(p, 'dee@acme.com')).includes(`roles/editor projects/${PROD}`));
  t.deepEqual(roles(account(p, ETL)), []);
  t.is(account(p, ETL)!.privilege?.level, 'none');
  const reached = effectOf(p, 'google_project_iam_binding.editors');
  t.true(
    reached.includes(`gcp:${ORG}:user/ben@acme.com`) && reached.includes(`gcp:${ORG}:user/dee@acme.com`),
    'both the members removed and the members added are reached',
  );
});

test('google_project_iam_policy: the whole policy, audit configs included; delete leaves no binding', async (t) => {
  const policy = JSON.stringify({
    bindings: [{ role: 'roles/viewer', members: ['group:platform@acme.com'] }],
    auditConfigs: [
      {
        service: 'allServices',
        auditLogConfigs: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
      },
    ],
  });
  const p = await project([
    {
      address: 'google_project_iam_policy.data',
      actions: ['create'],
      after: { project: DATA, policy_data: policy },
      unknown: { etag: true, id: true },
    },
  ]);
  t.deepEqual(roles(account(p, ETL)), []);
  t.deepEqual(roles(user(p, 'dee@acme.com')), []);
  t.true(
    roles(p.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:group/platform@acme.com`)).includes(
      `roles/viewer projects/${DATA}`,
    ),
  );
  t.deepEqual(control(p, `gcp:${DATA}:auditConfig/allServices`)!.settings.logTypes, [
    'ADMIN_READ',
    'DATA_READ',
    'DATA_WRITE',
  ]);
  const deleted = await project([
    {
      address: 'google_project_iam_policy.prod',
      actions: ['delete'],
      before: { project: PROD, policy_data: '{}', etag: 'BwX' },
    },
  ]);
  t.deepEqual(roles(user(deleted, 'ben@acme.com')), []);
  t.is(control(deleted, `gcp:${PROD}:auditConfig/allServices`), undefined, 'its audit configs went with it');
});

test('organization level: org_id as "123" or "organizations/123"; member, binding and policy', async (t) => {
  const p = await project([
    {
      address: 'google_organization_iam_member.cy',
      actions: ['create'],
      after: {
        org_id: ORG,
        role: 'roles/resourcemanager.organizationAdmin',
        member: 'user:cy@acme.com',
        condition: [],
      },
      unknown: { etag: true, id: true },
    },
    {
      address: 'google_organization_iam_binding.reviewers',
      actions: ['update'],
      before: {
        org_id: `organizations/${ORG}`,
        role: 'roles/iam.securityReviewer',
        members: ['user:ana@acme.com', 'group:secops@acme.com'],
        condition: [],
      },
      after: {
        org_id: `organizations/${ORG}`,
        role: 'roles/iam.securityReviewer',
        members: ['group:secops@acme.com'],
        condition: [],
      },
    },
  ]);
  t.deepEqual(roles(user(p, 'cy@acme.com')), [`roles/resourcemanager.organizationAdmin organizations/${ORG}`]);
  t.deepEqual(roles(user(p, 'ana@acme.com')), [`roles/owner organizations/${ORG}`]);
  t.is(p.notes[0]!.scope, `gcp:organization/${ORG}`);
  const policy = JSON.stringify({ bindings: [{ role: 'roles/owner', members: ['user:dee@acme.com'] }] });
  const q = await project([
    {
      address: 'google_organization_iam_policy.org',
      actions: ['update'],
      before: { org_id: ORG, policy_data: '{}' },
      after: { org_id: ORG, policy_data: policy },
    },
  ]);
  t.deepEqual(roles(user(q, 'ana@acme.com')), []);
  t.true(roles(user(q, 'dee@acme.com')).includes(`roles/owner organizations/${ORG}`));
});

test('folder level: folder as "folders/123"; member, binding and policy reach the folder\'s grants', async (t) => {
  const folder = 'folders/220044193821';
  const p = await project([
    {
      address: 'google_folder_iam_member.dee',
      actions: ['create'],
      after: { folder, role: 'roles/resourcemanager.folderAdmin', member: 'user:dee@acme.com', condition: [] },
      unknown: { etag: true, id: true },
    },
    {
      address: 'google_folder_iam_binding.viewers',
      actions: ['delete'],
      before: {
        folder,
        role: 'roles/resourcemanager.folderViewer',
        members: ['group:platform@acme.com'],
        condition: [],
      },
    },
  ]);
  t.true(roles(user(p, 'dee@acme.com')).includes(`roles/resourcemanager.folderAdmin ${folder}`));
  t.deepEqual(roles(p.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:group/platform@acme.com`)), []);
  const q = await project([
    {
      address: 'google_folder_iam_policy.prod',
      actions: ['create'],
      after: {
        folder,
        policy_data: JSON.stringify({ bindings: [{ role: 'roles/editor', members: ['group:contractors@acme.com'] }] }),
      },
      unknown: { etag: true },
    },
  ]);
  t.true(
    roles(q.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:group/contractors@acme.com`)).includes(
      `roles/editor ${folder}`,
    ),
  );
});

test('service-account level: who may act as a service account, by resource name or email', async (t) => {
  const name = `projects/${DATA}/serviceAccounts/${ETL}`;
  const p = await project([
    {
      address: 'google_service_account_iam_member.dee',
      actions: ['create'],
      after: {
        service_account_id: name,
        role: 'roles/iam.serviceAccountTokenCreator',
        member: 'user:dee@acme.com',
        condition: [],
      },
      unknown: { etag: true, id: true },
    },
    {
      address: 'google_service_account_iam_binding.users',
      actions: ['create'],
      after: {
        service_account_id: `build@${PROD}.iam.gserviceaccount.com`,
        role: 'roles/iam.serviceAccountUser',
        members: ['group:platform@acme.com'],
        condition: [],
      },
      unknown: { etag: true, id: true },
    },
  ]);
  t.true(
    roles(user(p, 'dee@acme.com')).includes(
      `roles/iam.serviceAccountTokenCreator //iam.googleapis.com/projects/${DATA}/serviceAccounts/109933311234567890123`,
    ),
  );
  t.true(
    roles(p.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:group/platform@acme.com`)).includes(
      `roles/iam.serviceAccountUser //iam.googleapis.com/projects/${PROD}/serviceAccounts/104118830712345678901`,
    ),
  );
  t.is(p.notes.find((n) => n.address === 'google_service_account_iam_member.dee')!.scope, `gcp:project/${DATA}`);
  const q = await project([
    {
      address: 'google_service_account_iam_policy.etl',
      actions: ['create'],
      after: {
        service_account_id: name,
        policy_data: JSON.stringify({
          bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:ben@acme.com'] }],
        }),
      },
      unknown: { etag: true },
    },
  ]);
  t.true(
    roles(user(q, 'ben@acme.com')).includes(
      `roles/iam.serviceAccountUser //iam.googleapis.com/projects/${DATA}/serviceAccounts/109933311234567890123`,
    ),
  );
  const r = await project([
    {
      address: 'google_service_account_iam_member.dee',
      actions: ['delete'],
      before: {
        service_account_id: name,
        role: 'roles/iam.serviceAccountTokenCreator',
        member: 'user:dee@acme.com',
        condition: [],
      },
    },
  ]);
  t.deepEqual(r.gaps, []);
});

test('custom roles: a new role referenced by name before it exists, an update of its permissions, a delete', async (t) => {
  const p = await project([
    {
      address: 'google_project_iam_custom_role.iam_editor',
      actions: ['create'],
      after: {
        project: PROD,
        role_id: 'iamEditor',
        title: 'IAM editor',
        permissions: ['resourcemanager.projects.setIamPolicy', 'resourcemanager.projects.get'],
        stage: 'GA',
        description: null,
      },
      unknown: { id: true, name: true, deleted: true },
    },
    {
      address: 'google_project_iam_member.ben_iam',
      actions: ['create'],
      after: { project: PROD, member: 'user:dee@acme.com', condition: [] },
      unknown: { role: true, etag: true, id: true },
      expressions: {
        project: { constant_value: PROD },
        role: {
          references: ['google_project_iam_custom_role.iam_editor.name', 'google_project_iam_custom_role.iam_editor'],
        },
        member: { constant_value: 'user:dee@acme.com' },
      },
    },
    {
      address: 'google_project_iam_custom_role.etl',
      actions: ['update'],
      before: {
        project: DATA,
        role_id: 'etlRunner',
        title: 'ETL runner',
        permissions: ['bigquery.jobs.create', 'storage.objects.get'],
        stage: 'GA',
      },
      after: {
        project: DATA,
        role_id: 'etlRunner',
        title: 'ETL runner',
        permissions: ['bigquery.jobs.create', 'iam.serviceAccounts.actAs', 'storage.objects.get'],
        stage: 'GA',
      },
    },
    {
      address: 'google_organization_iam_custom_role.auditor',
      actions: ['create'],
      after: {
        org_id: ORG,
        role_id: 'keyMaker',
        title: 'Key maker',
        permissions: ['iam.serviceAccountKeys.create'],
        stage: 'GA',
      },
      unknown: { id: true, name: true, deleted: true },
    },
  ]);
  t.deepEqual(p.gaps, []);
  const dee = user(p, 'dee@acme.com')!;
  t.true(roles(dee).includes(`projects/${PROD}/roles/iamEditor projects/${PROD}`));
  t.is(dee.privilege?.level, 'admin');
  t.is(account(p, `legacy-sync@${DATA}.iam.gserviceaccount.com`)!.privilege?.level, 'privileged');
  t.true(
    effectOf(p, 'google_project_iam_custom_role.etl').includes(
      `gcp:${DATA}:serviceAccount/legacy-sync@${DATA}.iam.gserviceaccount.com`,
    ),
    'a role change reaches whoever holds the role',
  );
  t.true(
    p.snapshot.roles.some(
      (r) => r.uid === `gcp:${ORG}:organizations/${ORG}/roles/keyMaker` && r.privilege?.level === 'privileged',
    ),
  );
  const q = await project([
    {
      address: 'google_project_iam_custom_role.etl',
      actions: ['delete'],
      before: { project: DATA, role_id: 'etlRunner', title: 'ETL runner', permissions: ['bigquery.jobs.create'] },
    },
  ]);
  t.false(
    q.snapshot.roles.some((r) => r.nativeId === `projects/${DATA}/roles/etlRunner` && r.permissions.allow.length > 0),
  );
  t.is(
    account(q, `legacy-sync@${DATA}.iam.gserviceaccount.com`)!.privilege,
    undefined,
    'a binding to a role whose permissions are gone is not judged',
  );
});

test('service accounts and keys: a new account granted through a reference to its email, keys created and deleted', async (t) => {
  const p = await project([
    {
      address: 'google_service_account.deployer',
      actions: ['create'],
      after: { account_id: 'deployer', project: PROD, display_name: 'Deployer', disabled: false, description: '' },
      unknown: { email: true, id: true, member: true, name: true, unique_id: true },
    },
    {
      address: 'google_project_iam_member.deployer',
      actions: ['create'],
      after: { project: PROD, role: 'roles/owner', condition: [] },
      unknown: { member: true, etag: true, id: true },
      expressions: {
        project: { constant_value: PROD },
        role: { constant_value: 'roles/owner' },
        member: { references: ['google_service_account.deployer.email', 'google_service_account.deployer'] },
      },
    },
    {
      address: 'google_service_account_key.deployer',
      actions: ['create'],
      after: {
        key_algorithm: 'KEY_ALG_RSA_2048',
        public_key_type: 'TYPE_X509_PEM_FILE',
        private_key_type: 'TYPE_GOOGLE_CREDENTIALS_FILE',
        keepers: null,
        public_key_data: null,
      },
      unknown: {
        service_account_id: true,
        id: true,
        name: true,
        private_key: true,
        public_key: true,
        valid_after: true,
        valid_before: true,
      },
      sensitive: { private_key: true },
      expressions: {
        service_account_id: { references: ['google_service_account.deployer.name', 'google_service_account.deployer'] },
      },
    },
    {
      address: 'google_service_account_key.etl',
      actions: ['delete'],
      before: {
        service_account_id: ETL,
        name: `projects/${DATA}/serviceAccounts/${ETL}/keys/4c1e7a9b2d`,
        id: `projects/${DATA}/serviceAccounts/${ETL}/keys/4c1e7a9b2d`,
        key_algorithm: 'KEY_ALG_RSA_2048',
      },
    },
  ]);
  t.deepEqual(p.gaps, []);
  const deployer = account(p, `deployer@${PROD}.iam.gserviceaccount.com`, PROD)!;
  t.deepEqual(roles(deployer), [`roles/owner projects/${PROD}`]);
  t.deepEqual(
    deployer.credentials!.map((c) => [c.kind, c.active, c.createdAt]),
    [['serviceAccountKey', true, '2026-11-01T09:00:00Z']],
  );
  t.is((deployer.details as { displayName: string }).displayName, 'Deployer');
  t.deepEqual(account(p, ETL)!.credentials, []);
  const q = await project([
    {
      address: 'google_service_account.etl',
      actions: ['delete'],
      before: {
        account_id: 'etl',
        project: DATA,
        email: ETL,
        unique_id: '109933311234567890123',
        name: `projects/${DATA}/serviceAccounts/${ETL}`,
      },
    },
  ]);
  t.is(account(q, ETL), undefined);
  const deleted = q.snapshot.principals.find((x) => x.uid === `gcp:${DATA}:serviceAccount/deleted:${ETL}`)!;
  t.deepEqual([deleted.enabled, (deleted.details as { deleted: boolean }).deleted], [false, true]);
});

test("google_org_policy_policy: the organization's policy reaches the projects that only inherit it; delete gives back the parent's", async (t) => {
  const spec = (rule: Record<string, unknown>) => [
    {
      etag: '',
      inherit_from_parent: null,
      reset: null,
      rules: [{ allow_all: null, deny_all: null, enforce: null, condition: [], values: [], parameters: null, ...rule }],
    },
  ];
  const p = await project([
    {
      address: 'google_org_policy_policy.no_keys',
      actions: ['update'],
      before: {
        name: `organizations/${ORG}/policies/iam.disableServiceAccountKeyCreation`,
        parent: `organizations/${ORG}`,
        spec: spec({ enforce: 'FALSE' }),
      },
      after: {
        name: `organizations/${ORG}/policies/iam.disableServiceAccountKeyCreation`,
        parent: `organizations/${ORG}`,
        spec: spec({ enforce: 'TRUE' }),
      },
      unknown: { etag: true },
    },
    {
      address: 'google_org_policy_policy.domains',
      actions: ['update'],
      before: {
        name: `organizations/${ORG}/policies/iam.allowedPolicyMemberDomains`,
        parent: `organizations/${ORG}`,
        spec: spec({ values: [{ allowed_values: ['C03xacme1'], denied_values: null }] }),
      },
      after: {
        name: `organizations/${ORG}/policies/iam.allowedPolicyMemberDomains`,
        parent: `organizations/${ORG}`,
        spec: spec({ allow_all: 'TRUE' }),
      },
    },
  ]);
  t.deepEqual(p.gaps, []);
  t.true(
    control(p, `gcp:${ORG}:orgPolicy/organizations/${ORG}/iam.disableServiceAccountKeyCreation`)!.settings
      .enforce as boolean,
  );
  t.false(
    control(p, `gcp:${ORG}:orgPolicy/organizations/${ORG}/iam.allowedPolicyMemberDomains`)!.settings
      .restricted as boolean,
  );
  t.false(
    control(p, `gcp:${PROD}:orgPolicy/projects/${PROD}/iam.allowedPolicyMemberDomains`)!.settings.restricted as boolean,
    "acme-prod only inherited the organization's",
  );
  t.is(
    control(p, `gcp:${DATA}:orgPolicy/projects/${DATA}/iam.allowedPolicyMemberDomains`)!.settings.inheritFromParent,
    false,
    'acme-data sets its own',
  );
  t.true(effectOf(p, 'google_org_policy_policy.domains').includes(`gcp:project/${PROD}`));
  const q = await project([
    {
      address: 'google_org_policy_policy.data_domains',
      actions: ['delete'],
      before: {
        name: `projects/${DATA}/policies/iam.allowedPolicyMemberDomains`,
        parent: `projects/${DATA}`,
        spec: spec({ allow_all: 'TRUE' }),
      },
    },
  ]);
  t.true(
    control(q, `gcp:${DATA}:orgPolicy/projects/${DATA}/iam.allowedPolicyMemberDomains`)!.settings.restricted as boolean,
  );
  const r = await project([
    {
      address: 'google_org_policy_policy.vm_ip',
      actions: ['create'],
      after: {
        name: `projects/${PROD}/policies/compute.vmExternalIpAccess`,
        parent: `projects/${PROD}`,
        spec: spec({ deny_all: 'TRUE' }),
      },
    },
  ]);
  t.deepEqual(outcomes(r), ['google_org_policy_policy.vm_ip not-projected']);
});

test("google_project_iam_audit_config: one service's audit log config at a project", async (t) => {
  const p = await project([
    {
      address: 'google_project_iam_audit_config.data',
      actions: ['update'],
      before: {
        project: DATA,
        service: 'allServices',
        audit_log_config: [{ log_type: 'ADMIN_READ', exempted_members: [] }],
      },
      after: {
        project: DATA,
        service: 'allServices',
        audit_log_config: [
          { log_type: 'ADMIN_READ', exempted_members: [] },
          { log_type: 'DATA_READ', exempted_members: [] },
          { log_type: 'DATA_WRITE', exempted_members: [] },
        ],
      },
    },
    {
      address: 'google_organization_iam_audit_config.org',
      actions: ['create'],
      after: {
        org_id: ORG,
        service: 'iam.googleapis.com',
        audit_log_config: [{ log_type: 'DATA_READ', exempted_members: ['user:ana@acme.com'] }],
      },
      unknown: { etag: true, id: true },
    },
  ]);
  t.deepEqual(control(p, `gcp:${DATA}:auditConfig/allServices`)!.settings.logTypes, [
    'ADMIN_READ',
    'DATA_READ',
    'DATA_WRITE',
  ]);
  t.deepEqual(control(p, `gcp:${ORG}:auditConfig/iam.googleapis.com`)!.settings.exemptedMembers, ['user:ana@acme.com']);
  t.true(effectOf(p, 'google_project_iam_audit_config.data').includes(`gcp:project/${DATA}`));
});

test('values known only after apply and sensitive values: gaps naming the address and attribute, their scopes open', async (t) => {
  const p = await project([
    {
      address: 'google_project_iam_member.someone',
      actions: ['create'],
      after: { project: PROD, role: 'roles/owner', condition: [] },
      unknown: { member: true, etag: true, id: true },
      expressions: { member: { references: ['var.member'] } },
    },
    {
      address: 'google_project_iam_policy.secret',
      actions: ['create'],
      after: { project: DATA },
      sensitive: { policy_data: true },
      unknown: { etag: true },
    },
    {
      address: 'google_project_iam_binding.later',
      actions: ['create'],
      after: { project: PROD, role: 'roles/editor', condition: [] },
      unknown: { members: true, etag: true },
    },
  ]);
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute, g.reason]),
    [
      [
        'google_project_iam_policy.secret',
        'policy_data',
        'policy_data is sensitive; cloudward does not read sensitive plan values',
      ],
      ['google_project_iam_binding.later', 'members', 'members is known only after apply'],
      ['google_project_iam_member.someone', 'member', 'member is known only after apply'],
    ],
  );
  t.deepEqual(
    p.gaps.find((g) => g.attribute === 'member')!.scopes,
    [`gcp:organization/${ORG}`, `gcp:project/${PROD}`, `gcp:project/${DATA}`],
    'an unknown member may be anyone of the organization',
  );
  t.deepEqual(p.gaps.find((g) => g.attribute === 'policy_data')!.scopes, [`gcp:project/${DATA}`]);
  t.deepEqual(
    p.notes.map((n) => n.outcome),
    ['unknown', 'unknown', 'unknown'],
  );
  t.deepEqual(roles(account(p, ETL)), [], 'an unknown policy keeps no stale binding');
});

test('types that are not projected: other resource-level IAM leaves Google unknown, other types are listed as not projected', async (t) => {
  const p = await project([
    {
      address: 'google_cloud_run_service_iam_member.public',
      actions: ['create'],
      after: {
        service: 'orders',
        location: 'europe-west1',
        role: 'roles/run.invoker',
        member: 'allUsers',
        condition: [],
      },
      unknown: { etag: true, id: true, project: true },
    },
    {
      address: 'google_cloud_run_v2_job_iam_member.ci',
      actions: ['create'],
      after: {
        name: 'nightly',
        location: 'europe-west1',
        project: DATA,
        role: 'roles/run.invoker',
        member: 'user:ben@acme.com',
        condition: [],
      },
      unknown: { etag: true, id: true },
    },
    {
      address: 'google_project.prod',
      actions: ['update'],
      before: { project_id: PROD, name: 'acme-prod', labels: {} },
      after: { project_id: PROD, name: 'acme-prod', labels: { team: 'payments' } },
    },
    {
      address: 'google_project_iam_member.viewer',
      actions: ['create'],
      after: { project: PROD, role: 'roles/viewer', member: 'user:dee@acme.com', condition: [] },
      unknown: { etag: true, id: true },
    },
  ]);
  t.deepEqual(
    p.notes.filter((n) => n.outcome !== 'projected').map((n) => [n.address, n.outcome, n.reason]),
    [
      [
        'google_cloud_run_service_iam_member.public',
        'unknown',
        'projection for google_cloud_run_service_iam_member not supported',
      ],
      [
        'google_cloud_run_v2_job_iam_member.ci',
        'unknown',
        'projection for google_cloud_run_v2_job_iam_member not supported',
      ],
      ['google_project.prod', 'not-projected', 'google_project does not change M1026/M1038 posture'],
    ],
  );
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.scopes]),
    [
      ['google_cloud_run_service_iam_member.public', ['gcp']],
      [
        'google_cloud_run_v2_job_iam_member.ci',
        [`gcp:organization/${ORG}`, `gcp:project/${PROD}`, `gcp:project/${DATA}`],
      ],
    ],
    'a grant on a resource of a project reaches members of the whole organization',
  );
  const alone = await project([
    {
      address: 'google_cloud_run_v2_job_iam_member.ci',
      actions: ['create'],
      after: {
        name: 'nightly',
        location: 'europe-west1',
        project: DATA,
        role: 'roles/run.invoker',
        member: 'user:ben@acme.com',
        condition: [],
      },
      unknown: { etag: true, id: true },
    },
  ]);
  t.deepEqual(
    alone.gaps.map((g) => g.scopes),
    [['gcp']],
    'without raw documents to read, all of Google is left open',
  );
});

test('google_storage_bucket_iam_*: a bucket the raw documents hold, or one the plan creates; an unknown bucket is a gap', async (t) => {
  const p = await project([
    {
      address: 'google_storage_bucket_iam_binding.assets',
      actions: ['update'],
      before: {
        bucket: 'b/acme-public-assets',
        role: 'roles/storage.objectViewer',
        members: ['allUsers'],
        condition: [],
      },
      after: {
        bucket: 'b/acme-public-assets',
        role: 'roles/storage.objectViewer',
        members: ['group:platform@acme.com'],
        condition: [],
      },
    },
    {
      address: 'google_storage_bucket.exports',
      actions: ['create'],
      after: { name: 'acme-exports', project: DATA, location: 'EU', labels: null },
      unknown: { id: true, self_link: true, url: true },
    },
    {
      address: 'google_storage_bucket_iam_member.exports',
      actions: ['create'],
      after: { role: 'roles/storage.objectViewer', member: 'allAuthenticatedUsers', condition: [] },
      unknown: { bucket: true, etag: true, id: true },
      expressions: { bucket: { references: ['google_storage_bucket.exports.name', 'google_storage_bucket.exports'] } },
    },
    {
      address: 'google_storage_bucket_iam_policy.elsewhere',
      actions: ['create'],
      after: { bucket: 'someone-elses-bucket', policy_data: JSON.stringify({ bindings: [] }) },
      unknown: { etag: true },
    },
  ]);
  t.deepEqual(roles(p.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:group/allUsers`)), []);
  t.deepEqual(roles(p.snapshot.principals.find((x) => x.uid === `gcp:${ORG}:group/allAuthenticatedUsers`)), [
    'roles/storage.objectViewer //storage.googleapis.com/acme-exports',
  ]);
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute, g.reason, g.scopes]),
    [
      [
        'google_storage_bucket_iam_policy.elsewhere',
        'bucket',
        'bucket someone-elses-bucket is neither in the raw documents nor created by this plan',
        ['gcp'],
      ],
    ],
  );
});

const NOT_COVERED: Array<[string, ChangeSpec, RegExp]> = [
  [
    'a project',
    {
      address: 'google_project_iam_member.x',
      actions: ['create'],
      after: { project: 'other-project-1', role: 'roles/owner', member: 'user:ana@acme.com' },
    },
    /Google Cloud projects\/other-project-1 \(google_project_iam_member\.x\), which the snapshot does not cover/,
  ],
  [
    'an organization',
    {
      address: 'google_organization_iam_member.x',
      actions: ['create'],
      after: { org_id: '999999999999', role: 'roles/owner', member: 'user:ana@acme.com' },
    },
    /Google Cloud organizations\/999999999999 \(google_organization_iam_member\.x\)/,
  ],
  [
    'a folder',
    {
      address: 'google_folder_iam_binding.x',
      actions: ['create'],
      after: { folder: 'folders/42', role: 'roles/owner', members: ['user:ana@acme.com'] },
    },
    /Google Cloud folders\/42 \(google_folder_iam_binding\.x\)/,
  ],
  [
    "an org policy's project",
    {
      address: 'google_org_policy_policy.x',
      actions: ['create'],
      after: {
        name: 'projects/elsewhere-9/policies/iam.disableServiceAccountKeyCreation',
        parent: 'projects/elsewhere-9',
        spec: [],
      },
    },
    /projects\/elsewhere-9 \(google_org_policy_policy\.x\)/,
  ],
];

for (const [name, spec, message] of NOT_COVERED) {
  test(`a plan for ${name} the snapshot does not cover is a UserError naming it`, async (t) => {
    const error = await t.throwsAsync(project([spec]), { instanceOf: UserError });
    t.regex(error!.message, message);
  });
}

test('a project named by its display name: the error says which id it is', async (t) => {
  const error = await t.throwsAsync(
    project([
      {
        address: 'google_project_iam_member.x',
        actions: ['create'],
        after: { project: 'acme-prod', role: 'roles/owner', member: 'user:ben@acme.com' },
      },
    ]),
    { instanceOf: UserError },
  );
  t.regex((error as UserError).hint ?? '', /"acme-prod" is the name of project acme-prod-7781/);
});

test("readRaw takes only Google documents from a folder of every provider's files", async (t) => {
  const bundles = await readGcpRaw(
    [
      join(RAW, 'aws', '111111111111', 'iam-get-account-authorization-details.json'),
      join(RAW, 'gcp', 'organizations.json'),
      join(RAW, 'gcp', 'projects.json'),
    ],
    example.sources,
  );
  t.is(bundles.length, 1);
  t.deepEqual(bundles[0]!.documents.map((d) => d.kind).sort(), ['gcp.organizations', 'gcp.projects']);
  t.is(bundles[0]!.collectedAt, '2026-11-01T09:00:00Z', "the exports carry no date: the snapshot's is used");
});

test("allow policies read with getIamPolicy (the collector's fallback) are projected in that shape", async (t) => {
  const dir = await tempDir();
  await mkdir(join(dir, 'gcp'));
  await cp(join(RAW, 'gcp'), join(dir, 'gcp'), { recursive: true });
  const asset = JSON.parse(await readFile(join(dir, 'gcp', 'asset.search-all-iam-policies.json'), 'utf8')) as Array<{
    resource: string;
    policy: unknown;
  }>;
  await rm(join(dir, 'gcp', 'asset.search-all-iam-policies.json'));
  const names: Record<string, string> = {
    organizations: `organizations.${ORG}`,
    folders: 'folders.220044193821',
    projects: '',
  };
  for (const r of asset) {
    const short = r.resource.replace('//cloudresourcemanager.googleapis.com/', '');
    if (short.startsWith('//')) continue;
    const [kind, id] = short.split('/') as [string, string];
    const stem = kind === 'projects' ? `projects.${id === '771182340011' ? PROD : DATA}` : names[kind];
    await writeFile(join(dir, 'gcp', `${stem}.get-iam-policy.json`), JSON.stringify(r.policy));
  }
  const bundles = await readGcpRaw(await rawFiles([dir]), example.sources);
  t.true(bundles[0]!.documents.some((d) => d.kind === 'gcp.getIamPolicy'));
  const plan = parsePlan(
    googlePlanDocument([
      {
        address: 'google_project_iam_member.cy',
        actions: ['create'],
        after: { project: DATA, role: 'roles/owner', member: 'user:cy@acme.com', condition: [] },
        unknown: { etag: true, id: true },
      },
    ]),
    'plan.json',
  );
  const projection = gcpProjector.project(plan, plan.changes, bundles, new Set([ORG, PROD, DATA]));
  t.false(
    projection.bundles[0]!.documents.some((d) => d.kind === 'gcp.asset.searchAllIamPolicies'),
    'no Cloud Asset document appears',
  );
  const part = gcpProvider.normalize(projection.bundles);
  const cy = part.principals.find((x) => x.uid === `gcp:${ORG}:user/cy@acme.com`)!;
  t.deepEqual(roles(cy), [`roles/owner projects/${DATA}`]);
  t.deepEqual(projection.gaps, []);
});

/** One create, one update and one delete of every supported type, on the example organization. */
function everyType(): Record<string, ChangeSpec[]> {
  const sa = `projects/${DATA}/serviceAccounts/${ETL}`;
  const levels: Array<[string, Record<string, unknown>]> = [
    ['organization', { org_id: ORG }],
    ['folder', { folder: 'folders/220044193821' }],
    ['project', { project: PROD }],
    ['service_account', { service_account_id: sa }],
    ['storage_bucket', { bucket: 'acme-public-assets' }],
  ];
  const out: Record<string, ChangeSpec[]> = {};
  const add = (type: string, specs: Array<Omit<ChangeSpec, 'address'> & { name: string }>) =>
    (out[type] = specs.map(({ name, ...rest }) => ({ address: `${type}.${name}`, ...rest })));
  const policy = (member: string) => JSON.stringify({ bindings: [{ role: 'roles/viewer', members: [member] }] });
  for (const [level, at] of levels) {
    add(`google_${level}_iam_member`, [
      {
        name: 'add',
        actions: ['create'],
        after: { ...at, role: 'roles/viewer', member: 'user:cy@acme.com', condition: [] },
        unknown: { etag: true, id: true },
      },
      {
        name: 'move',
        actions: ['delete', 'create'],
        before: { ...at, role: 'roles/viewer', member: 'user:dee@acme.com', condition: [] },
        after: { ...at, role: 'roles/browser', member: 'user:dee@acme.com', condition: [] },
        unknown: { etag: true, id: true },
      },
      {
        name: 'drop',
        actions: ['delete'],
        before: { ...at, role: 'roles/browser', member: 'user:ana@acme.com', condition: [] },
      },
    ]);
    add(`google_${level}_iam_binding`, [
      {
        name: 'add',
        actions: ['create'],
        after: { ...at, role: 'roles/iam.securityReviewer', members: ['group:secops@acme.com'], condition: [] },
        unknown: { etag: true, id: true },
      },
      {
        name: 'change',
        actions: ['update'],
        before: { ...at, role: 'roles/browser', members: ['user:ana@acme.com'], condition: [] },
        after: { ...at, role: 'roles/browser', members: ['user:ben@acme.com'], condition: [] },
      },
      {
        name: 'drop',
        actions: ['delete'],
        before: { ...at, role: 'roles/iam.securityReviewer', members: ['group:secops@acme.com'], condition: [] },
      },
    ]);
    add(`google_${level}_iam_policy`, [
      {
        name: 'set',
        actions: ['create'],
        after: { ...at, policy_data: policy('user:dee@acme.com') },
        unknown: { etag: true },
      },
      {
        name: 'change',
        actions: ['update'],
        before: { ...at, policy_data: policy('user:dee@acme.com') },
        after: { ...at, policy_data: policy('group:secops@acme.com') },
      },
      { name: 'drop', actions: ['delete'], before: { ...at, policy_data: policy('group:secops@acme.com') } },
    ]);
    if (level === 'service_account' || level === 'storage_bucket') continue;
    add(`google_${level}_iam_audit_config`, [
      {
        name: 'add',
        actions: ['create'],
        after: {
          ...at,
          service: 'storage.googleapis.com',
          audit_log_config: [{ log_type: 'DATA_READ', exempted_members: [] }],
        },
        unknown: { etag: true, id: true },
      },
      {
        name: 'change',
        actions: ['update'],
        before: { ...at, service: 'allServices', audit_log_config: [] },
        after: { ...at, service: 'allServices', audit_log_config: [{ log_type: 'ADMIN_READ', exempted_members: [] }] },
      },
      { name: 'drop', actions: ['delete'], before: { ...at, service: 'storage.googleapis.com', audit_log_config: [] } },
    ]);
  }
  add('google_project_iam_custom_role', [
    {
      name: 'add',
      actions: ['create'],
      after: {
        project: PROD,
        role_id: 'deployer',
        title: 'Deployer',
        permissions: ['run.services.update'],
        stage: 'GA',
      },
      unknown: { id: true, name: true },
    },
    {
      name: 'change',
      actions: ['update'],
      before: { project: DATA, role_id: 'etlRunner', permissions: ['bigquery.jobs.create'] },
      after: {
        project: DATA,
        role_id: 'etlRunner',
        title: 'ETL runner',
        permissions: ['bigquery.jobs.create', 'iam.serviceAccountKeys.create'],
        stage: 'GA',
      },
    },
    {
      name: 'drop',
      actions: ['delete'],
      before: { project: PROD, role_id: 'deployer', permissions: ['run.services.update'] },
    },
  ]);
  add('google_organization_iam_custom_role', [
    {
      name: 'add',
      actions: ['create'],
      after: { org_id: ORG, role_id: 'auditor', title: 'Auditor', permissions: ['iam.roles.get'], stage: 'GA' },
      unknown: { id: true, name: true },
    },
    {
      name: 'change',
      actions: ['update'],
      before: { org_id: ORG, role_id: 'auditor', permissions: ['iam.roles.get'] },
      after: {
        org_id: ORG,
        role_id: 'auditor',
        title: 'Auditor',
        permissions: ['iam.roles.get', 'iam.roles.update'],
        stage: 'GA',
      },
    },
    { name: 'drop', actions: ['delete'], before: { org_id: ORG, role_id: 'auditor', permissions: [] } },
  ]);
  add('google_service_account', [
    {
      name: 'add',
      actions: ['create'],
      after: { account_id: 'runner', project: PROD, display_name: 'Runner', disabled: false },
      unknown: { email: true, id: true, member: true, name: true, unique_id: true },
    },
    {
      name: 'change',
      actions: ['update'],
      before: {
        account_id: 'build',
        project: PROD,
        email: `build@${PROD}.iam.gserviceaccount.com`,
        display_name: 'CI build',
        disabled: false,
      },
      after: {
        account_id: 'build',
        project: PROD,
        email: `build@${PROD}.iam.gserviceaccount.com`,
        display_name: 'CI build',
        disabled: true,
      },
    },
    {
      name: 'drop',
      actions: ['delete'],
      before: {
        account_id: 'legacy-sync',
        project: DATA,
        email: `legacy-sync@${DATA}.iam.gserviceaccount.com`,
        unique_id: '117700123456789012345',
      },
    },
  ]);
  add('google_service_account_key', [
    {
      name: 'add',
      actions: ['create'],
      after: { service_account_id: `build@${PROD}.iam.gserviceaccount.com`, key_algorithm: 'KEY_ALG_RSA_2048' },
      unknown: { id: true, name: true, private_key: true, valid_after: true, valid_before: true },
      sensitive: { private_key: true },
    },
    {
      name: 'rotate',
      actions: ['delete', 'create'],
      before: { service_account_id: sa, name: `${sa}/keys/4c1e7a9b2d` },
      after: { service_account_id: sa, key_algorithm: 'KEY_ALG_RSA_2048' },
      unknown: { id: true, name: true, private_key: true, valid_after: true, valid_before: true },
      sensitive: { private_key: true },
    },
    {
      name: 'drop',
      actions: ['delete'],
      before: {
        service_account_id: `build@${PROD}.iam.gserviceaccount.com`,
        name: `projects/${PROD}/serviceAccounts/build@${PROD}.iam.gserviceaccount.com/keys/planned`,
      },
    },
  ]);
  const rules = (rule: Record<string, unknown>) => [{ rules: [rule] }];
  add('google_org_policy_policy', [
    {
      name: 'add',
      actions: ['create'],
      after: {
        name: `projects/${PROD}/policies/iam.disableServiceAccountKeyCreation`,
        parent: `projects/${PROD}`,
        spec: rules({ enforce: 'TRUE' }),
      },
      unknown: { etag: true, id: true },
    },
    {
      name: 'change',
      actions: ['update'],
      before: {
        name: `organizations/${ORG}/policies/iam.disableServiceAccountKeyCreation`,
        spec: rules({ enforce: 'FALSE' }),
      },
      after: {
        name: `organizations/${ORG}/policies/iam.disableServiceAccountKeyCreation`,
        parent: `organizations/${ORG}`,
        spec: rules({ enforce: 'TRUE' }),
      },
    },
    {
      name: 'drop',
      actions: ['delete'],
      before: {
        name: `projects/${DATA}/policies/iam.allowedPolicyMemberDomains`,
        parent: `projects/${DATA}`,
        spec: rules({ allow_all: 'TRUE' }),
      },
    },
  ]);
  return out;
}

test('a plan holding a create, an update or replace and a delete of every supported Google type is projected without gaps', async (t) => {
  const { GCP_PROJECTED_TYPES } = await import('../../src/providers/gcp/whatif/index.js');
  const byType = everyType();
  t.deepEqual(Object.keys(byType).sort(), GCP_PROJECTED_TYPES);
  const p = await project(Object.values(byType).flat());
  t.deepEqual(p.gaps, []);
  t.deepEqual(
    p.notes.filter((n) => n.outcome !== 'projected').map((n) => n.address),
    [],
  );
  t.is(p.notes.length, GCP_PROJECTED_TYPES.length * 3);
  t.true(account(p, `runner@${PROD}.iam.gserviceaccount.com`, PROD) !== undefined);
  t.false(account(p, `build@${PROD}.iam.gserviceaccount.com`, PROD)!.enabled);
  t.is(account(p, ETL)!.credentials!.filter((k) => k.active).length, 1, 'the rotated key replaces the old one');
  t.true(
    control(p, `gcp:${PROD}:orgPolicy/projects/${PROD}/iam.disableServiceAccountKeyCreation`)!.settings
      .enforce as boolean,
  );
});

test('docs/whatif.md lists every Google type the projection supports', async (t) => {
  const { GCP_PROJECTED_TYPES } = await import('../../src/providers/gcp/whatif/index.js');
  const doc = await readFile(join(ROOT, 'docs', 'whatif.md'), 'utf8');
  const table = doc.slice(
    doc.indexOf('## Supported resource types (Google Cloud)'),
    doc.indexOf('## What cannot be known before apply'),
  );
  for (const type of GCP_PROJECTED_TYPES) t.true(table.includes(`\`${type}\``), type);
});

test('google_org_policy_policy on a folder: no folder control appears, and the projects below are left open', async (t) => {
  const p = await project([
    {
      address: 'google_org_policy_policy.folder',
      actions: ['create'],
      after: {
        name: 'folders/220044193821/policies/iam.allowedPolicyMemberDomains',
        parent: 'folders/220044193821',
        spec: [{ rules: [{ allow_all: 'TRUE' }] }],
      },
      unknown: { etag: true },
    },
  ]);
  t.false(p.snapshot.controls.some((c) => String(c.settings.resource).startsWith('folders/')));
  t.deepEqual(p.gaps.flatMap((g) => g.scopes).sort(), [`gcp:project/${DATA}`, `gcp:project/${PROD}`]);
  t.true(p.gaps.every((g) => g.address === 'google_org_policy_policy.folder' && /was not read/.test(g.reason)));
});

test('a folder `collect gcp --raw-out` wrote: its note gives the date, and a bad file in it is an error, not skipped', async (t) => {
  const dir = await tempDir();
  await cp(join(RAW, 'gcp'), join(dir, ORG), { recursive: true });
  await writeFile(
    join(dir, ORG, 'cloudward-collection.json'),
    JSON.stringify({
      cloudward: {
        provider: 'gcp',
        scope: { kind: 'organization', id: ORG },
        collectedAt: '2026-11-01T09:00:00Z',
        allowPolicyPath: 'cloud-asset',
      },
    }),
  );
  const [bundle] = await readGcpRaw(await rawFiles([dir]));
  t.deepEqual([bundle!.scope.id, bundle!.collectedAt], [ORG, '2026-11-01T09:00:00Z']);
  await writeFile(
    join(dir, ORG, 'projects.acme-prod-7781.get-iam-policy.json'),
    '{"bindings": [{"members": ["user:x@acme.com"]}]}',
  );
  await t.throwsAsync(readGcpRaw(await rawFiles([dir])), { instanceOf: UserError, message: /binding 0 has no "role"/ });
});

test('a condition known only after apply, or a member a reference gives in no member form, is a gap', async (t) => {
  const p = await project([
    {
      address: 'google_project.sandbox',
      actions: ['update'],
      before: { project_id: PROD, name: 'acme-prod' },
      after: { project_id: PROD, name: 'acme-prod' },
    },
    {
      address: 'google_project_iam_member.named',
      actions: ['create'],
      after: { project: PROD, role: 'roles/owner', condition: [] },
      unknown: { member: true, etag: true, id: true },
      expressions: { member: { references: ['google_project.sandbox.name', 'google_project.sandbox'] } },
    },
    {
      address: 'google_project_iam_member.later',
      actions: ['create'],
      after: {
        project: PROD,
        role: 'roles/owner',
        member: 'user:dee@acme.com',
        condition: [{ title: 'until', description: '' }],
      },
      unknown: { etag: true, id: true, condition: [{ expression: true }] },
    },
  ]);
  t.deepEqual(
    p.gaps.map((g) => [g.address, g.attribute]),
    [
      ['google_project_iam_member.named', 'member'],
      ['google_project_iam_member.later', 'condition'],
    ],
  );
});

test('raw documents of another organization are refused, naming it', async (t) => {
  const dir = await tempDir();
  const { readdir } = await import('node:fs/promises');
  for (const name of await readdir(join(RAW, 'gcp')))
    await writeFile(
      join(dir, name.replaceAll(ORG, '111111111111')),
      (await readFile(join(RAW, 'gcp', name), 'utf8')).replaceAll(ORG, '111111111111'),
    );
  const error = await t.throwsAsync(
    project(
      [
        {
          address: 'google_project_iam_member.x',
          actions: ['create'],
          after: { project: PROD, role: 'roles/viewer', member: 'user:ana@acme.com', condition: [] },
        },
      ],
      dir,
    ),
    { instanceOf: UserError },
  );
  t.regex(error!.message, /raw documents are of gcp organization 111111111111, which the snapshot does not cover/);
});
