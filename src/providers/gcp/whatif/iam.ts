/**
 * Allow-policy changes at organization, folder, project and service-account level: `_iam_member` adds one member to a
 * role's binding, `_iam_binding` sets a role's members (authoritative for that role and condition), `_iam_policy`
 * sets the whole policy, `_iam_audit_config` sets one service's audit log config. Conditions are kept, so a binding
 * bounded by `request.time < timestamp(...)` stays just-in-time for the normalizer.
 */
import type { AuditConfig, Binding, IamPolicy } from '../documents.js';
import type { PlanChange } from '../../whatif/plan.js';
import { conditionOf, memberKey, type GcpContext, type Target } from './context.js';

export type Level = 'organization' | 'folder' | 'project' | 'service_account' | 'bucket';

/** The attribute naming the resource, per level (`org_id = "123"`, `folder = "folders/123"`, `project`, `service_account_id`, `bucket`). */
const RESOURCE_ATTRIBUTE: Record<Level, string> = {
  organization: 'org_id',
  folder: 'folder',
  project: 'project',
  service_account: 'service_account_id',
  bucket: 'bucket',
};

/** Resources whose allow policy Cloud Asset lists only when one is set: none read means none set. */
const RESOURCE_LEVELS = new Set<Level>(['service_account', 'bucket']);

/** Where one side (before or after) of a change lands; undefined after recording a gap. */
export function targetOf(
  ctx: GcpContext,
  change: PlanChange,
  level: Level,
  side: 'before' | 'after',
): Target | undefined {
  const attribute = RESOURCE_ATTRIBUTE[level];
  if (level === 'project') {
    if (side === 'before')
      return typeof change.before?.project === 'string'
        ? ctx.project(change, change.before.project)
        : ctx.projectOf(change);
    return ctx.projectOf(change);
  }
  const raw =
    side === 'before'
      ? typeof change.before?.[attribute] === 'string'
        ? (change.before[attribute] as string)
        : undefined
      : ctx.text(change, attribute, ['gcp']);
  if (!raw) return undefined;
  if (level === 'organization') return ctx.organization(change, raw);
  if (level === 'folder') return ctx.folder(change, raw);
  if (level === 'bucket') return ctx.bucket(change, raw);
  return ctx.serviceAccount(change, raw);
}

const sameCondition = (a: Binding['condition'], b: Binding['condition']) =>
  (a?.expression ?? '') === (b?.expression ?? '') && (a?.title ?? '') === (b?.title ?? '');

function bindingOf(
  policy: IamPolicy,
  role: string,
  condition: Binding['condition'],
  create: boolean,
): Binding | undefined {
  const bindings = (policy.bindings ??= []);
  let binding = bindings.find((b) => b.role === role && sameCondition(b.condition, condition));
  if (!binding && create) {
    binding = { role, members: [], ...(condition ? { condition } : {}) };
    bindings.push(binding);
  }
  return binding;
}

function dropEmpty(policy: IamPolicy): void {
  if (policy.bindings) policy.bindings = policy.bindings.filter((b) => (b.members ?? []).length > 0);
}

/** The condition of one side; one known only after apply is a gap (the grant is then taken as unconditional). */
function conditionAt(
  ctx: GcpContext,
  change: PlanChange,
  side: 'before' | 'after',
  target: Target,
): Binding['condition'] {
  if (side === 'after') {
    const value = ctx.value(change, 'condition');
    if (!value.known) ctx.gap(change, value.reason, 'condition', [target.scope]);
  }
  return conditionOf(side === 'before' ? change.before : change.after);
}

/** Members of a `members` value that are known strings. */
function memberList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string' && m !== '') : [];
}

/**
 * Applies the before side (taken out) and then the after side (put in) of a change to the policies it names. A change
 * to a resource whose allow policy the snapshot did not read leaves that scope open (the rest of its policy is unknown).
 */
function applySides(
  ctx: GcpContext,
  change: PlanChange,
  level: Level,
  apply: (target: Target, policies: IamPolicy[], side: 'before' | 'after') => void,
): void {
  for (const side of ['before', 'after'] as const) {
    if ((side === 'before' && change.action === 'create') || (side === 'after' && change.action === 'delete')) continue;
    const target = targetOf(ctx, change, level, side);
    if (!target) continue;
    ctx.land(change, target);
    if (
      side === 'after' &&
      !target.docs.hasPolicy(target.resource) &&
      !RESOURCE_LEVELS.has(level) &&
      !/_policy$/.test(change.type)
    ) {
      ctx.gap(
        change,
        `the allow policy of ${target.resource} is not in the raw documents, so the rest of it is unknown`,
        undefined,
        [target.scope],
      );
    }
    // Every document holding the resource's policy is edited alike (a bundle may hold both forms of it).
    const held = target.docs.policies(target.resource);
    const policies = side === 'before' || held.length > 0 ? held : [target.docs.policy(target.resource)];
    apply(target, policies, side);
  }
}

