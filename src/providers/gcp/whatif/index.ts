/**
 * The Google Cloud projector: applies a plan's allow-policy, custom-role, service-account, key and org-policy changes
 * to each organization's raw documents (the ones `collect gcp --raw-out` writes and `import gcp` reads), so the GCP
 * normalizer can run on them.
 */
import { dirname } from 'node:path';
import { UserError } from '../../../errors.js';
import { DocumentKind } from '../documents.js';
import { estateOf, gcpBundleOf } from '../import.js';
import { recognizeDocuments } from '../recognize.js';
import type { RawBundle, RawDocument } from '../../types.js';
import { readInputText } from '../../../util/files.js';
import type { SnapshotPart, Source } from '../../../snapshot/model.js';
import { listChanges } from '../../whatif/changes.js';
import type { Plan, PlanChange } from '../../whatif/plan.js';
import type { ChangeEffect, Projection, Projector } from '../../whatif/types.js';
import { GcpContext, memberKey, scopeOf, type Touch } from './context.js';
import { projectAuditConfig, projectBinding, projectMember, projectPolicy, type Level } from './iam.js';
import { projectCustomRole, projectOrgPolicy, projectServiceAccount, projectServiceAccountKey } from './resources.js';

type Handler = (ctx: GcpContext, change: PlanChange) => boolean | void;

/**
 * The supported types and their apply order: accounts, roles and org policies first; then whole policies, then role
 * bindings, then single members, keys and audit configs (authoritative before additive). Deletes go last, in reverse.
 */
const HANDLERS: Record<string, { phase: 0 | 1 | 2 | 3; handle: Handler }> = {
  google_service_account: { phase: 0, handle: projectServiceAccount },
  google_project_iam_custom_role: { phase: 0, handle: (c, ch) => projectCustomRole(c, ch, 'project') },
  google_organization_iam_custom_role: { phase: 0, handle: (c, ch) => projectCustomRole(c, ch, 'organization') },
  google_org_policy_policy: { phase: 0, handle: projectOrgPolicy },
  google_service_account_key: { phase: 3, handle: projectServiceAccountKey },
};
const LEVELS: Record<string, Level> = {
  organization: 'organization',
  folder: 'folder',
  project: 'project',
  service_account: 'service_account',
  storage_bucket: 'bucket',
};
for (const [prefix, level] of Object.entries(LEVELS)) {
  HANDLERS[`google_${prefix}_iam_policy`] = { phase: 1, handle: (c, ch) => projectPolicy(c, ch, level) };
  HANDLERS[`google_${prefix}_iam_binding`] = { phase: 2, handle: (c, ch) => projectBinding(c, ch, level) };
  HANDLERS[`google_${prefix}_iam_member`] = { phase: 3, handle: (c, ch) => projectMember(c, ch, level) };
  if (level !== 'service_account' && level !== 'bucket')
    HANDLERS[`google_${prefix}_iam_audit_config`] = { phase: 3, handle: (c, ch) => projectAuditConfig(c, ch, level) };
}

export const GCP_PROJECTED_TYPES = Object.keys(HANDLERS).sort();

/** Types that are not projected but can change who can do what (resource-level IAM, legacy org policies, pools). */
const POSTURE_TYPES =
  /^google_(.*_iam_(member|binding|policy|custom_role|audit_config|member_remove)|service_account_iam_|organization_policy|project_organization_policy|folder_organization_policy|iam_|org_policy_custom_constraint|privileged_access_manager_)/;

function orderOf(change: PlanChange): number {
  const phase = HANDLERS[change.type]!.phase;
  return change.action === 'delete' ? 7 - phase : phase;
}

