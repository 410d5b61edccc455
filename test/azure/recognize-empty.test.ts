import test from 'ava';
import { recognizeDocument } from '../../src/providers/azure/recognize.js';

// An empty list says nothing of itself; its file name must name the command that printed it, word for word (words
// split on `-`, `_` and `.`), after at most an `az` or `arm` prefix: a name that only contains the command's text is
// another export.
const named: Array<[string, string]> = [
  ['account-list.json', 'azure.arm.subscriptions'],
  ['az-account-list.json', 'azure.arm.subscriptions'],
  ['az_account_list.json', 'azure.arm.subscriptions'],
  ['subscriptions.json', 'azure.arm.subscriptions'],
  ['arm-subscriptions.json', 'azure.arm.subscriptions'],
  ['role-assignments.json', 'azure.arm.roleAssignments'],
  ['az-role-assignment-list.json', 'azure.arm.roleAssignments'],
  ['arm-role-assignments.page2.json', 'azure.arm.roleAssignments'],
  ['role-definitions.json', 'azure.arm.roleDefinitions'],
  ['diagnostic-settings.json', 'azure.arm.diagnosticSettings'],
  ['arm-diagnostic-settings.json', 'azure.arm.diagnosticSettings'],
  ['role-eligibility-schedules.json', 'azure.arm.roleEligibilitySchedules'],
  ['role-eligibility-schedule-instances.json', 'azure.arm.roleEligibilityScheduleInstances'],
  ['role-assignment-schedule-instances.json', 'azure.arm.roleAssignmentScheduleInstances'],
  // Compute that runs as a managed identity: `automation account list` is not `account list`.
  ['automation-account-list.json', 'azure.arm.automationAccounts'],
  ['az-automation-account-list.json', 'azure.arm.automationAccounts'],
  ['vm-list.json', 'azure.arm.virtualMachines'],
  ['functionapp-list.json', 'azure.arm.sites'],
  ['webapp-list.json', 'azure.arm.sites'],
  ['logic-workflow-list.json', 'azure.arm.logicWorkflows'],
  ['aks-list.json', 'azure.arm.managedClusters'],
];

for (const [file, kind] of named) {
  test(`an empty list named ${file} is ${kind}`, (t) => {
    t.is(recognizeDocument('[]', `/exports/${file}`).kind, kind);
  });
}

const unnamed = [
  'vmss-list.json',
  'my-vm-list.json',
  'logic-list.json',
  'aks-nodepool-list.json',
  'storage-account-list.json',
  'my-subscriptions-backup.json',
  'custom-role-definitions.json',
  'webapp-diagnostic-settings.json',
  'graph-directory-role-assignments.json',
  'accountlist.json',
  'role-assignmentsx.json',
];

for (const file of unnamed) {
  test(`an empty list named ${file} is not taken for another export`, (t) => {
    const error = t.throws(() => recognizeDocument('[]', `/exports/${file}`));
    t.regex(String(error?.message), /an empty list does not say which export it is/);
  });
}
