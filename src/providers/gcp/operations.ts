/**
 * What the GCP adapter declares: its gap topics and every API operation collection performs, with the permission
 * (or OAuth scope) each needs. `cloudward permissions gcp` and the tests that check every call is declared read these.
 */
import type { OperationDeclaration } from '../types.js';
import { GapTopic, OPERATIONS } from './documents.js';

export const GCP_GAP_TOPICS: Record<string, string> = {
  [GapTopic.hierarchy]: 'the organization, its folders and projects',
  [GapTopic.iamPolicy]: 'organization, folder and project allow policies (bindings and audit configs)',
  [GapTopic.resourcePolicies]:
    'resource-level allow policies (buckets, service accounts, ...) from Cloud Asset Inventory',
  [GapTopic.denyPolicies]: 'IAM deny policies at organization, folder and project',
  [GapTopic.roles]: 'custom roles and their included permissions',
  [GapTopic.serviceAccounts]: 'service accounts of each project',
  [GapTopic.serviceAccountKeys]: 'keys of each service account',
  [GapTopic.orgPolicy]: 'effective organization policies (service-account keys, domain restriction)',
  [GapTopic.directoryUsers]: 'Workspace / Cloud Identity users, admin flags and 2-Step Verification',
  [GapTopic.cloudShell]: 'Cloud Shell access (an Admin console setting no read API returns)',
};

const ORGANIZATION_LEVEL = new Set([
  'cloudasset.searchAllIamPolicies',
  'cloudresourcemanager.organizations.get',
  'cloudresourcemanager.folders.search',
  'cloudresourcemanager.projects.search',
  'admin.directory.users.list',
]);

export const GCP_OPERATIONS: OperationDeclaration[] = Object.entries(OPERATIONS).map(([id, o]) => ({
  id,
  kind: 'api',
  topic: o.topic,
  permission: o.permission,
  level: ORGANIZATION_LEVEL.has(id) ? 'organization' : 'scope',
  purpose: o.api,
}));
