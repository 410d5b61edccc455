/**
 * Organizations service control policies and their attachments, and CloudTrail trails, applied to the raw documents
 * of every account they reach: an SCP to each account of the organization whose SCPs were read, a trail to its own
 * account (and, for an organization trail, to the organization's accounts, which list it too).
 */
import { UserError } from '../../../errors.js';
import type { EventSelectorsBody, PolicyTarget, Trail } from '../documents.js';
import { parsePolicyDocument, PolicyDocumentError } from '../policy-document.js';
import type { PlanChange } from '../../whatif/plan.js';
import type { AccountDocs } from './account-docs.js';
import { scopeOf, type AwsContext } from './context.js';

/** Policy types other than SCPs (tag, backup, AI opt-out, ...) do not change who can do what. */
const SCP_TYPE = 'SERVICE_CONTROL_POLICY';

function orgAccounts(ctx: AwsContext): AccountDocs[] {
  return [...ctx.accounts.values()].filter((d) => d.inOrganization);
}

/**
 * An Organizations change is made from the management account, which the snapshot may not cover (it often holds only
 * member accounts). Its provider's account must be covered, or be the management account of the snapshot's
 * organization; otherwise the plan is for another organization.
 */
function assertSameOrganization(ctx: AwsContext, change: PlanChange, accounts: AccountDocs[]): void {
  const account = ctx.declaredAccount(change);
  if (!account || ctx.snapshotAccounts.has(account)) return;
  const management = accounts
    .map(scpArnPrefix)
    .map((p) => /organizations::(\d{12}):/.exec(p ?? '')?.[1])
    .find(Boolean);
  if (management === account) return;
  throw new UserError(
    `the plan changes the organization of AWS account ${account} (${change.address}), which the snapshot does not cover`,
    {
      where: ctx.plan.file,
      hint: `audit a snapshot of that organization's accounts (with their SCPs), or plan against the organization the snapshot covers${management ? ` (management account ${management})` : ''}`,
    },
  );
}

/** An existing SCP's ARN prefix (`arn:aws:organizations::<management>:policy/o-xxx/service_control_policy/`). */
function scpArnPrefix(docs: AccountDocs): string | undefined {
  for (const p of docs.scps?.list.values() ?? []) {
    const match = /^(arn:[^:]+:organizations::\d{12}:policy\/o-[^/]+\/service_control_policy\/)/.exec(p.Arn ?? '');
    if (match) return match[1];
  }
  return undefined;
}

/** aws_organizations_policy (SCPs only; other policy types are listed as not projected by the caller). */
export function projectOrganizationsPolicy(ctx: AwsContext, change: PlanChange): boolean {
  const type = (change.after?.type ?? change.before?.type ?? SCP_TYPE) as string;
  if (type !== SCP_TYPE) return false;
  const accounts = orgAccounts(ctx);
  assertSameOrganization(ctx, change, accounts);
  const scopes = accounts.map((d) => scopeOf(d.accountId));
  const beforeId = typeof change.before?.id === 'string' ? change.before.id : undefined;
  // An id known only after apply is only a name: the projection gives the policy one of its own.
  const idValue = ctx.value(change, 'id');
  const knownId =
    idValue.known && typeof idValue.value === 'string' && idValue.value !== '' ? idValue.value : undefined;
  const id =
    change.action === 'delete'
      ? beforeId
      : (knownId ?? beforeId ?? `p-planned-${change.address.replace(/[^A-Za-z0-9]+/g, '-')}`);
  if (!id) return true;
  ctx.planned.set(change.address, { id });
  if (accounts.length === 0) {
    ctx.gap(
      change,
      "no account of the snapshot has its organization's SCPs in the raw documents",
      undefined,
      [...ctx.accounts.keys()].map(scopeOf),
    );
    return true;
  }
  const name = change.action === 'delete' ? undefined : ctx.text(change, 'name', []);
  let content: string | undefined;
  if (change.action !== 'delete') {
    const value = ctx.value(change, 'content');
    if (!value.known) ctx.gap(change, value.reason, 'content', scopes);
    else if (typeof value.value === 'string') {
      try {
        parsePolicyDocument(value.value);
        content = value.value;
      } catch (error) {
        ctx.gap(
          change,
          `content is not a policy document: ${error instanceof PolicyDocumentError ? error.message : String(error)}`,
          'content',
          scopes,
        );
      }
    }
  }
  for (const docs of accounts) {
    ctx.docs(docs.accountId);
    ctx.touch(change, { kind: 'scp', account: docs.accountId, id });
    if (beforeId && beforeId !== id) ctx.touch(change, { kind: 'scp', account: docs.accountId, id: beforeId });
    const scps = docs.scps!;
    if (change.action === 'delete' || (change.action === 'replace' && beforeId && beforeId !== id)) {
      scps.list.remove(beforeId!);
      scps.content.delete(beforeId!);
      scps.targets.delete(beforeId!);
      if (change.action === 'delete') continue;
    }
    const summary = scps.list.edit(id) ?? {
      Id: id,
      Arn: `${scpArnPrefix(docs) ?? `arn:${docs.partition}:organizations::${docs.accountId}:policy/o-planned/service_control_policy/`}${id}`,
      Type: SCP_TYPE,
      AwsManaged: false,
    };
    summary.Name = name ?? summary.Name ?? id;
    if (!scps.list.has(id)) scps.list.put(summary);
    if (content !== undefined) scps.content.set(id, content);
    // Unknown content leaves the SCP without a readable document: its layer is then not narrowed (see normalizeScps).
    else scps.content.delete(id);
    if (!scps.targets.has(id)) scps.targets.set(id, []);
  }
  return true;
}

