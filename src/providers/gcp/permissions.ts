/**
 * The least-privilege access `cloudward collect gcp` needs, generated from the operations it performs: a custom role
 * (gcloud iam roles create --file) holding the IAM permissions, and the Workspace OAuth scope for the directory.
 */
import { GCP_OPERATIONS } from './operations.js';

export function gcpPermissionsText(): string {
  const declared = GCP_OPERATIONS.flatMap((o) => (o.permission ? [o.permission] : []));
  // Workspace reads are authorised by an OAuth scope (a URL), not an IAM permission.
  const permissions = [...new Set(declared.filter((p) => !p.startsWith('https://')))].sort();
  const scopes = [...new Set(declared.filter((p) => p.startsWith('https://')))].sort();
  const lines = [
    '# Custom role for cloudward (read-only). Create it at the organization and grant it there:',
    '#   gcloud iam roles create cloudwardReader --organization=ORG --file=cloudward-role.yaml',
    'title: cloudward reader',
    'description: Read-only access cloudward collect gcp needs',
    'stage: GA',
    'includedPermissions:',
    ...permissions.map((p) => `- ${p}`),
    '# Google Workspace / Cloud Identity (users, 2-Step Verification): an admin role with Users > Read, and the scope',
    ...scopes.map((s) => `#   ${s}`),
    '# APIs to enable in the calling project: cloudasset, cloudresourcemanager, iam, orgpolicy, admin',
  ];
  return `${lines.join('\n')}\n`;
}
