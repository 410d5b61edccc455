/**
 * How every projector lists a plan's changes of its provider: the changes it projects, in apply order, and each one's
 * outcome; a change that turned out unknown (a gap names it) is listed so; every other change of the provider is
 * listed too, and one that can change posture leaves the scopes it lands in open. Projectors differ only in how they
 * apply a change and where an unprojected change lands.
 */
import type { PlanChange } from './plan.js';
import type { PlanValues } from './plan-values.js';
import type { ChangeNote } from './types.js';

export interface ChangeLister {
  provider: string;
  /** Whether the change is one the projector applies (a managed resource of a type it handles). */
  applies(change: PlanChange): boolean;
  /** Its place in apply order (lower first; ties keep the plan's order). */
  order(change: PlanChange): number;
  /** Applies a change (neither no-op nor read) and records on its note the scope it lands in and what it did. */
  apply(change: PlanChange, note: ChangeNote): void;
  /** Whether a change the projector does not apply can change M1026/M1038 posture. */
  touchesPosture(change: PlanChange): boolean;
  /** The scope keys such a change leaves open, or the provider's name when it can land anywhere in the provider. */
  openScopes(change: PlanChange): string[];
}

export function listChanges(changes: PlanChange[], ctx: PlanValues<unknown>, lister: ChangeLister): ChangeNote[] {
  const ordered = changes
    .filter((c) => lister.applies(c))
    .map((change, i) => ({ change, i, order: lister.order(change) }))
    .sort((a, b) => a.order - b.order || a.i - b.i);
  const noteOf = new Map<string, ChangeNote>();
  for (const { change } of ordered) {
    const note: ChangeNote = {
      address: change.address,
      type: change.type,
      action: change.action,
      outcome: 'projected',
    };
    noteOf.set(change.address, note);
    if (change.action === 'no-op' || change.action === 'read') note.outcome = 'no-op';
    else lister.apply(change, note);
  }
  for (const gap of ctx.gaps) {
    const note = noteOf.get(gap.address);
    if (note && note.outcome === 'projected') {
      note.outcome = 'unknown';
      note.reason = gap.attribute ? `${gap.attribute}: ${gap.reason}` : gap.reason;
    }
  }
  const notes = ordered.map(({ change }) => noteOf.get(change.address)!);
  for (const change of changes) {
    if (lister.applies(change)) continue;
    const inert = change.action === 'no-op' || change.action === 'read' || change.mode === 'data';
    const posture = !inert && lister.touchesPosture(change);
    const note: ChangeNote = {
      address: change.address,
      type: change.type,
      action: change.action,
      outcome: inert ? 'no-op' : posture ? 'unknown' : 'not-projected',
    };
    if (posture) {
      const scopes = lister.openScopes(change);
      if (scopes.length > 0 && scopes[0] !== lister.provider) note.scope = scopes[0]!;
      note.reason = `projection for ${change.type} not supported`;
      ctx.gap(change, note.reason, undefined, scopes);
    } else if (!inert) {
      note.reason = `${change.type} does not change M1026/M1038 posture`;
    }
    notes.push(note);
  }
  return notes;
}
