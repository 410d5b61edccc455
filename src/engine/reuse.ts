/**
 * The results of the projected tenant, made from those of the snapshot as it is wherever they cannot differ, so that
 * a plan touching a few resources of a large scope does not have the whole scope evaluated again.
 *
 * Why reuse is exact: evaluation judges a resource from the resource alone and its scope's source (reference time and
 * collection gaps); only a `scopes` check looks further, counting the resources of its scope. The projection keeps
 * every source as it was. So a resource of the same kind and uid whose JSON is the same (keys in the same order, since
 * evidence shows values as they are) gets the same results, and so does every resource of a scope the plan did not
 * project. What is evaluated again: resources the projection added or changed, every `scopes` check of a projected
 * scope, and resources named in `again`.
 */
import { evaluate, EvaluationContext } from './evaluate.js';
import type { Check, ResourceKind, Result } from './types.js';
import { scopeKey, type Snapshot } from '../snapshot/model.js';

type Kind = Exclude<ResourceKind, 'scopes'>;
const KINDS: Kind[] = ['principals', 'roles', 'controls', 'hosts'];
type Scoped = { uid: string; provider: string; scope: Snapshot['sources'][number]['scope'] };

/** The part of a snapshot in the given scopes (sources and resources). */
function scopesOf(
  snapshot: Snapshot,
  keys: Set<string>,
  isIn = (provider: string, scope: Scoped['scope']) => keys.has(scopeKey(provider, scope)),
): Snapshot {
  const inScope = <T extends { provider: string; scope: Snapshot['sources'][number]['scope'] }>(list: T[]) =>
    list.filter((r) => isIn(r.provider, r.scope));
  return {
    ...snapshot,
    sources: inScope(snapshot.sources),
    principals: inScope(snapshot.principals),
    roles: inScope(snapshot.roles),
    controls: inScope(snapshot.controls),
    hosts: inScope(snapshot.hosts),
  };
}

function plain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Whether two values are the same JSON with keys in the same order. Anything that is not a JSON value (a Date, a
 * Map, NaN) counts as different: a difference only costs an evaluation, a false sameness a wrong result.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !plain(a) || !plain(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i]!;
    if (key !== keysB[i] || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
      return false;
  }
  return true;
}

interface ProjectedResultsInput {
  /** The snapshot as it is, and the results evaluated on it with these checks. */
  before: Snapshot;
  results: Result[];
  /** The projected snapshot: `before` with the resources of `projectedScopes` replaced. */
  after: Snapshot;
  projectedScopes: string[];
  checks: Check[];
  /** Uids of resources (not scopes) to evaluate again even where their results could be reused. */
  again?: ReadonlySet<string>;
  /** Evidence of passes, for what is evaluated again. */
  passEvidence: boolean;
  /** Evidence of any result, for what is evaluated again (false where no output shows evidence). */
  evidence?: boolean;
}

/** The results of `after` with these checks: as a full evaluation would give them, in another order. */
export function projectedResults(input: ProjectedResultsInput): Result[] {
  const projected = new Set(input.projectedScopes);
  // Most resources are outside the projected scopes: their scope id rules them out without building a key. A projected
  // scope no source names (so no id known for it) turns that shortcut off.
  const ids = new Set<string>();
  for (const s of input.after.sources) if (projected.has(scopeKey(s.provider, s.scope))) ids.add(s.scope.id);
  const exact = ids.size === projected.size;
  const isProjected = (provider: string, scope: Scoped['scope']): boolean =>
    (!exact || ids.has(scope.id)) && projected.has(scopeKey(provider, scope));
  const again = input.again ?? new Set<string>();
  const previous = new Map<Kind, Map<string, unknown>>(KINDS.map((kind) => [kind, new Map()]));
  for (const kind of KINDS) {
    const byUid = previous.get(kind)!;
    for (const r of input.before[kind] as Scoped[]) if (isProjected(r.provider, r.scope)) byUid.set(r.uid, r);
  }
  const kept = new Map<Kind, Set<string>>(KINDS.map((kind) => [kind, new Set()]));
  const fresh: Record<Kind, Scoped[]> = { principals: [], roles: [], controls: [], hosts: [] };
  for (const kind of KINDS) {
    const byUid = previous.get(kind)!;
    const same = kept.get(kind)!;
    for (const r of input.after[kind] as Scoped[]) {
      if (!isProjected(r.provider, r.scope)) {
        if (again.has(r.uid)) fresh[kind].push(r);
      } else if (!again.has(r.uid) && byUid.has(r.uid) && sameJson(byUid.get(r.uid), r)) same.add(r.uid);
      else fresh[kind].push(r);
    }
  }
  // A resource's results share one subject object: each is decided once.
  const decided = new Map<object, boolean>();
  const reused = input.results.filter((r) => {
    let keep = decided.get(r.resource);
    if (keep === undefined) {
      const { kind, uid } = r.resource;
      const inProjected = isProjected(r.resource.provider, r.resource.scope);
      keep = kind === 'scopes' ? !inProjected : inProjected ? kept.get(kind)!.has(uid) : !again.has(uid);
      decided.set(r.resource, keep);
    }
    return keep;
  });
  const resourceChecks = input.checks.filter((c) => c.resource !== 'scopes');
  const scopeChecks = input.checks.filter((c) => c.resource === 'scopes');
  const changed = { ...input.after, ...(fresh as unknown as Pick<Snapshot, Kind>) };
  return [
    ...reused,
    // Messages name roles by the whole snapshot's roles, not only those the plan changed.
    ...evaluate(changed, resourceChecks, new EvaluationContext(changed, input.after), {
      passEvidence: input.passEvidence,
      evidence: input.evidence ?? true,
    }),
    ...(projected.size > 0 ? evaluate(scopesOf(input.after, projected, isProjected), scopeChecks) : []),
  ];
}
