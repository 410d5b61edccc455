import test from 'ava';
import { recognizeDocument } from '../../src/providers/azure/recognize.js';

// The exports the escalation graph reads, recognised by their content as `az rest` (Graph) and `az` (ARM) print them.
const META = 'https://graph.microsoft.com/v1.0/$metadata#';
const graphPage = (context: string, value: unknown[] = []) =>
  JSON.stringify({ '@odata.context': `${META}${context}`, value });

const contexts: Array<[string, string]> = [
  ['applications(owners())', 'azure.graph.applications'],
  ['servicePrincipals(owners())', 'azure.graph.servicePrincipals'],
  ['groups(owners())', 'azure.graph.groups'],
  ["servicePrincipals('00000000-0000-0000-0000-0000000000ff')/appRoleAssignedTo", 'azure.graph.appRoleAssignments'],
  ["servicePrincipals('bbbbbbbb-0000-4000-8000-000000000009')/appRoleAssignments", 'azure.graph.appRoleAssignments'],
  // A $select after the key: the key and the selection are both left out, not everything between the first and last parenthesis.
  [
    "servicePrincipals('bbbbbbbb-0000-4000-8000-000000000009')/appRoleAssignments(id,appRoleId,resourceId)",
    'azure.graph.appRoleAssignments',
  ],
  ['directory/administrativeUnits(members())', 'azure.graph.administrativeUnits'],
  ['administrativeUnits', 'azure.graph.administrativeUnits'],
];

for (const [context, kind] of contexts) {
  test(`a Graph page of ${context} is ${kind}`, (t) => {
    t.is(recognizeDocument(graphPage(context), '/exports/any.json').kind, kind);
  });
}

test('without @odata.context, an app role assignment and an app registration are told by their fields', (t) => {
  const assignment = { id: 'x', appRoleId: '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', principalId: 'p', resourceId: 'r' };
  t.is(recognizeDocument(JSON.stringify([assignment]), '/exports/a.json').kind, 'azure.graph.appRoleAssignments');
  // `az ad app list`: appId and displayName as a service principal has, but no servicePrincipalType.
  const app = { id: 'o', appId: 'a', displayName: 'app', signInAudience: 'AzureADMyOrg', requiredResourceAccess: [] };
  t.is(recognizeDocument(JSON.stringify([app]), '/exports/b.json').kind, 'azure.graph.applications');
  t.is(
    recognizeDocument(
      JSON.stringify([{ id: 's', appId: 'a', displayName: 'sp', servicePrincipalType: 'Application' }]),
      '/exports/c.json',
    ).kind,
    'azure.graph.servicePrincipals',
  );
});

const RG = '/subscriptions/99999999-0000-4000-8000-000000000001/resourceGroups/rg';
const resources: Array<[string, string]> = [
  ['Microsoft.Compute/virtualMachines/vm', 'azure.arm.virtualMachines'],
  ['Microsoft.Automation/automationAccounts/aa', 'azure.arm.automationAccounts'],
  ['Microsoft.Web/sites/func', 'azure.arm.sites'],
  ['Microsoft.Logic/workflows/wf', 'azure.arm.logicWorkflows'],
  ['Microsoft.ContainerService/managedClusters/aks', 'azure.arm.managedClusters'],
];

for (const [type, kind] of resources) {
  test(`an az list of ${type.split('/').slice(0, 2).join('/')} is ${kind}, flattened or in REST shape`, (t) => {
    const identity = { type: 'SystemAssigned', principalId: 'p', tenantId: 't', userAssignedIdentities: null };
    t.is(
      recognizeDocument(JSON.stringify([{ id: `${RG}/providers/${type}`, name: 'n', identity }]), '/exports/x.json')
        .kind,
      kind,
    );
    t.is(
      recognizeDocument(
        JSON.stringify({ value: [{ id: `${RG}/providers/${type}`, name: 'n', identity, properties: {} }] }),
        '/exports/y.json',
      ).kind,
      kind,
    );
  });
}

test('a field of the wrong type in the new exports is one line naming the file and the field', (t) => {
  const owners = t.throws(() =>
    recognizeDocument(
      graphPage('applications(owners())', [{ id: 'o', appId: 'a', owners: 'alice' }]),
      '/exports/apps.json',
    ),
  );
  t.is(owners?.message, '"owners" must be a list');
  t.is((owners as { where?: string }).where, '/exports/apps.json#/value/0/owners');
  const identity = t.throws(() =>
    recognizeDocument(
      JSON.stringify([{ id: `${RG}/providers/Microsoft.Compute/virtualMachines/vm`, identity: 'SystemAssigned' }]),
      '/exports/vms.json',
    ),
  );
  t.is((identity as { where?: string }).where, '/exports/vms.json#/0/identity');
});
