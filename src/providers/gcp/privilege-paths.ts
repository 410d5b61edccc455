/**
 * What the escalation graph reads of org policies, and what it writes back: a path to admin is the principal's
 * privilege reason and its `details.escalationPath`, as for AWS.
 */
import type { Principal } from '../../snapshot/model.js';
import { levelByReach, type EscalationPath } from '../privilege/index.js';
import type { RawBundle } from '../types.js';
import { DocumentKind, type OrgPolicy } from './documents.js';
import type { Hierarchy } from './hierarchy.js';
import type { GrantPower } from './privilege-graph.js';

const KEY_CONSTRAINTS = new Set([
  'iam.disableServiceAccountKeyCreation',
  'iam.managed.disableServiceAccountKeyCreation',
]);

/** Whether an effective boolean org policy is enforced (its unconditional rules say so, and none says otherwise). */
function enforced(policy: OrgPolicy): boolean {
  const rules = Array.isArray(policy.spec?.rules)
    ? policy.spec.rules.filter((r) => r !== null && typeof r === 'object' && !r.condition?.expression)
    : [];
  return rules.some((r) => r.enforce === true) && !rules.some((r) => r.enforce === false);
}

/**
 * Projects whose effective policy blocks service-account key creation: the project's own effective policy, else the
 * nearest one above it (an effective policy printed for a folder or the organization holds for what inherits it).
 */
export function keyCreationBlocked(bundle: RawBundle, hierarchy: Hierarchy): Set<string> {
  const byResource = new Map<string, boolean>();
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.orgPolicy) continue;
    const policy = d.body as OrgPolicy;
    const [resource, constraint] = policy.name.split('/policies/');
    if (!resource || !KEY_CONSTRAINTS.has(constraint ?? '')) continue;
    const at = hierarchy.canonical(resource);
    byResource.set(at, (byResource.get(at) ?? false) || enforced(policy));
  }
  const blocked = new Set<string>();
  if (byResource.size === 0) return blocked;
  for (const id of hierarchy.projects.keys()) {
    const nearest = hierarchy.lineage(`projects/${id}`).find((r) => byResource.has(r));
    if (nearest && byResource.get(nearest)) blocked.add(id);
  }
  return blocked;
}

/** The reason a principal with a path to admin is privileged: the path, and what it rests on. */
export function pathReason(path: EscalationPath): string {
  const tail =
    path.conditions.length > 0
      ? ` (only if these conditions hold, not decidable from the snapshot: ${path.conditions.join(', ')})`
      : '';
  return `can become an administrator: ${path.text}${tail}`;
}

/**
 * Each principal with a path to admin is privileged by it (the path is kept in `details.escalationPath`); one without a
 * path that can make another principal an administrator is privileged by that grant power (`details.grantPower`).
 * `details.escalation` holds the path's edge kinds, `[]` for a principal the graph searched and found no path from, so
 * that a check can tell "no path" from "not searched".
 */
export function applyPaths(
  principals: Principal[],
  paths: Map<string, EscalationPath>,
  powers: Map<string, GrantPower> = new Map(),
): void {
  for (const principal of principals) {
    const path = paths.get(principal.uid);
    const power = powers.get(principal.uid);
    if (!path && power) {
      const own = principal.privilege;
      const tail =
        power.conditions.length > 0
          ? ` (only if these conditions hold, not decidable from the snapshot: ${power.conditions.join(', ')})`
          : '';
      principal.privilege = {
        level: levelByReach(own?.level ?? 'none', { grantsAdmin: true }),
        reasons: [`can make another principal an administrator: ${power.text}${tail}`, ...(own?.reasons ?? [])],
      };
      (principal.details ??= {}).grantPower = power;
    }
    if (!path) {
      (principal.details ??= {}).escalation = [];
      continue;
    }
    const own = principal.privilege;
    const level = levelByReach(own?.level ?? 'none', { path });
    principal.privilege = { level, reasons: [pathReason(path), ...(own?.reasons ?? [])] };
    const details = (principal.details ??= {});
    details.escalation = path.kinds;
    details.escalationPath = {
      text: path.text,
      firstStep: path.firstStep,
      steps: path.steps,
      conditions: path.conditions,
      mfa: path.mfa,
    };
  }
}
