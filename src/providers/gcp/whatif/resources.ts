/**
 * Custom roles, service accounts, service-account keys and org policies (v2), applied to the raw documents the GCP
 * normalizer reads: the roles lists, the service-account and key lists, and the effective org policies.
 */
import { CONSTRAINTS, type OrgPolicy, type OrgPolicyRule } from '../documents.js';
import { serviceAccountProject } from '../members.js';
import type { PlanChange } from '../../whatif/plan.js';
import type { GcpContext, Target } from './context.js';
import type { GcpDocs } from './docs.js';

/** `google_project_iam_custom_role` and `google_organization_iam_custom_role`: the role and its permissions. */
export function projectCustomRole(ctx: GcpContext, change: PlanChange, level: 'project' | 'organization'): void {
  for (const side of ['before', 'after'] as const) {
    if ((side === 'before' && change.action === 'create') || (side === 'after' && change.action === 'delete')) continue;
    const values = side === 'before' ? change.before : change.after;
    let target: Target | undefined;
    if (level === 'project')
      target =
        side === 'before' && typeof values?.project === 'string'
          ? ctx.project(change, values.project)
          : ctx.projectOf(change);
    else {
      const org =
        side === 'before'
          ? typeof values?.org_id === 'string'
            ? values.org_id
            : undefined
          : ctx.text(change, 'org_id', ['gcp']);
      target = org ? ctx.organization(change, org) : undefined;
    }
    if (!target) continue;
    ctx.land(change, target);
    const roleId =
      side === 'before' ? (values?.role_id as string | undefined) : ctx.text(change, 'role_id', [target.scope]);
    if (!roleId) continue;
    const name = `${target.resource}/roles/${roleId}`;
    ctx.touch(change, { kind: 'role', name, holders: true });
    const list = target.docs.roles(target.resource);
    list.roles = list.roles.filter((r) => r.name !== name);
    if (side === 'before') continue;
    ctx.planned.set(change.address, { name, id: name, role_id: roleId });
    const permissions = ctx.value(change, 'permissions');
    const title = ctx.value(change, 'title');
    const stage = ctx.value(change, 'stage');
    if (!permissions.known) {
      // Unknown permissions: the role is listed without them, so whoever holds it is judged unknown.
      ctx.gap(change, permissions.reason, 'permissions', [target.scope]);
      list.roles.push({ name, ...(title.known && typeof title.value === 'string' ? { title: title.value } : {}) });
      continue;
    }
    const included = Array.isArray(permissions.value)
      ? (permissions.value as unknown[]).filter((p): p is string => typeof p === 'string').sort()
      : [];
    list.roles.push({
      name,
      ...(title.known && typeof title.value === 'string' && title.value !== '' ? { title: title.value } : {}),
      includedPermissions: included,
      ...(stage.known && typeof stage.value === 'string' && stage.value !== '' ? { stage: stage.value } : {}),
    });
  }
}

/** Every member naming a service account in the allow policies, as IAM shows it once the account is deleted. */
function markDeleted(docs: GcpDocs, email: string, uniqueId: string | undefined): void {
  const member = `serviceAccount:${email}`.toLowerCase();
  for (const policy of docs.allPolicies()) {
    for (const binding of policy.bindings ?? []) {
      binding.members = (binding.members ?? []).map((m) =>
        m.toLowerCase() === member ? `deleted:serviceAccount:${email}?uid=${uniqueId ?? '0'}` : m,
      );
    }
  }
}

