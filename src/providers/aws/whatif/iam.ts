/**
 * IAM resource changes applied to an account's authorization details, credential report and virtual MFA devices:
 * users, groups, roles, managed and inline policies, attachments, group memberships, access keys, login profiles
 * and virtual MFA devices. Each handler reads the attributes the AWS provider documents for its resource type.
 */
import type {
  AttachedPolicy,
  GroupDetail,
  InlinePolicy,
  ManagedPolicyDetail,
  RoleDetail,
  UserDetail,
} from '../documents.js';
import type { PlanChange } from '../../whatif/plan.js';
import type { AccountDocs } from './account-docs.js';
import { scopeOf, type AwsContext } from './context.js';

type EntityKind = 'user' | 'group' | 'role';

/**
 * AWS-managed policies whose document is fixed and public, for an attachment of one that no entity of the account
 * held when the snapshot was taken (the export then does not carry it). Any other missing policy is a gap.
 */
const WELL_KNOWN_POLICIES: Record<string, unknown> = {
  'arn:aws:iam::aws:policy/AdministratorAccess': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  },
};

function pathOf(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') ? value : '/';
}

export function iamArn(docs: AccountDocs, kind: EntityKind | 'policy', path: string, name: string): string {
  return `arn:${docs.partition}:iam::${docs.accountId}:${kind}${path}${name}`;
}

/** The entity list of a kind; undefined when the authorization details were not read (that gap already stands). */
function listOf(docs: AccountDocs, kind: EntityKind) {
  return kind === 'user' ? docs.users : kind === 'group' ? docs.groups : docs.roles;
}

function inlineListOf(entity: UserDetail | GroupDetail | RoleDetail, kind: EntityKind): InlinePolicy[] {
  const e = entity as UserDetail & GroupDetail & RoleDetail;
  if (kind === 'user') return (e.UserPolicyList ??= []);
  if (kind === 'group') return (e.GroupPolicyList ??= []);
  return (e.RolePolicyList ??= []);
}

/** aws_iam_user, aws_iam_group, aws_iam_role: create, rename, path, boundary, trust policy, delete. */
export function projectEntity(ctx: AwsContext, change: PlanChange, account: string, kind: EntityKind): void {
  const docs = ctx.docs(account);
  const list = listOf(docs, kind);
  const scope = [scopeOf(account)];
  const beforeName = typeof change.before?.name === 'string' ? change.before.name : undefined;
  if (beforeName) ctx.touch(change, { kind, account, name: beforeName });
  if (change.action === 'delete') {
    if (beforeName) removeEntity(docs, kind, beforeName);
    return;
  }
  const name = ctx.text(change, 'name', scope);
  if (!name) return;
  ctx.touch(change, { kind, account, name });
  const pathValue = ctx.value(change, 'path');
  const path = pathValue.known ? pathOf(pathValue.value) : '/';
  const arn = iamArn(docs, kind, path, name);
  ctx.planned.set(change.address, { arn, name, id: name, unique_id: `${kind.toUpperCase()}-${name}` });
  if (!list) return;
  if (change.action === 'replace' && beforeName && beforeName !== name) removeEntity(docs, kind, beforeName);
  let entity = beforeName && change.action === 'update' ? list.edit(beforeName) : list.edit(name);
  if (!entity || change.action === 'create') {
    entity =
      kind === 'user'
        ? ({
            Path: path,
            UserName: name,
            UserId: `AIDAPLANNED${name}`,
            Arn: arn,
            CreateDate: ctx.collectedAtOf(account),
            UserPolicyList: [],
            GroupList: [],
            AttachedManagedPolicies: [],
            Tags: [],
          } satisfies UserDetail)
        : kind === 'group'
          ? ({
              Path: path,
              GroupName: name,
              GroupId: `AGPAPLANNED${name}`,
              Arn: arn,
              CreateDate: ctx.collectedAtOf(account),
              GroupPolicyList: [],
              AttachedManagedPolicies: [],
            } satisfies GroupDetail)
          : ({
              Path: path,
              RoleName: name,
              RoleId: `AROAPLANNED${name}`,
              Arn: arn,
              CreateDate: ctx.collectedAtOf(account),
              RolePolicyList: [],
              AttachedManagedPolicies: [],
              MaxSessionDuration: 3600,
            } satisfies RoleDetail);
    list.put(entity as never);
    if (kind === 'user') docs.report?.addUser(name, arn, ctx.collectedAtOf(account));
  } else if (beforeName && beforeName !== name) {
    renameEntity(docs, kind, beforeName, name, arn);
  }
  const e = entity as UserDetail & GroupDetail & RoleDetail;
  e.Path = path;
  e.Arn = arn;
  if (kind === 'user' || kind === 'role') {
    const boundary = ctx.value(change, 'permissions_boundary');
    if (!boundary.known) ctx.gap(change, boundary.reason, 'permissions_boundary', []);
    else if (typeof boundary.value === 'string' && boundary.value !== '')
      e.PermissionsBoundary = {
        PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        PermissionsBoundaryArn: boundary.value,
      };
    else delete e.PermissionsBoundary;
  }
  if (kind === 'role') projectRoleSettings(ctx, change, e, docs);
}

