/**
 * What an edge rests on: the conditions the snapshot cannot decide and whether it needs an MFA-authenticated
 * session. A provider judges its own condition language (IAM condition blocks, Azure ABAC, IAM Conditions in CEL) at
 * the snapshot's time and hands the kit only what stays undecided; a condition that fails drops the edge.
 */
export interface Grant {
  /** Conditions the step rests on that the snapshot cannot decide, as the path names them. */
  conditions: string[];
  /** The step needs an MFA-authenticated (or otherwise step-up) session. */
  mfa: boolean;
}

/** A grant that rests on nothing. */
export const UNCONDITIONAL: Grant = { conditions: [], mfa: false };

/** The grant of several steps or several needs taken together: every condition, and MFA if any needs it. */
export function joinGrants(...grants: Grant[]): Grant {
  return { conditions: [...new Set(grants.flatMap((g) => g.conditions))], mfa: grants.some((g) => g.mfa) };
}

/** How much a grant rests on: undecided conditions weigh more than MFA; 0 is unconditional. */
export function grantScore(g: Grant): number {
  return g.conditions.length * 2 + (g.mfa ? 1 : 0);
}

/** The grant resting on less; the first on a tie. */
export function betterGrant(a: Grant | null, b: Grant): Grant {
  if (!a) return b;
  return grantScore(b) < grantScore(a) ? b : a;
}

/** A grant's facts as a path step carries them: only what is there. */
export function stepFacts(grant: Grant): { conditions?: string[]; mfa?: true } {
  return {
    ...(grant.conditions.length > 0 ? { conditions: grant.conditions } : {}),
    ...(grant.mfa ? { mfa: true as const } : {}),
  };
}

/**
 * When a grant is in force: an eligible or time-bound assignment, a role binding with an expiry condition. Times are
 * ISO 8601; either bound may be open.
 */
export interface Window {
  notBefore?: string;
  notAfter?: string;
}

/**
 * A window judged at the snapshot's time: `holds`, `outside` (expired or not yet begun: the edge does not count), or
 * `undecided` when the time or a bound is unknown or unreadable (the edge counts, resting on the named condition).
 */
export function judgeWindow(window: Window, at: string | undefined): 'holds' | 'outside' | 'undecided' {
  const now = at === undefined ? Number.NaN : Date.parse(at);
  const start = window.notBefore === undefined ? Number.NEGATIVE_INFINITY : Date.parse(window.notBefore);
  const end = window.notAfter === undefined ? Number.POSITIVE_INFINITY : Date.parse(window.notAfter);
  if (Number.isNaN(now) || Number.isNaN(start) || Number.isNaN(end)) return 'undecided';
  return now >= start && now < end ? 'holds' : 'outside';
}

/** The condition an undecided window adds to its edge's grant, e.g. `in force until 2026-12-01T00:00:00Z`. */
export function windowCondition(window: Window): string {
  const parts = [
    ...(window.notBefore !== undefined ? [`from ${window.notBefore}`] : []),
    ...(window.notAfter !== undefined ? [`until ${window.notAfter}`] : []),
  ];
  return `in force ${parts.join(' ') || 'at some time'}`;
}