/** `google_*_iam_member`: one member of one role (with its condition). */
export function projectMember(ctx: GcpContext, change: PlanChange, level: Level): void {
  applySides(ctx, change, level, (target, policies, side) => {
    const values = side === 'before' ? change.before : change.after;
    const role = side === 'before' ? (values?.role as string | undefined) : ctx.text(change, 'role', [target.scope]);
    // An unknown member may be anyone: every scope of the organization is left open.
    const member =
      side === 'before'
        ? (values?.member as string | undefined)
        : ctx.text(change, 'member', ctx.bundleScopes(target.docs));
    if (member) ctx.touch(change, { kind: 'member', member });
    if (role) ctx.touch(change, { kind: 'role', name: role });
    if (!role || !member) return;
    const condition = conditionAt(ctx, change, side, target);
    for (const policy of policies) {
      const binding = bindingOf(policy, role, condition, side === 'after');
      if (!binding) continue;
      const key = memberKey(member);
      binding.members = (binding.members ?? []).filter((m) => memberKey(m) !== key);
      if (side === 'after') binding.members.push(member);
      dropEmpty(policy);
    }
  });
}

/** `google_*_iam_binding`: every member of one role (with its condition), authoritatively. */
export function projectBinding(ctx: GcpContext, change: PlanChange, level: Level): void {
  applySides(ctx, change, level, (target, policies, side) => {
    const values = side === 'before' ? change.before : change.after;
    const role = side === 'before' ? (values?.role as string | undefined) : ctx.text(change, 'role', [target.scope]);
    if (!role) return;
    ctx.touch(change, { kind: 'role', name: role });
    const condition = conditionAt(ctx, change, side, target);
    let members: string[] = [];
    if (side === 'before') members = memberList(values?.members);
    else {
      const value = ctx.value(change, 'members');
      members = value.known ? memberList(value.value) : memberList(change.after?.members);
      if (!value.known) ctx.gap(change, value.reason, 'members', ctx.bundleScopes(target.docs));
    }
    for (const m of members) ctx.touch(change, { kind: 'member', member: m });
    for (const policy of policies) {
      const binding = bindingOf(policy, role, condition, side === 'after');
      if (!binding) continue;
      for (const m of binding.members ?? []) ctx.touch(change, { kind: 'member', member: m });
      binding.members = side === 'after' ? [...members] : [];
      dropEmpty(policy);
    }
  });
}

/** policy_data (the JSON of `data.google_iam_policy`), or undefined after recording a gap. */
function policyData(ctx: GcpContext, change: PlanChange, scope: string): IamPolicy | undefined {
  const text = ctx.text(change, 'policy_data', [scope]);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as IamPolicy;
    if (
      parsed === null ||
      typeof parsed !== 'object' ||
      (parsed.bindings !== undefined && !Array.isArray(parsed.bindings))
    )
      throw new Error('no bindings list');
    return parsed;
  } catch {
    ctx.gap(change, 'policy_data is not an IAM policy (JSON with a bindings list)', 'policy_data', [scope]);
    return undefined;
  }
}

/** `google_*_iam_policy`: the whole allow policy, authoritatively. Deleting it leaves the resource with no bindings. */
export function projectPolicy(ctx: GcpContext, change: PlanChange, level: Level): void {
  applySides(ctx, change, level, (target, policies, side) => {
    for (const policy of policies) {
      for (const b of policy.bindings ?? [])
        for (const m of b.members ?? []) ctx.touch(change, { kind: 'member', member: m });
      for (const b of policy.bindings ?? []) ctx.touch(change, { kind: 'role', name: b.role });
      if (side === 'before') {
        policy.bindings = [];
        if (!RESOURCE_LEVELS.has(level)) delete policy.auditConfigs;
        continue;
      }
      const data = policyData(ctx, change, target.scope);
      if (!data) {
        // Unknown content: no stale binding is kept; the gap leaves the scope open.
        policy.bindings = [];
        continue;
      }
      policy.bindings = (data.bindings ?? []).map((b) => ({
        role: b.role,
        members: memberList(b.members),
        ...(b.condition?.expression ? { condition: b.condition } : {}),
      }));
      for (const b of policy.bindings) {
        ctx.touch(change, { kind: 'role', name: b.role });
        for (const m of b.members ?? []) ctx.touch(change, { kind: 'member', member: m });
      }
      if (data.auditConfigs) policy.auditConfigs = data.auditConfigs;
      else delete policy.auditConfigs;
    }
  });
}

/** `google_*_iam_audit_config`: the audit log config of one service, authoritatively. */
export function projectAuditConfig(ctx: GcpContext, change: PlanChange, level: Level): void {
  applySides(ctx, change, level, (target, policies, side) => {
    ctx.touch(change, { kind: 'audit', resource: target.resource });
    ctx.touch(change, { kind: 'scope', key: target.scope });
    const service =
      side === 'before' ? (change.before?.service as string | undefined) : ctx.text(change, 'service', [target.scope]);
    if (!service) return;
    let configs: AuditConfig['auditLogConfigs'] = [];
    if (side === 'after') {
      const value = ctx.value(change, 'audit_log_config');
      if (!value.known) ctx.gap(change, value.reason, 'audit_log_config', [target.scope]);
      else if (Array.isArray(value.value)) {
        configs = (value.value as Array<Record<string, unknown>>)
          .filter((c) => typeof c?.log_type === 'string')
          .map((c) => ({
            logType: c.log_type as string,
            ...(memberList(c.exempted_members).length > 0 ? { exemptedMembers: memberList(c.exempted_members) } : {}),
          }));
      }
    }
    for (const policy of policies) {
      const rest = (policy.auditConfigs ?? []).filter((a) => a.service !== service);
      policy.auditConfigs = side === 'after' ? [...rest, { service, auditLogConfigs: configs }] : rest;
      if (policy.auditConfigs.length === 0) delete policy.auditConfigs;
    }
  });
}