function projectRoleSettings(ctx: AwsContext, change: PlanChange, role: RoleDetail, docs: AccountDocs): void {
  const trust = ctx.document(change, 'assume_role_policy', []);
  if (trust !== undefined) role.AssumeRolePolicyDocument = trust;
  const session = ctx.value(change, 'max_session_duration');
  if (!session.known) ctx.gap(change, session.reason, 'max_session_duration', []);
  else if (typeof session.value === 'number') role.MaxSessionDuration = session.value;
  // inline_policy and managed_policy_arns are exclusive lists; they change the role only when the plan changes them.
  const changed = (attribute: string) =>
    change.action === 'create' ||
    JSON.stringify(change.before?.[attribute] ?? null) !== JSON.stringify(change.after?.[attribute] ?? null);
  const inline = ctx.value(change, 'inline_policy');
  if (inline.known && Array.isArray(inline.value) && changed('inline_policy')) {
    const list: InlinePolicy[] = [];
    for (const block of inline.value as Array<Record<string, unknown>>) {
      if (
        typeof block?.name !== 'string' ||
        block.name === '' ||
        typeof block.policy !== 'string' ||
        block.policy === ''
      )
        continue;
      try {
        list.push({ PolicyName: block.name, PolicyDocument: JSON.parse(block.policy) as unknown });
      } catch {
        ctx.gap(change, `inline_policy ${block.name} is not valid JSON`, 'inline_policy', []);
      }
    }
    role.RolePolicyList = list;
  } else if (!inline.known && change.after && 'inline_policy' in change.after) {
    ctx.gap(change, inline.reason, 'inline_policy', []);
  }
  const managed = ctx.value(change, 'managed_policy_arns');
  if (managed.known && Array.isArray(managed.value) && changed('managed_policy_arns')) {
    const before = new Set((role.AttachedManagedPolicies ?? []).map((a) => a.PolicyArn));
    const after = (managed.value as unknown[]).filter((a): a is string => typeof a === 'string');
    for (const arn of before) if (arn && !after.includes(arn)) adjustAttachmentCount(docs, arn, -1);
    for (const arn of after) if (!before.has(arn)) adjustAttachmentCount(docs, arn, 1);
    role.AttachedManagedPolicies = after.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').at(-1) ?? arn }));
  }
}

function renameEntity(docs: AccountDocs, kind: EntityKind, from: string, to: string, arn: string): void {
  const list = listOf(docs, kind)!;
  const entity = list.edit(from) as (UserDetail & GroupDetail & RoleDetail) | undefined;
  if (!entity) return;
  const oldArn = entity.Arn ?? '';
  if (kind === 'user') entity.UserName = to;
  if (kind === 'group') entity.GroupName = to;
  if (kind === 'role') entity.RoleName = to;
  entity.Arn = arn;
  list.rekey(from, to);
  if (kind === 'user') {
    docs.report?.rename(oldArn, to, arn);
    docs.mfaDevices?.editAll((d) => {
      if (d.User?.Arn === oldArn) d.User = { ...d.User, Arn: arn, UserName: to };
    });
  }
  if (kind === 'group') {
    docs.users?.editAll((u) => {
      if (u.GroupList?.includes(from)) u.GroupList = u.GroupList.map((g) => (g === from ? to : g));
    });
  }
}

