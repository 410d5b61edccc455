/**
 * ARNs sorted once and looked up by IAM resource patterns: a pattern's literal prefix (up to its first `*` or `?`)
 * is found by binary search, and only the ARNs sharing it are tested, so `role/team-3-*` never scans an account.
 */
import { wildcardMatch } from './policy-document.js';

export class ArnIndex<T> {
  private readonly arns: string[];
  private readonly values: T[];

  constructor(entries: Iterable<readonly [string, T]>) {
    const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.arns = sorted.map((e) => e[0]);
    this.values = sorted.map((e) => e[1]);
  }

  /**
   * The values whose ARN the pattern matches (case-sensitive, as resource ARNs compare). With `limit`: null once more
   * than `limit` ARNs share the pattern's prefix, so a caller can give up on listing a pattern that names too many.
   */
  match(pattern: string, limit = Infinity): T[] | null {
    const wild = pattern.search(/[*?]/);
    const prefix = wild === -1 ? pattern : pattern.slice(0, wild);
    let low = 0;
    let high = this.arns.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.arns[mid]! < prefix) low = mid + 1;
      else high = mid;
    }
    const found: T[] = [];
    for (let k = low; k < this.arns.length; k++) {
      const arn = this.arns[k]!;
      if (!arn.startsWith(prefix)) break;
      if (k - low >= limit) return null;
      if (wild === -1 ? arn === pattern : wildcardMatch(pattern, arn, false)) found.push(this.values[k]!);
    }
    return found;
  }
}
