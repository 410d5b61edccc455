/**
 * Whether MFA is enforced for each user, and by what: security defaults, or the enabled Conditional Access policies
 * that require MFA and include the user (directly, through All, a group or a directory role) without excluding them.
 * Report-only and disabled policies enforce nothing. Group membership is known only for groups that hold a role, so
 * a policy that reaches a user only through some other group leaves the answer unknown, never "not enforced".
 */
import type { Control, Principal } from '../../snapshot/model.js';

type Answer = 'yes' | 'no' | 'unknown';

interface MfaEnforcement {
  /** MFA is required on every cloud app (sign-in to anything). */
  allApps: Answer;
  /** MFA is required on the Windows Azure Service Management API (Azure CLI, PowerShell, portal). */
  azureManagement: Answer;
  /** What enforces it: `security defaults` or the policies' names. */
  by: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Each user's enforcement, by uid. `conditionalAccessRead` false: the policies could not be read. */
export function mfaEnforcement(
  principals: readonly Principal[],
  controls: readonly Control[],
  conditionalAccessRead: boolean,
): Map<string, MfaEnforcement> {
  const defaults = controls.find((c) => c.type === 'security-defaults');
  const policies = controls.filter(
    (c) => c.type === 'conditional-access' && c.state === 'enabled' && c.settings.requiresMfa === true,
  );
  const knownGroups = new Set(principals.filter((p) => p.kind === 'group').map((p) => p.nativeId));
  const out = new Map<string, MfaEnforcement>();
  for (const user of principals.filter((p) => p.kind === 'user')) {
    if (defaults?.state === 'enabled') {
      out.set(user.uid, { allApps: 'yes', azureManagement: 'yes', by: ['security defaults'] });
      continue;
    }
    const groups = new Set(
      (user.assignments ?? []).filter((a) => a.via !== 'direct').map((a) => a.via.split('/').at(-1)!),
    );
    const roles = new Set(
      (user.assignments ?? []).filter((a) => a.role.includes(':directoryRole/')).map((a) => a.role.split('/').at(-1)!),
    );
    let allApps: Answer = conditionalAccessRead ? 'no' : 'unknown';
    let azureManagement: Answer = allApps;
    const by: string[] = [];
    for (const policy of policies) {
      const s = policy.settings;
      const excluded =
        strings(s.excludeUsers).includes(user.nativeId) ||
        strings(s.excludeGroups).some((g) => groups.has(g)) ||
        strings(s.excludeRoles).some((r) => roles.has(r));
      const included =
        strings(s.includeUsers).includes('All') ||
        strings(s.includeUsers).includes(user.nativeId) ||
        strings(s.includeGroups).some((g) => groups.has(g)) ||
        strings(s.includeRoles).some((r) => roles.has(r));
      const maybe = !included && strings(s.includeGroups).some((g) => !knownGroups.has(g));
      const unsureExclusion = strings(s.excludeGroups).some((g) => !knownGroups.has(g));
      const answer: Answer = excluded
        ? 'no'
        : included
          ? unsureExclusion
            ? 'unknown'
            : 'yes'
          : maybe
            ? 'unknown'
            : 'no';
      if (answer === 'no') continue;
      if (answer === 'yes') by.push(policy.name);
      const upgrade = (current: Answer): Answer => (current === 'yes' || answer === 'yes' ? 'yes' : 'unknown');
      if (s.coversAllApps === true) allApps = upgrade(allApps);
      if (s.coversAzureManagement === true) azureManagement = upgrade(azureManagement);
    }
    out.set(user.uid, { allApps, azureManagement, by });
  }
  return out;
}