function removeEntity(docs: AccountDocs, kind: EntityKind, name: string): void {
  const list = listOf(docs, kind);
  const entity = list?.remove(name) as (UserDetail & GroupDetail & RoleDetail) | undefined;
  if (!entity) return;
  for (const attached of entity.AttachedManagedPolicies ?? [])
    if (attached.PolicyArn) adjustAttachmentCount(docs, attached.PolicyArn, -1);
  if (kind === 'user' && entity.Arn) {
    docs.report?.remove(entity.Arn);
    docs.mfaDevices?.editAll((d) => {
      if (d.User?.Arn === entity.Arn) delete d.User;
    });
  }
  if (kind === 'group') {
    docs.users?.editAll((u) => {
      if (u.GroupList?.includes(name)) u.GroupList = u.GroupList.filter((g) => g !== name);
    });
  }
}

/**
 * The entity a change refers to by name. One that neither the snapshot nor the plan creates is projected as a new
 * principal of the plan's account (it may have been made outside Terraform since the snapshot): its policies count,
 * and with no credential-report row its credentials and MFA stay unknown.
 */
function entityFor(
  ctx: AwsContext,
  docs: AccountDocs,
  kind: EntityKind,
  name: string,
  account: string,
): UserDetail | GroupDetail | RoleDetail | undefined {
  const list = listOf(docs, kind);
  if (!list) return undefined;
  const known = list.edit(name);
  if (known) return known;
  const arn = iamArn(docs, kind, '/', name);
  const entity =
    kind === 'user'
      ? ({
          Path: '/',
          UserName: name,
          Arn: arn,
          CreateDate: ctx.collectedAtOf(account),
          UserPolicyList: [],
          GroupList: [],
          AttachedManagedPolicies: [],
        } satisfies UserDetail)
      : kind === 'group'
        ? ({
            Path: '/',
            GroupName: name,
            Arn: arn,
            CreateDate: ctx.collectedAtOf(account),
            GroupPolicyList: [],
            AttachedManagedPolicies: [],
          } satisfies GroupDetail)
        : ({
            Path: '/',
            RoleName: name,
            Arn: arn,
            CreateDate: ctx.collectedAtOf(account),
            RolePolicyList: [],
            AttachedManagedPolicies: [],
          } satisfies RoleDetail);
  list.put(entity as never);
  return list.edit(name);
}

function adjustAttachmentCount(docs: AccountDocs, arn: string, delta: number): void {
  const policy = docs.policies?.edit(arn);
  if (policy) policy.AttachmentCount = Math.max(0, (policy.AttachmentCount ?? 0) + delta);
}

/** aws_iam_policy: a customer-managed policy and its default version. */
export function projectManagedPolicy(ctx: AwsContext, change: PlanChange, account: string): void {
  const docs = ctx.docs(account);
  const scope = [scopeOf(account)];
  const beforeArn = typeof change.before?.arn === 'string' ? change.before.arn : undefined;
  if (beforeArn) ctx.touch(change, { kind: 'policy', account, arn: beforeArn });
  if (change.action === 'delete') {
    if (beforeArn) docs.policies?.remove(beforeArn);
    return;
  }
  const name = ctx.text(change, 'name', scope);
  if (!name) return;
  const pathValue = ctx.value(change, 'path');
  const arn = iamArn(docs, 'policy', pathValue.known ? pathOf(pathValue.value) : '/', name);
  ctx.planned.set(change.address, { arn, id: arn, name, policy_id: `ANPAPLANNED${name}` });
  ctx.touch(change, { kind: 'policy', account, arn });
  if (!docs.policies) return;
  const document = ctx.document(change, 'policy', []);
  if (change.action === 'replace' && beforeArn && beforeArn !== arn) docs.policies.remove(beforeArn);
  const existing = docs.policies.edit(beforeArn ?? arn) ?? docs.policies.edit(arn);
  const detail: ManagedPolicyDetail = existing ?? {
    PolicyName: name,
    PolicyId: `ANPAPLANNED${name}`,
    Arn: arn,
    Path: pathOf(pathValue.known ? pathValue.value : '/'),
    DefaultVersionId: 'v1',
    AttachmentCount: 0,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    PolicyVersionList: [],
  };
  detail.PolicyName = name;
  detail.Arn = arn;
  if (document !== undefined) {
    const next = `v${(detail.PolicyVersionList ?? []).length + 1}`;
    detail.PolicyVersionList = [
      ...(detail.PolicyVersionList ?? []).map((v) => ({ ...v, IsDefaultVersion: false })),
      { Document: document, VersionId: next, IsDefaultVersion: true },
    ];
    detail.DefaultVersionId = next;
  } else {
    // Unknown content: the policy's holders cannot be judged on it (the gap above); keep no stale document.
    detail.PolicyVersionList = [
      { Document: { Version: '2012-10-17', Statement: [] }, VersionId: 'v1', IsDefaultVersion: true },
    ];
    detail.DefaultVersionId = 'v1';
  }
  if (!existing) docs.policies.put(detail);
  else if (beforeArn && beforeArn !== arn) docs.policies.rekey(beforeArn, arn);
}

