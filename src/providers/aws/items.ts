/**
 * What became of every item an AWS account bundle holds: each user, group, role and managed policy of the
 * authorization details (and each policy attachment, which decides a holder's privilege), each credential-report row,
 * virtual MFA device, role setting, SCP, target, parent, region, trail, trail status and event selector. The rules are
 * the normalizer's own: an item is used when the view or the policy catalogue took it.
 */
import { ItemLedger } from '../cloud/ledger.js';
import type { RawBundle } from '../types.js';
import type { AccountView } from './account-view.js';
import {
  DocumentKind,
  GapTopic,
  type AuthorizationDetails,
  type EventSelectorsBody,
  type ParentsBody,
  type RegionsBody,
  type RolesBody,
  type ScpDetailBody,
  type ScpListBody,
  type ScpTargetsBody,
  type TrailStatusBody,
  type TrailsBody,
  type VirtualMfaBody,
} from './documents.js';
import type { PolicyCatalog } from './normalize-policies.js';

/** Accounts for the items of one account bundle, against the view and catalogue the normalizer built from it. */
export function awsItemLedger(bundle: RawBundle, view: AccountView, catalog: PolicyCatalog): ItemLedger {
  const ledger = new ItemLedger();
  const emitted = new Set(catalog.roles.map((r) => r.nativeId));
  const seen = new Set<string>();
  const once = (origin: string, key: string, what: string): boolean => {
    if (!seen.has(key)) {
      seen.add(key);
      return true;
    }
    ledger.skipped(origin, `${what} repeated in another page (the first is used)`);
    return false;
  };
  const trailKeys = new Set(
    (view.trails ?? []).flatMap((t) => [t.trail.TrailARN, t.trail.Name].filter((k): k is string => k !== undefined)),
  );
  const scpIds = new Set((view.organization?.inOrganization ? view.organization.scps : []).map((s) => s.id));
  const gaadRoles = new Set((view.details?.roles ?? []).map((r) => r.RoleName));

  for (const d of bundle.documents) {
    const origin = d.origin;
    // An empty list is an input too: it gets its line (0 read).
    ledger.read(origin, 0);
    switch (d.kind) {
      case DocumentKind.authorizationDetails: {
        const body = d.body as AuthorizationDetails;
        for (const [list, what] of [
          [body.UserDetailList, 'user'],
          [body.GroupDetailList, 'group'],
          [body.RoleDetailList, 'role'],
        ] as const) {
          for (const entity of list ?? []) {
            ledger.read(origin);
            if (!once(origin, `${what}:${entity.Arn ?? JSON.stringify(entity)}`, what)) continue;
            ledger.used(origin);
            const owner = `${what} ${(entity as { UserName?: string; GroupName?: string; RoleName?: string }).UserName ?? (entity as { GroupName?: string }).GroupName ?? (entity as { RoleName?: string }).RoleName ?? entity.Arn ?? ''}`;
            for (const attached of entity.AttachedManagedPolicies ?? []) {
              ledger.read(origin);
              if (attached.PolicyArn && catalog.managed.has(attached.PolicyArn)) ledger.used(origin);
              else
                ledger.dropped(
                  origin,
                  `managed policy ${attached.PolicyArn ?? attached.PolicyName ?? '?'} attached to ${owner} is not among the exported policies (a --filter or a missing page left it out)`,
                  GapTopic.authorizationDetails,
                );
            }
          }
        }
        for (const policy of body.Policies ?? []) {
          ledger.read(origin);
          if (!once(origin, `policy:${policy.Arn ?? JSON.stringify(policy)}`, 'managed policy')) continue;
          if (!policy.Arn || !catalog.managed.has(policy.Arn))
            ledger.dropped(
              origin,
              `managed policy ${policy.PolicyName ?? policy.Arn ?? '?'} has no default version document`,
              GapTopic.authorizationDetails,
            );
          else if (emitted.has(policy.Arn)) ledger.used(origin);
          else ledger.skipped(origin, 'AWS-managed policy attached to nothing here');
        }
        break;
      }
      case DocumentKind.credentialReport:
        ledger.read(origin, view.report?.rows.length ?? 0).used(origin, view.report?.rows.length ?? 0);
        break;
      case DocumentKind.virtualMfaDevices:
        for (const device of (d.body as VirtualMfaBody).VirtualMFADevices ?? []) {
          ledger.read(origin);
          if (device.User?.Arn) ledger.used(origin);
          else ledger.skipped(origin, 'virtual MFA device assigned to no one');
        }
        break;
      case DocumentKind.roles:
        for (const role of (d.body as RolesBody).Roles ?? []) {
          ledger.read(origin);
          if (typeof role.MaxSessionDuration !== 'number')
            ledger.skipped(origin, 'role listed without MaxSessionDuration');
          else if (gaadRoles.has(role.RoleName)) ledger.used(origin);
          else
            ledger.dropped(
              origin,
              `role ${role.RoleName ?? role.Arn ?? '?'} is not in the authorization details (export both at the same time)`,
            );
        }
        break;
      case DocumentKind.scpList:
        for (const p of (d.body as ScpListBody).Policies ?? []) {
          ledger.read(origin);
          if (p.Id && scpIds.has(p.Id)) ledger.used(origin);
          else ledger.dropped(origin, 'an SCP listed without an id', GapTopic.scp);
        }
        break;
      case DocumentKind.scpDetail: {
        ledger.read(origin);
        const id = (d.body as ScpDetailBody).Policy?.PolicySummary?.Id;
        if (id && scpIds.has(id)) ledger.used(origin);
        else ledger.dropped(origin, 'an SCP without an id, or outside an organization cloudward could read');
        break;
      }
      case DocumentKind.scpTargets: {
        const body = d.body as ScpTargetsBody;
        const targets = body.Targets ?? [];
        ledger.read(origin, targets.length);
        if (body.PolicyId && scpIds.has(body.PolicyId)) ledger.used(origin, targets.length);
        else if (targets.length > 0)
          ledger.dropped(
            origin,
            `targets of SCP ${body.PolicyId ?? '?'}, which no list-policies or describe-policy export names`,
            GapTopic.scp,
            targets.length,
          );
        break;
      }
      case DocumentKind.parents: {
        const n = (d.body as ParentsBody).Parents?.length ?? 0;
        ledger.read(origin, n).used(origin, n);
        break;
      }
      case DocumentKind.regions: {
        const n = (d.body as RegionsBody).Regions?.length ?? 0;
        ledger.read(origin, n).used(origin, n);
        break;
      }
      case DocumentKind.trails:
        for (const trail of (d.body as TrailsBody).trailList ?? []) {
          ledger.read(origin);
          if (once(origin, `trail:${trail.TrailARN ?? trail.Name ?? ''}`, 'trail')) ledger.used(origin);
        }
        break;
      case DocumentKind.trailStatus:
      case DocumentKind.eventSelectors: {
        ledger.read(origin);
        const key =
          d.kind === DocumentKind.trailStatus
            ? (d.body as TrailStatusBody).Name
            : (d.body as EventSelectorsBody).TrailARN;
        if (key && trailKeys.has(key)) ledger.used(origin);
        else
          ledger.dropped(
            origin,
            `${d.kind === DocumentKind.trailStatus ? 'status' : 'event selectors'} of trail ${key ?? '?'}, which no describe-trails export lists`,
          );
        break;
      }
      default:
        // The account summary, the password policy and errors are one item each, always used.
        ledger.read(origin).used(origin);
    }
  }
  return ledger;
}