/** `google_service_account`: the account, its email and (for references) its member form. */
export function projectServiceAccount(ctx: GcpContext, change: PlanChange): void {
  const before = change.before;
  if (change.action !== 'create' && typeof before?.email === 'string') {
    const target = ctx.project(
      change,
      typeof before.project === 'string' ? before.project : (serviceAccountProject(before.email) ?? ''),
    );
    const email = before.email.toLowerCase();
    ctx.touch(change, { kind: 'member', member: `serviceAccount:${email}` });
    if (change.action === 'delete' || change.action === 'replace') {
      const list = target.docs.accounts(target.resource.slice('projects/'.length));
      list.accounts = list.accounts.filter((a) => a.email.toLowerCase() !== email);
      target.docs.dropKeys(email);
      markDeleted(target.docs, email, typeof before.unique_id === 'string' ? before.unique_id : undefined);
    }
  }
  if (change.action === 'delete') return;
  const target = ctx.projectOf(change);
  if (!target) return;
  ctx.land(change, target);
  const project = target.resource.slice('projects/'.length);
  const accountId = ctx.text(change, 'account_id', [target.scope]);
  if (!accountId) return;
  const email = `${accountId}@${project}.iam.gserviceaccount.com`.toLowerCase();
  const known = (attribute: string) => {
    const v = ctx.value(change, attribute);
    return v.known && typeof v.value === 'string' && v.value !== '' ? v.value : undefined;
  };
  const uniqueId = known('unique_id') ?? `planned-${accountId}`;
  ctx.planned.set(change.address, {
    email,
    name: `projects/${project}/serviceAccounts/${email}`,
    id: `projects/${project}/serviceAccounts/${email}`,
    member: `serviceAccount:${email}`,
    unique_id: uniqueId,
    account_id: accountId,
  });
  ctx.touch(change, { kind: 'member', member: `serviceAccount:${email}` });
  const list = target.docs.accounts(project);
  const existing = list.accounts.find((a) => a.email.toLowerCase() === email);
  const disabled = ctx.value(change, 'disabled');
  const account = existing ?? {
    email,
    projectId: project,
    name: `projects/${project}/serviceAccounts/${email}`,
    uniqueId,
    oauth2ClientId: uniqueId,
  };
  const displayName = known('display_name');
  if (displayName) account.displayName = displayName;
  else delete account.displayName;
  if (disabled.known && disabled.value === true) account.disabled = true;
  else delete account.disabled;
  if (!existing) list.accounts.push(account);
}

/** `google_service_account_key`: a user-managed key, created at the time the snapshot was read. */
export function projectServiceAccountKey(ctx: GcpContext, change: PlanChange): void {
  for (const side of ['before', 'after'] as const) {
    if ((side === 'before' && change.action === 'create') || (side === 'after' && change.action === 'delete')) continue;
    const raw =
      side === 'before'
        ? (change.before?.service_account_id as string | undefined)
        : ctx.text(change, 'service_account_id', ['gcp']);
    if (!raw) continue;
    const target = ctx.serviceAccount(change, raw);
    if (!target) continue;
    ctx.land(change, target);
    ctx.touch(change, { kind: 'member', member: `serviceAccount:${target.email}` });
    const keys = target.docs.keys(target.email);
    if (side === 'before') {
      const id =
        typeof change.before?.name === 'string'
          ? change.before.name.split('/').at(-1)
          : typeof change.before?.id === 'string'
            ? change.before.id.split('/').at(-1)
            : undefined;
      if (id) keys.keys = keys.keys.filter((k) => k.name.split('/').at(-1) !== id);
      continue;
    }
    const name = ctx.value(change, 'name');
    const id =
      name.known && typeof name.value === 'string' && name.value !== ''
        ? name.value.split('/').at(-1)!
        : `planned${change.address.replace(/[^A-Za-z0-9]+/g, '')}`;
    const project = /\/projects\/([^/]+)\//.exec(target.resource)?.[1] ?? '-';
    const until = ctx.value(change, 'valid_before');
    const now = ctx.collectedAt(target.docs);
    ctx.planned.set(change.address, {
      name: `projects/${project}/serviceAccounts/${target.email}/keys/${id}`,
      id: `projects/${project}/serviceAccounts/${target.email}/keys/${id}`,
    });
    const algorithm = ctx.value(change, 'key_algorithm');
    const uploaded = ctx.value(change, 'public_key_data');
    keys.keys = keys.keys.filter((k) => k.name.split('/').at(-1) !== id);
    keys.keys.push({
      name: `projects/${project}/serviceAccounts/${target.email}/keys/${id}`,
      keyType: 'USER_MANAGED',
      keyOrigin:
        uploaded.known && typeof uploaded.value === 'string' && uploaded.value !== ''
          ? 'USER_PROVIDED'
          : 'GOOGLE_PROVIDED',
      keyAlgorithm: algorithm.known && typeof algorithm.value === 'string' ? algorithm.value : 'KEY_ALG_RSA_2048',
      validAfterTime: now,
      // An end known only after apply is taken as none: the key counts as active, the stricter reading.
      validBeforeTime:
        until.known && typeof until.value === 'string' && until.value !== '' ? until.value : '9999-12-31T23:59:59Z',
    });
  }
}