/**
 * The order of a change to one keyed item: take out what the plan removes or replaces (delete, replace, update), then
 * put in what it leaves (all but delete). Inert changes (no-op, read) never reach a projector.
 */
function applySides(change: PlanChange, apply: (side: 'before' | 'after', remove: boolean) => void): void {
  if (change.action !== 'create') apply('before', true);
  if (change.action !== 'delete') apply('after', false);
}

/** aws_iam_user_policy, aws_iam_group_policy, aws_iam_role_policy: an inline policy of one entity. */
export function projectInlinePolicy(ctx: AwsContext, change: PlanChange, account: string, kind: EntityKind): void {
  const docs = ctx.docs(account);
  const owner = { user: 'user', group: 'group', role: 'role' }[kind];
  const scope = [scopeOf(account)];
  const apply = (side: 'before' | 'after', remove: boolean) => {
    const values = side === 'before' ? change.before : change.after;
    if (!values) return;
    const entityName =
      side === 'before'
        ? typeof values[owner] === 'string'
          ? (values[owner] as string)
          : undefined
        : ctx.text(change, owner, scope);
    if (!entityName) return;
    ctx.touch(change, { kind, account, name: entityName });
    const name = side === 'before' ? (values.name as string | undefined) : ctx.text(change, 'name', scope);
    if (!name) return;
    const entity = remove ? listOf(docs, kind)?.edit(entityName) : entityFor(ctx, docs, kind, entityName, account);
    if (!entity) return;
    const list = inlineListOf(entity, kind);
    const at = list.findIndex((p) => p.PolicyName === name);
    if (at >= 0) list.splice(at, 1);
    if (remove) return;
    const document = ctx.document(change, 'policy', []);
    list.push({ PolicyName: name, PolicyDocument: document ?? { Version: '2012-10-17', Statement: [] } });
  };
  applySides(change, apply);
}

/** aws_iam_user_policy_attachment, aws_iam_group_policy_attachment, aws_iam_role_policy_attachment. */
export function projectAttachment(ctx: AwsContext, change: PlanChange, account: string, kind: EntityKind): void {
  const docs = ctx.docs(account);
  const owner = { user: 'user', group: 'group', role: 'role' }[kind];
  const scope = [scopeOf(account)];
  const apply = (side: 'before' | 'after', remove: boolean) => {
    const values = side === 'before' ? change.before : change.after;
    if (!values) return;
    const entityName = side === 'before' ? (values[owner] as string | undefined) : ctx.text(change, owner, scope);
    if (!entityName) return;
    ctx.touch(change, { kind, account, name: entityName });
    const arn =
      side === 'before' ? (values.policy_arn as string | undefined) : ctx.text(change, 'policy_arn', [], 'after');
    if (!arn) return;
    ctx.touch(change, { kind: 'policy', account, arn });
    const entity = remove ? listOf(docs, kind)?.edit(entityName) : entityFor(ctx, docs, kind, entityName, account);
    if (!entity) return;
    const attached: AttachedPolicy[] = (entity.AttachedManagedPolicies ??= []);
    const at = attached.findIndex((a) => a.PolicyArn === arn);
    if (remove) {
      if (at >= 0) {
        attached.splice(at, 1);
        adjustAttachmentCount(docs, arn, -1);
      }
      return;
    }
    if (at < 0) {
      attached.push({
        PolicyName: docs.policies?.get(arn)?.PolicyName ?? arn.split('/').at(-1) ?? arn,
        PolicyArn: arn,
      });
      adjustAttachmentCount(docs, arn, 1);
    }
    if (docs.policies && !docs.policies.has(arn)) {
      const known = WELL_KNOWN_POLICIES[arn.replace(/^arn:[^:]+:/, 'arn:aws:')];
      if (known)
        docs.policies.put({
          PolicyName: arn.split('/').at(-1)!,
          Arn: arn,
          Path: '/',
          DefaultVersionId: 'v1',
          AttachmentCount: 1,
          PermissionsBoundaryUsageCount: 0,
          IsAttachable: true,
          PolicyVersionList: [{ Document: known, VersionId: 'v1', IsDefaultVersion: true }],
        });
      else
        ctx.gap(
          change,
          `the document of ${arn} is not among the account's raw documents, so what it grants is unknown`,
          'policy_arn',
          [],
        );
    }
  };
  applySides(change, apply);
}

