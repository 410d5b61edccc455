import type { ErrorObject } from 'ajv';
import { pointerSegments } from '../util/json-pointer.js';

/**
 * Which of a failed `require`'s errors its evidence should name when alternatives failed. ajv (allErrors) reports
 * every branch of a failed `anyOf`/`oneOf` and every item a failed `contains` tried: a root user used yesterday
 * was reported as "must be null" and "must be at least 7 days old", an audited ASR rule beside every other rule's
 * "id must be ...". Only the alternative that got furthest explains the failure: the one whose first failing keyword
 * comes latest in the schema (it passed the most of its own tests before failing). Alternatives that got as far as
 * one another are all kept, except a `contains`'s items: then no item is singled out, and the `contains` error names
 * the array. Verdicts never depend on this: it only picks what the evidence shows.
 */
export function hiddenAlternativeErrors(schema: unknown, errors: readonly ErrorObject[]): Set<ErrorObject> | undefined {
  let hidden: Set<ErrorObject> | undefined;
  for (const alternative of errors) {
    const keyword = alternative.keyword;
    if (keyword !== 'anyOf' && keyword !== 'oneOf' && keyword !== 'contains') continue;
    const prefix = `${alternative.schemaPath}/`;
    const at = alternative.instancePath;
    const depth = schemaSegments(alternative.schemaPath).length;
    // Each branch's errors, with the schema position of its first failing keyword.
    const branches = new Map<string, { errors: ErrorObject[]; first: number[] }>();
    for (const e of errors) {
      if (
        e === alternative ||
        !e.schemaPath.startsWith(prefix) ||
        !(e.instancePath === at || e.instancePath.startsWith(`${at}/`))
      )
        continue;
      const key =
        keyword === 'contains'
          ? String(pointerSegments(e.instancePath.slice(at.length))[0] ?? '')
          : String(schemaSegments(e.schemaPath)[depth] ?? '');
      // Positions after the branch's own index (anyOf/oneOf): branches compare on how far into their schema they got.
      const position = schemaRank(schema, schemaSegments(e.schemaPath)).slice(
        keyword === 'contains' ? depth : depth + 1,
      );
      const branch = branches.get(key);
      if (!branch) branches.set(key, { errors: [e], first: position });
      else {
        branch.errors.push(e);
        if (compareRanks(position, branch.first) < 0) branch.first = position;
      }
    }
    if (branches.size < 2) continue;
    let furthest: number[] | undefined;
    for (const branch of branches.values())
      if (!furthest || compareRanks(branch.first, furthest) > 0) furthest = branch.first;
    const leaders = [...branches.values()].filter((b) => compareRanks(b.first, furthest!) === 0);
    const keep = keyword === 'contains' && leaders.length > 1 ? [] : leaders;
    for (const branch of branches.values()) {
      if (keep.includes(branch)) continue;
      hidden ??= new Set();
      for (const e of branch.errors) hidden.add(e);
    }
  }
  return hidden;
}

/** The segments of an ajv schemaPath (`#/properties/a%20b/anyOf/0`), unescaped. */
function schemaSegments(schemaPath: string): Array<string | number> {
  return pointerSegments(schemaPath.replace(/^#/, '')).map((s) => {
    if (typeof s !== 'string' || !s.includes('%')) return s;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

/** Where a schema path lies in the schema's own order: each step's index among its parent's keys or items. */
function schemaRank(schema: unknown, segments: ReadonlyArray<string | number>): number[] {
  const rank: number[] = [];
  let node = schema;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') break;
    const index = Array.isArray(node) ? Number(segment) : Object.keys(node).indexOf(String(segment));
    if (index < 0) break;
    rank.push(index);
    node = (node as Record<string, unknown>)[segment];
  }
  return rank;
}

/** Lexicographic order of two ranks; a deeper position after an equal prefix is further. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
