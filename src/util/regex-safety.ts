import { UserError } from '../errors.js';

/**
 * Regular expressions that rule and check authors write (JSON Schema `pattern`) run over text an attacker chooses:
 * user agents, session names, resource names. A backtracking engine takes exponential time on a nested quantifier
 * (`(a+)+$`, `(\w*)*x`) or a backreference, so those are refused when the file loads. Patterns without them can
 * still be polynomial in the worst case, but their cost is bounded by the value's length to a fixed power.
 */

/** Why a pattern could backtrack without bound, or undefined when it has none of the shapes that do. */
export function backtrackingRisk(pattern: string): string | undefined {
  // For each open group: whether a quantifier appears inside it.
  const groups: boolean[] = [];
  let lastGroupHadQuantifier = false;
  let afterGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'a backreference';
      i++;
      afterGroup = false;
      continue;
    }
    if (c === '[') {
      // A character class: skip to its closing bracket (escapes inside count as characters).
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      afterGroup = false;
      continue;
    }
    if (c === '(') {
      groups.push(false);
      afterGroup = false;
      continue;
    }
    if (c === ')') {
      lastGroupHadQuantifier = groups.pop() ?? false;
      afterGroup = true;
      continue;
    }
    const quantifier =
      c === '*' ||
      c === '+' ||
      (c === '{' &&
        /^\{\d*,\d*\}|^\{\d+\}/.test(pattern.slice(i)) &&
        !/^\{(\d+)\}|^\{0*[01],0*1\}/.test(pattern.slice(i)));
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (quantifier) {
        if (afterGroup && lastGroupHadQuantifier) return 'a repeated group that itself repeats (nested quantifiers)';
        if (groups.length > 0) groups[groups.length - 1] = true;
      }
      if (c === '{') i = pattern.indexOf('}', i) === -1 ? i : pattern.indexOf('}', i);
      // A lazy or possessive mark after a quantifier belongs to it.
      if (pattern[i + 1] === '?') i++;
      afterGroup = false;
      continue;
    }
    afterGroup = false;
  }
  return undefined;
}

/** Every `pattern` (and `patternProperties` key) in a JSON Schema, with the path to it. */
export function schemaPatterns(
  schema: unknown,
  path: Array<string | number> = [],
): Array<{ pattern: string; path: Array<string | number> }> {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => schemaPatterns(s, [...path, i]));
  if (schema === null || typeof schema !== 'object') return [];
  const out: Array<{ pattern: string; path: Array<string | number> }> = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'pattern' && typeof value === 'string') out.push({ pattern: value, path: [...path, key] });
    else if (key === 'patternProperties' && value && typeof value === 'object') {
      for (const [p, sub] of Object.entries(value)) {
        out.push({ pattern: p, path: [...path, key, p] });
        out.push(...schemaPatterns(sub, [...path, key, p]));
      }
    } else if (key !== 'const' && key !== 'enum' && key !== 'examples' && key !== 'default')
      out.push(...schemaPatterns(value, [...path, key]));
  }
  return out;
}

/**
 * Refuses a schema whose patterns can backtrack without bound, naming the first such pattern; `where` turns its path
 * into `file:line`.
 */
export function assertLinearPatterns(
  schema: unknown,
  path: Array<string | number>,
  where: (path: Array<string | number>) => string,
): void {
  for (const found of schemaPatterns(schema, path)) {
    const risk = backtrackingRisk(found.pattern);
    if (risk) {
      throw new UserError(
        `pattern ${JSON.stringify(found.pattern)} can backtrack without bound (${risk}) on text an attacker chooses`,
        {
          where: where(found.path),
          hint: 'repeat a group only when nothing inside it repeats, e.g. `^Create\\w*$` for `^(Create\\w*)+$`, and use no backreference',
        },
      );
    }
  }
}