function targetType(id: string): string {
  if (/^\d{12}$/.test(id)) return 'ACCOUNT';
  if (/^r-/.test(id)) return 'ROOT';
  return 'ORGANIZATIONAL_UNIT';
}

/**
 * aws_organizations_policy_attachment: an SCP attached to the root, an OU or an account. The target is recorded on
 * the policy in every account; normalizing then applies it where it reaches: the root to every member account, an OU
 * to the accounts whose ListParents path passes through it, an account to itself (never the management account).
 */
export function projectOrganizationsAttachment(ctx: AwsContext, change: PlanChange): void {
  const accounts = orgAccounts(ctx);
  assertSameOrganization(ctx, change, accounts);
  const scopes = accounts.map((d) => scopeOf(d.accountId));
  if (accounts.length === 0) {
    ctx.gap(
      change,
      "no account of the snapshot has its organization's SCPs in the raw documents",
      undefined,
      [...ctx.accounts.keys()].map(scopeOf),
    );
    return;
  }
  const read = (side: 'before' | 'after'): { policy: string; target: string } | undefined => {
    if (side === 'before') {
      const values = change.before;
      return typeof values?.policy_id === 'string' && typeof values.target_id === 'string'
        ? { policy: values.policy_id, target: values.target_id }
        : undefined;
    }
    const policy = ctx.text(change, 'policy_id', scopes);
    const target = ctx.text(change, 'target_id', scopes);
    return policy && target ? { policy, target } : undefined;
  };
  const before = change.action === 'create' ? undefined : read('before');
  const after = change.action === 'delete' ? undefined : read('after');
  for (const docs of accounts) {
    ctx.docs(docs.accountId);
    const scps = docs.scps!;
    if (before) {
      ctx.touch(change, { kind: 'scp', account: docs.accountId, id: before.policy });
      const list = scps.targets.get(before.policy);
      if (list)
        scps.targets.set(
          before.policy,
          list.filter((t) => t.TargetId !== before.target),
        );
    }
    if (after) {
      ctx.touch(change, { kind: 'scp', account: docs.accountId, id: after.policy });
      const list = scps.targets.get(after.policy) ?? [];
      if (!list.some((t) => t.TargetId === after.target)) {
        const known = [...scps.targets.values()].flat().find((t) => t.TargetId === after.target);
        const target: PolicyTarget = known
          ? { ...known }
          : { TargetId: after.target, Type: targetType(after.target), Name: after.target };
        scps.targets.set(after.policy, [...list, target]);
      }
      if (!scps.list.has(after.policy)) {
        ctx.gap(change, `SCP ${after.policy} is neither in the raw documents nor created by this plan`, 'policy_id', [
          scopeOf(docs.accountId),
        ]);
      }
    }
  }
}

function selectorsOf(change: PlanChange, ctx: AwsContext, arn: string): EventSelectorsBody | undefined {
  const basic = ctx.value(change, 'event_selector');
  const advanced = ctx.value(change, 'advanced_event_selector');
  if (!basic.known || !advanced.known) {
    ctx.gap(
      change,
      (!basic.known ? basic : (advanced as { reason: string })).reason as string,
      !basic.known ? 'event_selector' : 'advanced_event_selector',
      [],
    );
    return undefined;
  }
  const body: EventSelectorsBody = { TrailARN: arn };
  const adv = Array.isArray(advanced.value) ? (advanced.value as Array<Record<string, unknown>>) : [];
  const basics = Array.isArray(basic.value) ? (basic.value as Array<Record<string, unknown>>) : [];
  if (adv.length > 0) {
    body.AdvancedEventSelectors = adv.map((s) => ({
      ...(typeof s.name === 'string' ? { Name: s.name } : {}),
      FieldSelectors: (Array.isArray(s.field_selector) ? (s.field_selector as Array<Record<string, unknown>>) : []).map(
        (f) => ({
          Field: String(f.field ?? ''),
          ...(Array.isArray(f.equals) && f.equals.length > 0 ? { Equals: f.equals as string[] } : {}),
          ...(Array.isArray(f.not_equals) && f.not_equals.length > 0 ? { NotEquals: f.not_equals as string[] } : {}),
        }),
      ),
    }));
  } else if (basics.length > 0) {
    body.EventSelectors = basics.map((s) => ({
      ReadWriteType: typeof s.read_write_type === 'string' ? s.read_write_type : 'All',
      IncludeManagementEvents: s.include_management_events !== false,
      ...(Array.isArray(s.exclude_management_event_sources)
        ? { ExcludeManagementEventSources: s.exclude_management_event_sources as string[] }
        : {}),
    }));
  } else {
    // No selector blocks: CloudTrail's default, all management events read and write.
    body.EventSelectors = [{ ReadWriteType: 'All', IncludeManagementEvents: true }];
  }
  return body;
}

