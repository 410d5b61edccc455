/**
 * The AWS projector: applies a plan's IAM, Organizations SCP and CloudTrail changes to each account's raw documents
 * (the same documents `collect aws --raw-out` writes and `import aws` reads), so the AWS normalizer can run on them.
 */
import { importAwsDocuments } from '../import.js';
import { recognizeDocument } from '../recognize.js';
import { managedPolicyUid } from '../normalize-policies.js';
import type { RawBundle } from '../../types.js';
import type { SnapshotPart } from '../../../snapshot/model.js';
import type { Plan, PlanChange } from '../../whatif/plan.js';
import { ownDocuments } from '../../whatif/raw.js';
import { listChanges } from '../../whatif/changes.js';
import type { ChangeEffect, Projection, Projector } from '../../whatif/types.js';
import { AwsContext, scopeOf, type Touch } from './context.js';
import {
  projectAccessKey,
  projectAttachment,
  projectEntity,
  projectInlinePolicy,
  projectLoginProfile,
  projectManagedPolicy,
  projectMembership,
  projectVirtualMfaDevice,
} from './iam.js';
import { projectOrganizationsAttachment, projectOrganizationsPolicy, projectTrail } from './org-trail.js';

type Handler = (ctx: AwsContext, change: PlanChange, account: string) => boolean | void;

/**
 * The supported types, in the order a final state is reached: containers (users, groups, roles, policies, SCPs,
 * trails) before what refers to them (attachments, memberships, keys); deletes of references before deletes of
 * containers. `account: false`: the change reaches every account of the organization rather than one.
 */
const HANDLERS: Record<string, { phase: 1 | 2; handle: Handler; account?: false }> = {
  aws_iam_user: { phase: 1, handle: (c, ch, a) => projectEntity(c, ch, a, 'user') },
  aws_iam_group: { phase: 1, handle: (c, ch, a) => projectEntity(c, ch, a, 'group') },
  aws_iam_role: { phase: 1, handle: (c, ch, a) => projectEntity(c, ch, a, 'role') },
  aws_iam_policy: { phase: 1, handle: projectManagedPolicy },
  aws_iam_virtual_mfa_device: { phase: 2, handle: projectVirtualMfaDevice },
  aws_organizations_policy: { phase: 1, handle: (c, ch) => projectOrganizationsPolicy(c, ch), account: false },
  aws_cloudtrail: { phase: 1, handle: projectTrail },
  aws_iam_user_policy: { phase: 2, handle: (c, ch, a) => projectInlinePolicy(c, ch, a, 'user') },
  aws_iam_group_policy: { phase: 2, handle: (c, ch, a) => projectInlinePolicy(c, ch, a, 'group') },
  aws_iam_role_policy: { phase: 2, handle: (c, ch, a) => projectInlinePolicy(c, ch, a, 'role') },
  aws_iam_user_policy_attachment: { phase: 2, handle: (c, ch, a) => projectAttachment(c, ch, a, 'user') },
  aws_iam_group_policy_attachment: { phase: 2, handle: (c, ch, a) => projectAttachment(c, ch, a, 'group') },
  aws_iam_role_policy_attachment: { phase: 2, handle: (c, ch, a) => projectAttachment(c, ch, a, 'role') },
  aws_iam_user_group_membership: { phase: 2, handle: (c, ch, a) => projectMembership(c, ch, a, 'user-groups') },
  aws_iam_group_membership: { phase: 2, handle: (c, ch, a) => projectMembership(c, ch, a, 'group-users') },
  aws_iam_access_key: { phase: 2, handle: projectAccessKey },
  aws_iam_user_login_profile: { phase: 2, handle: projectLoginProfile },
  aws_organizations_policy_attachment: {
    phase: 2,
    handle: (c, ch) => projectOrganizationsAttachment(c, ch),
    account: false,
  },
};

/** Types that are not projected but can change who can do what, or what is logged: their account cannot pass. */
const POSTURE_TYPES = /^aws_(iam_|organizations_|cloudtrail|accessanalyzer_|identitystore_|ssoadmin_)/;
/** IAM types that grant nothing themselves (an instance profile only carries a role that is projected on its own). */
const INERT_TYPES = new Set([
  'aws_iam_instance_profile',
  'aws_iam_server_certificate',
  'aws_iam_account_alias',
  'aws_organizations_organizational_unit',
  'aws_cloudtrail_event_data_store',
]);

export const AWS_PROJECTED_TYPES = Object.keys(HANDLERS).sort();

/** Apply order: phase 1 creates/updates, phase 2, then phase 2 deletes before phase 1 deletes. */
function orderOf(change: PlanChange): number {
  const phase = HANDLERS[change.type]!.phase;
  if (change.action === 'delete') return phase === 2 ? 2 : 3;
  return phase === 1 ? 0 : 1;
}