/** TRUE / FALSE as the google provider writes the tri-state booleans of an org-policy rule (or true / false). */
function flag(value: unknown): boolean | undefined {
  if (value === true || value === 'TRUE' || value === 'true') return true;
  if (value === false || value === 'FALSE' || value === 'false') return false;
  return undefined;
}

/** The plan's `spec` block (`spec { rules { enforce values { allowed_values } condition } }`) in the org policy API's form. */
function specOf(value: unknown): OrgPolicy['spec'] {
  const block = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;
  if (!block || typeof block !== 'object') return {};
  const rules: OrgPolicyRule[] = (
    Array.isArray(block.rules) ? (block.rules as Array<Record<string, unknown>>) : []
  ).map((r) => {
    const rule: OrgPolicyRule = {};
    const values = (Array.isArray(r.values) ? r.values[0] : r.values) as Record<string, unknown> | undefined;
    if (values && typeof values === 'object') {
      const allowed = Array.isArray(values.allowed_values) ? (values.allowed_values as string[]) : [];
      const denied = Array.isArray(values.denied_values) ? (values.denied_values as string[]) : [];
      rule.values = {
        ...(allowed.length > 0 ? { allowedValues: allowed } : {}),
        ...(denied.length > 0 ? { deniedValues: denied } : {}),
      };
    }
    for (const [from, to] of [
      ['allow_all', 'allowAll'],
      ['deny_all', 'denyAll'],
      ['enforce', 'enforce'],
    ] as const) {
      const f = flag(r[from]);
      if (f !== undefined) rule[to] = f;
    }
    const condition = (Array.isArray(r.condition) ? r.condition[0] : r.condition) as
      | Record<string, unknown>
      | undefined;
    if (condition && typeof condition.expression === 'string' && condition.expression !== '')
      rule.condition = {
        expression: condition.expression,
        ...(typeof condition.title === 'string' && condition.title !== '' ? { title: condition.title } : {}),
      };
    return rule;
  });
  const inherit = flag(block.inherit_from_parent);
  const reset = flag(block.reset);
  return { rules, ...(inherit !== undefined ? { inheritFromParent: inherit } : {}), ...(reset ? { reset } : {}) };
}

/** Where an org policy is set, from its `name` (or `parent`): organizations/O, folders/F, projects/P. */
function policyTarget(
  ctx: GcpContext,
  change: PlanChange,
  name: string,
  parent: string | undefined,
): { target: Target; constraint: string } | undefined {
  const match = /^((?:organizations|folders|projects)\/[^/]+)\/policies\/(.+)$/.exec(name);
  const at = match?.[1] ?? parent;
  const constraint = match?.[2] ?? name;
  if (!at) return undefined;
  const target = at.startsWith('organizations/')
    ? ctx.organization(change, at)
    : at.startsWith('folders/')
      ? ctx.folder(change, at)
      : ctx.project(change, at);
  return { target, constraint };
}