/** aws_iam_user_group_membership (a user's groups) and aws_iam_group_membership (a group's users). */
export function projectMembership(
  ctx: AwsContext,
  change: PlanChange,
  account: string,
  which: 'user-groups' | 'group-users',
): void {
  const docs = ctx.docs(account);
  const scope = [scopeOf(account)];
  const pairs = (side: 'before' | 'after'): Array<[string, string]> | undefined => {
    const values = side === 'before' ? change.before : change.after;
    if (!values) return [];
    const read = (attribute: string) =>
      side === 'before' ? { known: true as const, value: values[attribute] } : ctx.value(change, attribute);
    const one = read(which === 'user-groups' ? 'user' : 'group');
    const many = read(which === 'user-groups' ? 'groups' : 'users');
    if (!one.known || !many.known) {
      const missing = !one.known ? one : many;
      ctx.gap(
        change,
        (missing as { reason: string }).reason,
        which === 'user-groups' ? (!one.known ? 'user' : 'groups') : !one.known ? 'group' : 'users',
        scope,
      );
      return undefined;
    }
    const list = Array.isArray(many.value) ? many.value.filter((v): v is string => typeof v === 'string') : [];
    if (typeof one.value !== 'string') return [];
    return list.map((other) => (which === 'user-groups' ? [one.value as string, other] : [other, one.value as string]));
  };
  const before = change.action === 'create' ? [] : (pairs('before') ?? []);
  const after = change.action === 'delete' ? [] : pairs('after');
  const key = ([u, g]: [string, string]) => `${u}\u0000${g}`;
  const keep = new Set((after ?? []).map(key));
  for (const [user, group] of before) {
    ctx.touch(change, { kind: 'user', account, name: user });
    ctx.touch(change, { kind: 'group', account, name: group });
    if (keep.has(key([user, group]))) continue;
    const detail = docs.users?.edit(user);
    if (detail?.GroupList) detail.GroupList = detail.GroupList.filter((g) => g !== group);
  }
  for (const [user, group] of after ?? []) {
    ctx.touch(change, { kind: 'user', account, name: user });
    ctx.touch(change, { kind: 'group', account, name: group });
    const detail = entityFor(ctx, docs, 'user', user, account) as UserDetail | undefined;
    if (docs.groups && !docs.groups.has(group)) entityFor(ctx, docs, 'group', group, account);
    if (detail && !(detail.GroupList ??= []).includes(group)) detail.GroupList.push(group);
  }
}

