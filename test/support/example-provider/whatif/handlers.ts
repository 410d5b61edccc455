/**
 * One handler per projected resource type: each edits the copy of its project's raw documents as the apply would,
 * and records what it touched (snapshot uids) and what it could not know (gaps).
 */
import type { PlanChange } from '../../../../src/providers/whatif/plan.js';
import { auditControlUid, userUid, type DemoRoleDocument, type DemoUser } from '../normalize.js';
import { DemoContext } from './context.js';

/** `demo_user_role`: `project`, `user_id`, `role` — the user holds the role in the project. */
export function projectUserRole(ctx: DemoContext, change: PlanChange): void {
  const edit = (side: 'before' | 'after', apply: (roles: string[], role: string) => string[]) => {
    const bundle = ctx.project(change, side);
    if (!bundle) return;
    const scope = [DemoContext.scopeOf(bundle.scope.id)];
    const userId = ctx.requiredText(change, 'user_id', scope, side);
    const role = ctx.requiredText(change, 'role', scope, side);
    if (userId === undefined || role === undefined) return;
    const users = ctx.body(bundle, 'demo.users', { users: [] as DemoUser[] }).users;
    const user = users.find((u) => u.id === userId);
    if (!user)
      return ctx.gap(change, `user ${userId} is not in the raw documents of ${bundle.scope.id}`, 'user_id', scope);
    const roles = ctx.body(bundle, 'demo.roles', { roles: [] as DemoRoleDocument[] }).roles;
    if (side === 'after' && !roles.some((r) => r.id === role))
      return ctx.gap(change, `role ${role} is not a role of ${bundle.scope.id}`, 'role', scope);
    user.roles = apply(user.roles ?? [], role);
    ctx.touch(change, userUid(bundle.scope.id, userId));
  };
  if (change.action !== 'create') edit('before', (roles, role) => roles.filter((r) => r !== role));
  if (change.action !== 'delete') edit('after', (roles, role) => (roles.includes(role) ? roles : [...roles, role]));
}

/** `demo_project_audit_config`: `project`, `enabled`. Deleting it turns the project's audit log off. */
export function projectAuditConfig(ctx: DemoContext, change: PlanChange): void {
  const bundle = ctx.project(change);
  if (!bundle) return;
  let enabled = false;
  if (change.action !== 'delete') {
    const value = ctx.value(change, 'enabled');
    if (!value.known) {
      ctx.gap(change, value.reason, 'enabled', [DemoContext.scopeOf(bundle.scope.id)]);
      return;
    }
    enabled = value.value === true;
  }
  ctx.body(bundle, 'demo.audit-config', { enabled }).enabled = enabled;
  ctx.touch(change, auditControlUid(bundle.scope.id));
}