function effectsOf(touches: Map<string, Touch[]>, part: SnapshotPart): ChangeEffect[] {
  // Indexes built once: users by group, holders by policy uid, principals and inline policies by account.
  const groupMembers = new Map<string, string[]>();
  const holders = new Map<string, string[]>();
  const principalsByAccount = new Map<string, string[]>();
  const controlsByNative = new Map<string, string[]>();
  for (const p of part.principals) {
    const account = p.scope.id;
    (principalsByAccount.get(account) ?? principalsByAccount.set(account, []).get(account)!).push(p.uid);
    if (p.kind === 'user') {
      for (const g of (p.details?.groups as string[] | undefined) ?? []) {
        const key = `${account}/${g}`;
        (groupMembers.get(key) ?? groupMembers.set(key, []).get(key)!).push(p.uid);
      }
    }
    for (const a of p.assignments ?? []) (holders.get(a.role) ?? holders.set(a.role, []).get(a.role)!).push(p.uid);
  }
  for (const c of part.controls) {
    const arn = c.settings.trailArn;
    if (typeof arn === 'string') (controlsByNative.get(arn) ?? controlsByNative.set(arn, []).get(arn)!).push(c.uid);
  }
  const inline = new Map<string, string[]>();
  for (const r of part.roles) {
    const owner = /^(aws:\d+:inline\/[a-z]+\/.+)\/[^/]+$/.exec(r.uid)?.[1];
    if (owner) (inline.get(owner) ?? inline.set(owner, []).get(owner)!).push(r.uid);
  }
  const inlineOf = (account: string, kind: string, name: string) =>
    inline.get(`aws:${account}:inline/${kind}/${name}`) ?? [];
  const out: ChangeEffect[] = [];
  for (const [address, list] of touches) {
    const uids = new Set<string>();
    for (const t of list) {
      uids.add(scopeOf(t.account));
      if (t.kind === 'user' || t.kind === 'group' || t.kind === 'role') {
        const uid = `aws:${t.account}:${t.kind}/${t.name}`;
        uids.add(uid);
        for (const r of inlineOf(t.account, t.kind, t.name)) {
          uids.add(r);
          for (const h of holders.get(r) ?? []) uids.add(h);
        }
        if (t.kind === 'group') for (const m of groupMembers.get(`${t.account}/${t.name}`) ?? []) uids.add(m);
        // A role or group's held policies reach its members through assignments too.
        if (t.kind !== 'user') for (const h of holders.get(uid) ?? []) uids.add(h);
      } else if (t.kind === 'policy') {
        const name = t.arn.split('/').at(-1) ?? t.arn;
        const uid = managedPolicyUid(t.account, t.arn, name);
        uids.add(uid);
        for (const h of holders.get(uid) ?? []) uids.add(h);
      } else if (t.kind === 'scp') {
        uids.add(`aws:${t.account}:scp/${t.id}`);
        for (const p of principalsByAccount.get(t.account) ?? []) uids.add(p);
      } else if (t.kind === 'trail') {
        for (const c of controlsByNative.get(t.arn) ?? []) uids.add(c);
      }
    }
    out.push({ address, uids: [...uids] });
  }
  return out;
}

export const awsProjector: Projector = {
  owns: (type) => type.startsWith('aws_'),
  touchesPosture: (type) => POSTURE_TYPES.test(type) && !INERT_TYPES.has(type),
  supports: (type) => type in HANDLERS,
  project(plan: Plan, changes: PlanChange[], bundles: RawBundle[], snapshotScopes: Set<string>): Projection {
    const ctx = new AwsContext(plan, bundles, snapshotScopes);
    const notes = listChanges(changes, ctx, {
      provider: 'aws',
      applies: (change) => change.type in HANDLERS && change.mode === 'managed',
      order: orderOf,
      apply(change, note) {
        const handler = HANDLERS[change.type]!;
        const account = handler.account === false ? undefined : ctx.accountOf(change);
        if (account) note.scope = scopeOf(account);
        if (handler.handle(ctx, change, account ?? '') === false) {
          note.outcome = 'not-projected';
          note.reason = `${String(change.after?.type ?? change.before?.type)} policies do not change M1026/M1038 posture`;
        }
      },
      // Unsupported aws_* types that can change posture leave their account's results unknown.
      touchesPosture: (change) => POSTURE_TYPES.test(change.type) && !INERT_TYPES.has(change.type),
      openScopes(change) {
        const account = ctx.accountOf(change, false);
        ctx.touch(change, { kind: 'account', account });
        return [scopeOf(account)];
      },
    });
    const touched = [...ctx.accounts.values()].filter((d) => d.touched).map((d) => d.toBundle());
    return { bundles: touched, notes, gaps: ctx.gaps, effects: (part) => effectsOf(ctx.touches, part) };
  },
  async readRaw(paths) {
    const own = await ownDocuments(paths, 'AWS export', recognizeDocument);
    return own.length === 0
      ? []
      : importAwsDocuments(own, { options: {}, progress: { status: () => {}, warn: () => {} } });
  },
};
