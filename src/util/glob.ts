/**
 * Wildcard patterns (`*`, and `?` where the dialect has it) matched without a backtracking regular expression.
 *
 * Policy documents, plans and rule files are outside input: a pattern such as `iam:*************Z` compiled to
 * `^iam:.*.*…Z$` makes a backtracking engine try every split of the value among the stars, which takes minutes.
 * Here runs of `*` merge into one, the text between stars is searched leftmost-first, and the search never goes
 * back: leftmost is always right for a glob, because a later piece can start anywhere after an earlier one.
 * Each starting position of a piece is tried once, so the work is at most (value length + 1) x (pattern length + 1)
 * character comparisons, and about the value's length for ordinary patterns.
 */

/** How a dialect reads its patterns. */
export interface GlobOptions {
  /** Letters compare as a regular expression's `i` flag (without `u`) compares them. */
  ignoreCase?: boolean;
  /** `?` matches exactly one character (AWS, sshd); without it `?` is a literal (Azure, AppLocker). */
  questionMark?: boolean;
  /** A character no wildcard matches (sshd's `/`): pattern and value then match piece by piece between them. */
  separator?: string;
}

/** Counts character comparisons, so tests can bound the work a match does without timing it. */
interface GlobSteps {
  steps: number;
}

/**
 * Every comparison any match made since the process started, unless the caller passed a counter of its own: lets a
 * test bound the matching work of a whole import or audit run (cheap: one addition per comparison).
 */
export const globWork: GlobSteps = { steps: 0 };

/** A compiled pattern; `test` has RegExp's shape so callers can hold either. */
export interface Glob {
  test(value: string, counter?: GlobSteps): boolean;
}

/** A pattern code unit that matches any one code unit (`?`). */
const ANY = -1;

let upperTable: Uint16Array | undefined;

/** ECMAScript's Canonicalize for a non-unicode `i` regular expression, for every UTF-16 code unit at once. */
function caseTable(): Uint16Array {
  if (upperTable) return upperTable;
  const table = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const upper = String.fromCharCode(c).toUpperCase();
    const u = upper.length === 1 ? upper.charCodeAt(0) : c;
    table[c] = c >= 128 && u < 128 ? c : u;
  }
  upperTable = table;
  return table;
}

/** A pattern with no `*` in it, as code units (ANY for `?`). */
type Piece = Int32Array;

interface Starred {
  /** Before the first star: must match at the start. */
  head: Piece;
  /** Between stars, empty ones dropped (runs of `*` merged). */
  middle: Piece[];
  /** After the last star: must match at the end. */
  tail: Piece;
}

function toPiece(text: string, options: GlobOptions, table: Uint16Array | undefined): Piece {
  const piece = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    piece[i] = options.questionMark && c === 63 ? ANY : table ? table[c]! : c;
  }
  return piece;
}

/** Whether `piece` matches `value` at `at` (the caller has checked that it fits). */
function pieceAt(
  piece: Piece,
  value: string,
  at: number,
  table: Uint16Array | undefined,
  counter: GlobSteps = globWork,
): boolean {
  for (let i = 0; i < piece.length; i++) {
    counter.steps++;
    const p = piece[i]!;
    if (p === ANY) continue;
    const c = value.charCodeAt(at + i);
    if ((table ? table[c]! : c) !== p) return false;
  }
  return true;
}

/** A pattern without separators: one piece when it has no star, else head, middle pieces and tail. */
function compileSimple(pattern: string, options: GlobOptions, table: Uint16Array | undefined): Glob {
  const parts = pattern.split('*');
  if (parts.length === 1) {
    const whole = toPiece(pattern, options, table);
    return { test: (value, counter) => value.length === whole.length && pieceAt(whole, value, 0, table, counter) };
  }
  const starred: Starred = {
    head: toPiece(parts[0]!, options, table),
    middle: parts
      .slice(1, -1)
      .filter((p) => p !== '')
      .map((p) => toPiece(p, options, table)),
    tail: toPiece(parts[parts.length - 1]!, options, table),
  };
  return { test: (value, counter) => matchStarred(starred, value, table, counter) };
}

function matchStarred(
  { head, middle, tail }: Starred,
  value: string,
  table: Uint16Array | undefined,
  counter: GlobSteps | undefined,
): boolean {
  const end = value.length - tail.length;
  if (end < head.length) return false;
  if (!pieceAt(head, value, 0, table, counter) || !pieceAt(tail, value, end, table, counter)) return false;
  let at = head.length;
  for (const piece of middle) {
    // Leftmost occurrence only: whatever a later start would leave for the rest, an earlier one leaves more.
    let found = -1;
    for (let start = at; start + piece.length <= end; start++) {
      if (pieceAt(piece, value, start, table, counter)) {
        found = start;
        break;
      }
    }
    if (found === -1) return false;
    at = found + piece.length;
  }
  return true;
}

/** Compiles a wildcard pattern; matching a value costs at most (value length + 1) x (pattern length + 1) steps. */
export function compileGlob(pattern: string, options: GlobOptions = {}): Glob {
  const table = options.ignoreCase ? caseTable() : undefined;
  const { separator } = options;
  if (separator === undefined || !pattern.includes(separator)) {
    const simple = compileSimple(pattern, options, table);
    if (separator === undefined) return simple;
    return { test: (value, counter) => !value.includes(separator) && simple.test(value, counter) };
  }
  const pieces = pattern.split(separator).map((p) => compileSimple(p, options, table));
  return {
    test(value, counter) {
      const parts = value.split(separator);
      return parts.length === pieces.length && pieces.every((piece, i) => piece.test(parts[i]!, counter));
    },
  };
}

const cache = new Map<string, Glob>();

/** `compileGlob` with the compiled patterns kept (bounded), for callers that match one pattern many times. */
export function globMatch(pattern: string, value: string, options: GlobOptions = {}, counter?: GlobSteps): boolean {
  const key = `${options.ignoreCase ? 'i' : 's'}${options.questionMark ? '?' : '-'}${options.separator ?? ''}\u0000${pattern}`;
  let glob = cache.get(key);
  if (!glob) {
    glob = compileGlob(pattern, options);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, glob);
  }
  return glob.test(value, counter);
}
