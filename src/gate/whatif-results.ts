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
import { evaluate } from '../engine/evaluate.js';
import type { Check, ResourceKind, Result } from '../engine/types.js';
import { scopeKey, type Snapshot } from '../snapshot/model.js';

type Kind = Exclude<ResourceKind, 'scopes'>;
const KINDS: Kind[] = ['principals', 'roles', 'controls', 'hosts'];
type Scoped = { uid: string; provider: string; scope: Snapshot['sources'][number]['scope'] };

/** The part of a snapshot in the given scopes (sources and resources). */
export function scopesOf(snapshot: Snapshot, keys: Set<string>): Snapshot {
  const inScope = <T extends { provider: string; scope: Snapshot['sources'][number]['scope'] }>(list: T[]) => list.filter((r) => keys.has(scopeKey(r.provider, r.scope)));
  return { ...snapshot, sources: inScope(snapshot.sources), principals: inScope(snapshot.principals), roles: inScope(snapshot.roles), controls: inScope(snapshot.controls), hosts: inScope(snapshot.hosts) };
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
    if (key !== keysB[i] || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

export interface ProjectedResultsInput {
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
}

/** The results of `after` with these checks: as a full evaluation would give them, in another order. */
export function projectedResults(input: ProjectedResultsInput): Result[] {
  const projected = new Set(input.projectedScopes);
  const again = input.again ?? new Set<string>();
  const kindUid = (kind: string, uid: string) => `${kind}\u0000${uid}`;
  const previous = new Map<string, unknown>();
  for (const kind of KINDS) {
    for (const r of input.before[kind] as Scoped[]) if (projected.has(scopeKey(r.provider, r.scope))) previous.set(kindUid(kind, r.uid), r);
  }
  const kept = new Set<string>();
  const fresh: Record<Kind, Scoped[]> = { principals: [], roles: [], controls: [], hosts: [] };
  for (const kind of KINDS) {
    for (const r of input.after[kind] as Scoped[]) {
      if (!projected.has(scopeKey(r.provider, r.scope))) {
        if (again.has(r.uid)) fresh[kind].push(r);
        continue;
      }
      const key = kindUid(kind, r.uid);
      if (!again.has(r.uid) && previous.has(key) && sameJson(previous.get(key), r)) kept.add(key);
      else fresh[kind].push(r);
    }
  }
  const reused = input.results.filter((r) => {
    const { kind, uid } = r.resource;
    const inProjected = projected.has(scopeKey(r.resource.provider, r.resource.scope));
    if (kind === 'scopes') return !inProjected;
    return inProjected ? kept.has(kindUid(kind, uid)) : !again.has(uid);
  });
  const resourceChecks = input.checks.filter((c) => c.resource !== 'scopes');
  const scopeChecks = input.checks.filter((c) => c.resource === 'scopes');
  const changed = { ...input.after, ...(fresh as unknown as Pick<Snapshot, Kind>) };
  return [
    ...reused,
    ...evaluate(changed, resourceChecks, undefined, { passEvidence: input.passEvidence }),
    ...(projected.size > 0 ? evaluate(scopesOf(input.after, projected), scopeChecks) : []),
  ];
}