/** The rules of an effective policy, for telling whether a descendant only inherits it. */
const rulesOf = (policy: OrgPolicy | undefined) => JSON.stringify(policy?.spec?.rules ?? []);

/**
 * `google_org_policy_policy`: the policy set at a node becomes the effective policy there and at every project below
 * whose effective policy was the node's (it set none of its own). Deleting it, or `reset`, gives back the parent's
 * effective policy (the constraint's default at the organization). Constraints the normalizer does not read are listed
 * as not projected.
 */
export function projectOrgPolicy(ctx: GcpContext, change: PlanChange): boolean {
  const values = change.action === 'delete' ? change.before : change.after;
  const raw = change.action === 'delete' ? (values?.name as string | undefined) : ctx.text(change, 'name', ['gcp']);
  if (!raw) return true;
  const parent = typeof values?.parent === 'string' ? values.parent : undefined;
  const found = policyTarget(ctx, change, raw, parent);
  if (!found) {
    ctx.gap(change, `cannot tell where ${raw} is set`, 'parent', ['gcp']);
    return true;
  }
  const { target, constraint } = found;
  if (!CONSTRAINTS.includes(constraint as never)) return false;
  const { docs } = target;
  ctx.land(change, target);
  ctx.touch(change, { kind: 'orgPolicy', resource: target.resource, constraint });
  ctx.touch(change, { kind: 'scope', key: target.scope });
  const effective = docs.orgPolicies(constraint);
  const old = effective.get(target.resource);
  let spec: OrgPolicy['spec'];
  if (change.action === 'delete') spec = undefined;
  else {
    const value = ctx.value(change, 'spec');
    if (!value.known) {
      ctx.gap(change, value.reason, 'spec', [target.scope]);
      spec = { rules: [] };
    } else spec = specOf(value.value);
  }
  if (spec?.reset || spec === undefined) {
    // The parent's effective policy, or the constraint's default (no rules) at the top.
    const up = docs.hierarchy
      .lineage(target.resource)
      .slice(1)
      .map((r) => docs.resourceOf(r))
      .find((r) => effective.has(r));
    spec = up ? structuredClone(effective.get(up)!.spec) : { rules: [] };
    if (!up && target.resource !== docs.organization)
      ctx.gap(change, `the effective ${constraint} above ${target.resource} is not in the raw documents`, undefined, [
        target.scope,
      ]);
  } else if (spec.inheritFromParent) {
    // A list policy that merges with its parent's: the parent's allowed and denied values join its own.
    const up = docs.hierarchy
      .lineage(target.resource)
      .slice(1)
      .map((r) => docs.resourceOf(r))
      .find((r) => effective.has(r));
    if (up) spec = { ...spec, rules: [...(effective.get(up)!.spec?.rules ?? []), ...(spec.rules ?? [])] };
  }
  // Effective policies are read at the organization and each project, never at a folder: a folder's change shows in
  // the projects below it.
  if (!target.resource.startsWith('folders/')) docs.putOrgPolicy(target.resource, constraint, spec);
  // Projects below that only inherited the node's old effective policy now inherit the new one.
  if (!target.resource.startsWith('projects/')) {
    for (const [resource, policy] of effective) {
      if (resource === target.resource || !resource.startsWith('projects/')) continue;
      if (
        !docs.hierarchy
          .lineage(resource)
          .map((r) => docs.resourceOf(r))
          .includes(target.resource)
      )
        continue;
      const scope = ctx.scopeOfResource(docs, resource);
      if (old === undefined)
        ctx.gap(
          change,
          `the effective ${constraint} of ${target.resource} was not read, so whether ${resource} only inherits it is unknown`,
          undefined,
          [scope],
        );
      else if (rulesOf(policy) === rulesOf(old)) {
        docs.putOrgPolicy(resource, constraint, spec);
        ctx.touch(change, { kind: 'orgPolicy', resource, constraint });
        ctx.touch(change, { kind: 'scope', key: scope });
      }
    }
  }
  return true;
}
