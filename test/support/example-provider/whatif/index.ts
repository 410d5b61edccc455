/**
 * The Demo Cloud projector (`audit --plan`): applies a plan's `demo_user_role` and `demo_project_audit_config` changes
 * to copies of the raw documents `collect demo --raw-out` wrote, for `normalizeDemo` to normalize. The adapter loads
 * it only when a plan is projected.
 */
import { listChanges } from '../../../../src/providers/whatif/changes.js';
import type { Plan, PlanChange } from '../../../../src/providers/whatif/plan.js';
import { ownDocuments } from '../../../../src/providers/whatif/raw.js';
import type { Projection, Projector } from '../../../../src/providers/whatif/types.js';
import type { RawBundle } from '../../../../src/providers/types.js';
import { demoBundlesOf, recognizeDemoFile } from '../import.js';
import { DemoContext } from './context.js';
import { projectAuditConfig, projectUserRole } from './handlers.js';

const HANDLERS: Record<string, (ctx: DemoContext, change: PlanChange) => void> = {
  demo_user_role: projectUserRole,
  demo_project_audit_config: projectAuditConfig,
};

/** Types not projected that can still change who may do what: their project's results are left open. */
const POSTURE_TYPES = new Set(['demo_role', 'demo_user']);

/** The scopes a change not projected leaves open: its project when the plan names one the snapshot covers, else all of Demo Cloud. */
function openScopes(change: PlanChange, snapshotScopes: Set<string>): string[] {
  const project = (change.after ?? change.before)?.project;
  return typeof project === 'string' && snapshotScopes.has(project) ? [DemoContext.scopeOf(project)] : ['demo'];
}

export const demoProjector: Projector = {
  owns: (type) => type.startsWith('demo_'),
  supports: (type) => type in HANDLERS,
  touchesPosture: (type) => type in HANDLERS || POSTURE_TYPES.has(type),
  project(plan: Plan, changes: PlanChange[], bundles: RawBundle[], snapshotScopes: Set<string>): Projection {
    const ctx = new DemoContext(plan, bundles, snapshotScopes);
    const notes = listChanges(changes, ctx, {
      provider: 'demo',
      applies: (change) => change.type in HANDLERS && change.mode === 'managed',
      // Removals first, so a role moved from one binding to another is held after the apply.
      order: (change) => (change.action === 'delete' ? 0 : 1),
      apply(change, note) {
        HANDLERS[change.type]!(ctx, change);
        const scope = ctx.landed.get(change.address);
        if (scope) note.scope = scope;
      },
      touchesPosture: (change) => POSTURE_TYPES.has(change.type),
      openScopes: (change) => openScopes(change, snapshotScopes),
    });
    return {
      bundles: ctx.touched,
      notes,
      gaps: ctx.gaps,
      effects: (part) => {
        const present = new Set([...part.principals, ...part.controls].map((r) => r.uid));
        return [...ctx.touches].map(([address, uids]) => ({ address, uids: uids.filter((uid) => present.has(uid)) }));
      },
    };
  },
  readRaw: async (paths) =>
    demoBundlesOf((await ownDocuments(paths, 'raw document', recognizeDemoFile)).map((f) => f.document)),
};