/** The snapshot scope a type this projector does not apply lands in, when its values say; otherwise the whole provider. */
function scopesOfUnsupported(ctx: GcpContext, change: PlanChange): string[] {
  const values = change.after ?? change.before ?? {};
  const iam = /_iam_(member|binding|policy)/.test(change.type);
  if (ctx.bundles.length === 0) {
    // No supported change needed the raw documents: the snapshot's own scopes, or all of Google.
    const project = typeof values.project === 'string' ? values.project.replace(/^projects\//, '') : '';
    return !iam && ctx.snapshotScopes.has(project) ? [scopeOf('project', project)] : ['gcp'];
  }
  if (typeof values.project === 'string' && values.project !== '') {
    const target = ctx.project(change, values.project);
    // A grant on a resource reaches its members, who are principals of the organization: all of it is left open.
    return iam ? ctx.bundleScopes(target.docs) : [target.scope];
  }
  if (typeof values.org_id === 'string' && values.org_id !== '')
    return ctx.bundleScopes(ctx.organization(change, values.org_id).docs);
  if (typeof values.folder === 'string' && values.folder !== '')
    return ctx.bundleScopes(ctx.folder(change, values.folder).docs);
  return ['gcp'];
}

function add(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function effectsOf(touches: Map<string, Touch[]>, part: SnapshotPart): ChangeEffect[] {
  const byMember = new Map<string, string[]>();
  const holders = new Map<string, string[]>();
  for (const p of part.principals) {
    const key = /^gcp:[^:]+:(.+)$/.exec(p.uid)?.[1];
    if (key) add(byMember, key, p.uid);
    for (const a of p.assignments ?? []) add(holders, a.role, p.uid);
  }
  const rolesByName = new Map<string, string[]>();
  for (const r of part.roles) if (r.nativeId) add(rolesByName, r.nativeId, r.uid);
  // Org-policy controls by resource and constraint; audit-config controls by every node their config is set on.
  const orgPolicies = new Map<string, string[]>();
  const audits = new Map<string, string[]>();
  for (const c of part.controls) {
    if (c.type === 'org-policy')
      add(orgPolicies, `${String(c.settings.resource)}/${String(c.settings.constraint)}`, c.uid);
    if (c.type === 'audit-logging')
      for (const node of (c.settings.setOn as string[] | undefined) ?? []) add(audits, node, c.uid);
  }
  const out: ChangeEffect[] = [];
  for (const [address, list] of touches) {
    const uids = new Set<string>();
    for (const t of list) {
      if (t.kind === 'member') for (const uid of byMember.get(memberKey(t.member)) ?? []) uids.add(uid);
      else if (t.kind === 'role') {
        for (const uid of rolesByName.get(t.name) ?? []) {
          uids.add(uid);
          if (t.holders) for (const h of holders.get(uid) ?? []) uids.add(h);
        }
      } else if (t.kind === 'orgPolicy') {
        for (const uid of orgPolicies.get(`${t.resource}/${t.constraint}`) ?? []) uids.add(uid);
      } else if (t.kind === 'audit') {
        for (const uid of audits.get(t.resource) ?? []) uids.add(uid);
      } else uids.add(t.key);
    }
    out.push({ address, uids: [...uids] });
  }
  return out;
}

/** A file's Google Cloud documents, or the error that says it holds none (another provider's file, or a bad one). */
async function gcpDocumentsOf(file: string): Promise<RawDocument[] | UserError> {
  try {
    return recognizeDocuments(await readInputText(file, 'raw document'), file);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

/**
 * Reads the GCP raw documents among the `--raw` files, as `import gcp` does: the files of each folder that
 * `collect gcp --raw-out` wrote (with its note) are one bundle, the other GCP files one more. Exports carry no date;
 * where no note gives it, the date is the snapshot's own for that organization.
 */
export async function readGcpRaw(paths: string[], sources: Source[] = []): Promise<RawBundle[]> {
  const byFile = new Map<string, RawDocument[]>();
  const refused = new Map<string, UserError>();
  for (const file of paths) {
    const documents = await gcpDocumentsOf(file);
    if (documents instanceof UserError) refused.set(file, documents);
    else if (documents.length > 0) byFile.set(file, documents);
  }
  const noted = new Set(
    [...byFile]
      .filter(([, documents]) => documents.some((d) => d.kind === DocumentKind.collection))
      .map(([file]) => dirname(file)),
  );
  // Other providers' files are left to their projectors; in a folder `collect gcp --raw-out` wrote, a bad file is an error.
  for (const [file, error] of refused) if (noted.has(dirname(file))) throw error;
  const groups = new Map<string, { files: number; documents: RawDocument[] }>();
  for (const [file, documents] of byFile) {
    const group = noted.has(dirname(file)) ? dirname(file) : '';
    const entry = groups.get(group) ?? groups.set(group, { files: 0, documents: [] }).get(group)!;
    entry.files++;
    entry.documents.push(...documents);
  }
  const gcpSources = sources.filter((s) => s.provider === 'gcp');
  // A snapshot of one project without an organization: its exports name no organization either.
  const lone =
    gcpSources.length === 1 && gcpSources[0]!.scope.kind === 'project' ? { project: gcpSources[0]!.scope.id } : {};
  const progress = { status: () => {}, warn: () => {} };
  const bundles: RawBundle[] = [];
  for (const [group, { files, documents }] of groups) {
    if (group !== '') {
      bundles.push(gcpBundleOf(documents, files, { options: {}, progress }));
      continue;
    }
    // No note: the organization the files describe, read at the time the snapshot says (one the snapshot does not
    // cover is refused by the caller, naming it).
    const scope = estateOf(documents, lone);
    const own = gcpSources.find((s) => s.scope.kind === scope.kind && s.scope.id === scope.id);
    bundles.push(
      gcpBundleOf(documents, files, {
        options: lone,
        collectedAt: own?.collectedAt ?? new Date(0).toISOString(),
        progress,
      }),
    );
  }
  return bundles;
}

export const gcpProjector: Projector = {
  owns: (type) => /^google(_beta)?_/.test(type),
  touchesPosture: (type) => type in HANDLERS || POSTURE_TYPES.test(type),
  supports: (type) => type in HANDLERS,
  project(plan: Plan, changes: PlanChange[], bundles: RawBundle[], snapshotScopes: Set<string>): Projection {
    const ctx = new GcpContext(plan, bundles, snapshotScopes);
    const notes = listChanges(changes, ctx, {
      provider: 'gcp',
      applies: (change) => change.type in HANDLERS && change.mode === 'managed',
      order: orderOf,
      apply(change, note) {
        if (bundles.length === 0)
          throw new UserError(`no raw documents of Google Cloud, which ${change.address} changes`, {
            where: '--raw',
            hint: 'pass the raw documents the snapshot was made from: the folder `cloudward collect gcp --raw-out` wrote, or the gcloud exports `import gcp` read',
          });
        const handled = HANDLERS[change.type]!.handle(ctx, change);
        const scope = ctx.landed.get(change.address);
        if (scope) note.scope = scope;
        if (handled === false) {
          note.outcome = 'not-projected';
          note.reason = 'cloudward reads only the org-policy constraints on service-account keys and allowed members';
        }
      },
      touchesPosture: (change) => POSTURE_TYPES.test(change.type),
      openScopes: (change) => scopesOfUnsupported(ctx, change),
    });
    const touched = ctx.bundles.filter((d) => d.touched).map((d) => d.toBundle());
    return { bundles: touched, notes, gaps: ctx.gaps, effects: (part) => effectsOf(ctx.touches, part) };
  },
  readRaw: readGcpRaw,
};
