/**
 * Who can become an administrator of a Demo Cloud project, and by which shortest path: the privilege-graph kit
 * (`src/providers/privilege/`) filled with Demo Cloud's own rules. A role holding `*` makes an administrator;
 * `roles.assign` assigns any role of the project to any user, the caller included, so it is an edit that makes its
 * holder an administrator; `users.impersonate` acts as any user of the project. Pure: one project's users and roles in,
 * their privilege and path evidence out.
 */
import {
  EscalationGraph,
  levelByReach,
  UNCONDITIONAL,
  type EscalationPath,
  type PathStep,
} from '../../../src/providers/privilege/index.js';
import type { Principal, Privilege, Role } from '../../../src/snapshot/model.js';

const ASSIGN = 'roles.assign';
const IMPERSONATE = 'users.impersonate';

/** A role's level from its permissions alone, with the reason. */
export function roleLevel(permissions: readonly string[]): Privilege {
  if (permissions.includes('*')) return { level: 'admin', reasons: ['allows every action (*)'] };
  const reasons = [
    ...(permissions.includes(ASSIGN)
      ? [`${ASSIGN}: assigns any role of the project, an administrator's included`]
      : []),
    ...(permissions.includes(IMPERSONATE) ? [`${IMPERSONATE}: acts as any user of the project`] : []),
  ];
  return { level: reasons.length > 0 ? 'privileged' : 'none', reasons };
}

/** The reason a user with a path to admin is privileged: the path itself. */
function pathReason(path: EscalationPath): string {
  return `can become an administrator: ${path.text}`;
}

/**
 * Sets each user's privilege from the roles it holds and from the graph: an administrator by an admin role stays one;
 * a user with a path to admin is privileged, the path its first reason and its evidence in `details.escalation` (the
 * edge kinds) and `details.escalationPath`; a user without one gets `details.escalation: []`, the fact checks read.
 */
export function applyDemoPrivilege(users: Principal[], roles: readonly Role[], collectedAt: string): void {
  const roleOf = new Map(roles.map((r) => [r.uid, r]));
  const held = users.map((u) => (u.assignments ?? []).flatMap((a) => roleOf.get(a.role) ?? []));
  users.forEach((user, i) => {
    const admin = held[i]!.find((r) => r.privilege.level === 'admin');
    const privileged = held[i]!.filter((r) => r.privilege.level === 'privileged');
    user.privilege = admin
      ? { level: 'admin', reasons: [`holds role ${admin.name}, which allows every action`] }
      : {
          level: privileged.length > 0 ? 'privileged' : 'none',
          reasons: privileged.map((r) => `holds role ${r.name}: ${r.privilege.reasons.join('; ')}`),
        };
  });

  const graph = new EscalationGraph(users, { at: collectedAt });
  const adminRole = roles.find((r) => r.privilege.level === 'admin');
  users.forEach((user, i) => {
    if (user.privilege!.level === 'admin') return graph.holdsAdmin(i);
    const permissions = new Set(held[i]!.flatMap((r) => r.permissions.allow));
    // Assigning itself the admin role is an edit: an edge straight to admin, named by the grant and the role.
    if (permissions.has(ASSIGN) && adminRole)
      graph.addEdge({
        from: i,
        to: graph.admin,
        action: `${ASSIGN} ${adminRole.name} to itself`,
        kind: 'assign-role',
        grant: UNCONDITIONAL,
      });
    // Impersonation reaches every user: one edge to a hub of them all, not one per user.
    if (permissions.has(IMPERSONATE)) {
      const everyone = graph.hub('impersonate', () => users.map((_, to) => ({ to, grant: UNCONDITIONAL })));
      graph.addEdge({ from: i, to: everyone, action: IMPERSONATE, kind: 'impersonate', grant: UNCONDITIONAL });
    }
  });

  const nameOf = new Map(users.map((u) => [u.uid, u.name]));
  const paths = graph.paths((step: PathStep) => (step.edit ? step.action : `${step.action} ${nameOf.get(step.to)}`));
  for (const user of users) {
    const path = paths.get(user.uid);
    const details = (user.details ??= {});
    if (!path) {
      if (user.privilege!.level !== 'admin') details.escalation = [];
      continue;
    }
    user.privilege = {
      level: levelByReach(user.privilege!.level, { path }),
      reasons: [pathReason(path), ...user.privilege!.reasons],
    };
    details.escalation = path.kinds;
    details.escalationPath = { text: path.text, steps: path.steps, conditions: path.conditions, mfa: path.mfa };
  }
}