/** aws_cloudtrail: the trail, its logging status and its event selectors. */
export function projectTrail(ctx: AwsContext, change: PlanChange, account: string): void {
  const own = ctx.accounts.get(account)!;
  const beforeArn = typeof change.before?.arn === 'string' ? change.before.arn : undefined;
  const beforeName = typeof change.before?.name === 'string' ? change.before.name : undefined;
  const orgTrail = (change.after?.is_organization_trail ?? change.before?.is_organization_trail) === true;
  const targets = orgTrail && own.inOrganization ? orgAccounts(ctx) : [own];
  const remove = (docs: AccountDocs) => {
    const trails = docs.trails;
    if (!trails) return;
    for (const key of [beforeArn, beforeName]) {
      if (!key) continue;
      const trail = trails.list.remove(key);
      if (trail) {
        for (const k of [trail.TrailARN, trail.Name]) {
          if (!k) continue;
          trails.status.delete(k);
          trails.selectors.delete(k);
        }
      }
    }
  };
  if (beforeArn)
    for (const docs of targets) ctx.touch(change, { kind: 'trail', account: docs.accountId, arn: beforeArn });
  if (change.action !== 'create') {
    for (const docs of targets) {
      if (!docs.trails) continue;
      ctx.docs(docs.accountId);
      remove(docs);
    }
  }
  if (change.action === 'delete') return;
  const name = ctx.text(change, 'name', [scopeOf(account)]);
  if (!name) return;
  const regionValue = ctx.value(change, 'home_region');
  const region =
    (regionValue.known && typeof regionValue.value === 'string' ? regionValue.value : undefined) ??
    (beforeArn ? beforeArn.split(':')[3] : undefined) ??
    ctx.regionOf(change);
  if (!region) {
    ctx.gap(
      change,
      "the trail's home region is known only after apply (set region in the provider block)",
      'home_region',
      [scopeOf(account)],
    );
    return;
  }
  const arnValue = ctx.value(change, 'arn');
  const arn =
    arnValue.known && typeof arnValue.value === 'string'
      ? arnValue.value
      : `arn:${own.partition}:cloudtrail:${region}:${account}:trail/${name}`;
  ctx.planned.set(change.address, { arn, id: arn, name, home_region: region });
  const flag = (attribute: string, fallback: boolean): boolean | undefined => {
    const v = ctx.value(change, attribute);
    if (!v.known) {
      ctx.gap(change, v.reason, attribute, []);
      return undefined;
    }
    return typeof v.value === 'boolean' ? v.value : fallback;
  };
  const text = (attribute: string) => {
    const v = ctx.value(change, attribute);
    return v.known && typeof v.value === 'string' && v.value !== '' ? v.value : undefined;
  };
  const trail: Trail = {
    Name: name,
    TrailARN: arn,
    HomeRegion: region,
    S3BucketName: text('s3_bucket_name') ?? '',
  };
  const multi = flag('is_multi_region_trail', false);
  if (multi !== undefined) trail.IsMultiRegionTrail = multi;
  trail.IsOrganizationTrail = orgTrail;
  const validation = flag('enable_log_file_validation', false);
  if (validation !== undefined) trail.LogFileValidationEnabled = validation;
  const global = flag('include_global_service_events', true);
  if (global !== undefined) trail.IncludeGlobalServiceEvents = global;
  const logs = text('cloud_watch_logs_group_arn');
  if (logs) trail.CloudWatchLogsLogGroupArn = logs;
  const kms = text('kms_key_id');
  if (kms) trail.KmsKeyId = kms;
  const logging = flag('enable_logging', true);
  const selectors = selectorsOf(change, ctx, arn);
  for (const docs of targets) {
    ctx.touch(change, { kind: 'trail', account: docs.accountId, arn });
    if (!docs.trails) continue;
    ctx.docs(docs.accountId);
    docs.trails.list.put({ ...trail });
    if (logging !== undefined) docs.trails.status.set(arn, { Name: arn, IsLogging: logging });
    if (selectors) docs.trails.selectors.set(arn, { ...selectors, TrailARN: arn });
    trail.HasCustomEventSelectors =
      selectors !== undefined &&
      (selectors.AdvancedEventSelectors !== undefined || change.after?.event_selector !== undefined);
  }
}