/** aws_iam_access_key: a key in the user's credential report slots (the report names slots, never key ids). */
export function projectAccessKey(ctx: AwsContext, change: PlanChange, account: string): void {
  const docs = ctx.docs(account);
  const scope = [scopeOf(account)];
  const user =
    change.action === 'delete' ? (change.before?.user as string | undefined) : ctx.text(change, 'user', scope);
  if (!user) return;
  ctx.touch(change, { kind: 'user', account, name: user });
  const arn = docs.users?.get(user)?.Arn;
  const report = docs.report;
  if (!report || !arn || !report.has(arn)) return;
  const slots = ['access_key_1', 'access_key_2'] as const;
  const slotOfBefore = (): (typeof slots)[number] | undefined => {
    const created = typeof change.before?.create_date === 'string' ? Date.parse(change.before.create_date) : NaN;
    const used = slots.filter(
      (s) =>
        report.get(arn, `${s}_active`)?.toLowerCase() === 'true' ||
        !/^(n\/a|)$/i.test(report.get(arn, `${s}_last_rotated`) ?? ''),
    );
    const byDate = used.filter((s) => Date.parse(report.get(arn, `${s}_last_rotated`) ?? '') === created);
    if (byDate.length === 1) return byDate[0];
    if (used.length === 1) return used[0];
    ctx.gap(
      change,
      `cannot tell which of ${user}'s access keys this is (the credential report names slots, not key ids)`,
      'id',
      [],
    );
    return undefined;
  };
  const status = ctx.value(change, 'status');
  const active = !status.known ? undefined : status.value === 'Inactive' ? 'false' : 'true';
  if (!status.known && change.action !== 'delete') ctx.gap(change, status.reason, 'status', []);
  if (change.action === 'delete' || change.action === 'replace') {
    const slot = slotOfBefore();
    if (slot)
      report.set(arn, {
        [`${slot}_active`]: 'false',
        [`${slot}_last_rotated`]: 'N/A',
        [`${slot}_last_used_date`]: 'N/A',
        [`${slot}_last_used_region`]: 'N/A',
        [`${slot}_last_used_service`]: 'N/A',
      });
    if (change.action === 'delete') return;
  }
  if (change.action === 'update') {
    const slot = slotOfBefore();
    if (slot && active) report.set(arn, { [`${slot}_active`]: active });
    return;
  }
  const free = slots.find(
    (s) =>
      report.get(arn, `${s}_active`)?.toLowerCase() !== 'true' &&
      /^(n\/a|)$/i.test(report.get(arn, `${s}_last_rotated`) ?? ''),
  );
  if (!free) {
    ctx.gap(change, `${user} already has two access keys, the most IAM allows; this apply would fail`, undefined, []);
    return;
  }
  report.set(arn, {
    [`${free}_active`]: active ?? 'true',
    [`${free}_last_rotated`]: ctx.collectedAtOf(account),
    [`${free}_last_used_date`]: 'N/A',
  });
}

/** aws_iam_user_login_profile: a console password. */
export function projectLoginProfile(ctx: AwsContext, change: PlanChange, account: string): void {
  const docs = ctx.docs(account);
  const scope = [scopeOf(account)];
  const set = (user: string | undefined, enabled: boolean) => {
    if (!user) return;
    ctx.touch(change, { kind: 'user', account, name: user });
    const arn = docs.users?.get(user)?.Arn;
    if (arn)
      docs.report?.set(
        arn,
        enabled
          ? { password_enabled: 'true', password_last_changed: ctx.collectedAtOf(account) }
          : { password_enabled: 'false', password_last_changed: 'N/A' },
      );
  };
  if (change.action !== 'create') set(change.before?.user as string | undefined, false);
  if (change.action !== 'delete') set(ctx.text(change, 'user', scope), true);
}

/** aws_iam_virtual_mfa_device: a device; it counts for a user only when enabled for one (`user_name`). */
export function projectVirtualMfaDevice(ctx: AwsContext, change: PlanChange, account: string): void {
  const docs = ctx.docs(account);
  const setUserMfa = (user: string, on: boolean) => {
    ctx.touch(change, { kind: 'user', account, name: user });
    const arn = docs.users?.get(user)?.Arn;
    if (arn) docs.report?.set(arn, { mfa_active: on ? 'true' : 'false' });
    return arn;
  };
  const beforeSerial = typeof change.before?.arn === 'string' ? change.before.arn : undefined;
  if (change.action !== 'create') {
    if (beforeSerial) docs.mfaDevices?.remove(beforeSerial);
    const user = change.before?.user_name;
    if (typeof user === 'string' && user !== '') setUserMfa(user, false);
  }
  if (change.action === 'delete') return;
  const name = ctx.text(change, 'virtual_mfa_device_name', [scopeOf(account)]);
  if (!name) return;
  const serial = `arn:${docs.partition}:iam::${account}:mfa/${name}`;
  ctx.planned.set(change.address, { arn: serial, id: serial });
  const user = ctx.value(change, 'user_name');
  const device: { SerialNumber: string; User?: { Arn?: string; UserName?: string }; EnableDate?: string } = {
    SerialNumber: serial,
  };
  if (user.known && typeof user.value === 'string' && user.value !== '') {
    const arn = setUserMfa(user.value, true);
    if (arn) device.User = { Arn: arn, UserName: user.value };
    device.EnableDate = ctx.collectedAtOf(account);
  }
  docs.mfaDevices?.put(device);
}
