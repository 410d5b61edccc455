/**
 * The item ledger every normalizer keeps: for each input (a file, or an API call's responses) how many items it read,
 * used, skipped (read and of no concern to any check) and dropped (read and not placed), each set-aside with its
 * reason. Nothing read leaves without an entry: the books are closed with `accounts()`, which reports as dropped any
 * item the normalizer read and never accounted for, so a forgotten branch shows up instead of vanishing.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import type { Gap, ItemAccount, ItemReason, Source } from '../../snapshot/model.js';

interface Book {
  read: number;
  used: number;
  skipped: Map<string, number>;
  dropped: Map<string, { count: number; gap?: string }>;
}

/** The reason the ledger gives for items a normalizer read and left unaccounted (a defect, reported, never hidden). */
export const UNACCOUNTED = 'read but neither used nor set aside with a reason (report this as a cloudward defect)';

export class ItemLedger {
  private readonly books = new Map<string, Book>();

  private book(origin: string): Book {
    let book = this.books.get(origin);
    if (!book) this.books.set(origin, (book = { read: 0, used: 0, skipped: new Map(), dropped: new Map() }));
    return book;
  }

  /** Items an input holds, counted when the normalizer starts on them. */
  read(origin: string, count = 1): this {
    this.book(origin).read += count;
    return this;
  }

  /** Items that landed in the snapshot (as a resource, a setting, an assignment, a credential, or a fact on one). */
  used(origin: string, count = 1): this {
    this.book(origin).used += count;
    return this;
  }

  /** Items read and deliberately left out because no check could read them (with the reason). */
  skipped(origin: string, reason: string, count = 1): this {
    const book = this.book(origin);
    book.skipped.set(reason, (book.skipped.get(reason) ?? 0) + count);
    return this;
  }

  /**
   * Items read that could not be placed. With `gap` (a topic), the drop could change a verdict and opens that gap on
   * the source; without, it is a warning.
   */
  dropped(origin: string, reason: string, gap?: string, count = 1): this {
    const book = this.book(origin);
    const entry = book.dropped.get(reason) ?? { count: 0, ...(gap ? { gap } : {}) };
    entry.count += count;
    book.dropped.set(reason, entry);
    return this;
  }

  /** Whether anything was read from this origin (a document seen twice is counted once). */
  has(origin: string): boolean {
    return this.books.has(origin);
  }

  /** The accounts, one per input in origin order, with the books closed (read = used + skipped + dropped). */
  accounts(): ItemAccount[] {
    const out: ItemAccount[] = [];
    for (const [origin, book] of [...this.books].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const skipped = reasons([...book.skipped].map(([reason, count]) => ({ reason, count })));
      const dropped = reasons(
        [...book.dropped].map(([reason, d]) => ({ reason, count: d.count, ...(d.gap ? { gap: d.gap } : {}) })),
      );
      const settled = book.used + sum(skipped) + sum(dropped);
      let read = book.read;
      if (settled < read) dropped.push({ reason: UNACCOUNTED, count: read - settled });
      // An item used or set aside without being counted as read is counted now: read never undercounts.
      if (settled > read) read = settled;
      out.push({
        origin,
        read,
        used: book.used,
        ...(skipped.length > 0 ? { skipped } : {}),
        ...(dropped.length > 0 ? { dropped } : {}),
      });
    }
    return out;
  }

  /** The gaps the drops open: one per topic, input and reason, so a check that needs the topic turns `unknown`. */
  gaps(): Gap[] {
    const out: Gap[] = [];
    for (const account of this.accounts()) {
      for (const d of account.dropped ?? []) {
        if (d.gap) out.push({ what: d.gap, reason: `${d.count} item(s) dropped: ${d.reason}`, call: account.origin });
      }
    }
    return out;
  }

  /** Sets the accounts on a source and adds the gaps its drops open. */
  settle(source: Source): Source {
    const accounts = this.accounts();
    if (accounts.length > 0) source.items = accounts;
    source.gaps.push(...this.gaps());
    return source;
  }
}

function reasons(list: ItemReason[]): ItemReason[] {
  return list.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

function sum(list: ItemReason[]): number {
  return list.reduce((n, r) => n + r.count, 0);
}

/** Items of one input across sources (a file may feed several scopes), added up. */
export function accountsByOrigin(sources: Source[]): Map<string, ItemAccount> {
  const byOrigin = new Map<string, ItemAccount>();
  const add = (into: ItemReason[] | undefined, from: ItemReason[] | undefined): ItemReason[] | undefined => {
    if (!from?.length) return into;
    const merged = new Map((into ?? []).map((r) => [r.reason, { ...r }]));
    for (const r of from) {
      const had = merged.get(r.reason);
      if (had) had.count += r.count;
      else merged.set(r.reason, { ...r });
    }
    return reasons([...merged.values()]);
  };
  for (const source of sources) {
    for (const account of source.items ?? []) {
      const had = byOrigin.get(account.origin);
      if (!had) {
        byOrigin.set(account.origin, {
          ...account,
          ...(account.skipped ? { skipped: [...account.skipped] } : {}),
          ...(account.dropped ? { dropped: [...account.dropped] } : {}),
        });
        continue;
      }
      had.read += account.read;
      had.used += account.used;
      const skipped = add(had.skipped, account.skipped);
      const dropped = add(had.dropped, account.dropped);
      if (skipped) had.skipped = skipped;
      if (dropped) had.dropped = dropped;
    }
  }
  return byOrigin;
}

const describe = (list: ItemReason[] | undefined): string =>
  (list ?? []).map((r) => `${r.count} ${r.reason}${r.gap ? ` [gap ${r.gap}]` : ''}`).join('; ');

/** One line for an input: `file: 12 read, 10 used, 1 skipped (…), 1 dropped (…)`. */
export function itemLine(account: ItemAccount): string {
  const skipped = (account.skipped ?? []).reduce((n, r) => n + r.count, 0);
  const dropped = (account.dropped ?? []).reduce((n, r) => n + r.count, 0);
  return [
    `${account.origin}: ${account.read} read, ${account.used} used`,
    ...(skipped > 0 ? [`${skipped} skipped (${describe(account.skipped)})`] : []),
    ...(dropped > 0 ? [`${dropped} dropped (${describe(account.dropped)})`] : []),
  ].join(', ');
}

/** Every drop of a set of sources, as `origin: count reason`, for `--strict`. */
export function dropsOf(sources: Source[]): string[] {
  const out: string[] = [];
  for (const account of accountsByOrigin(sources).values())
    for (const d of account.dropped ?? []) out.push(`${account.origin}: ${d.count} ${d.reason}`);
  return out;
}

/**
 * The snapshot names each imported file relative to the folder the files share (`111111111111/iam.json`,
 * `projects.json`), so the same exports give the same snapshot wherever they lie and however they were named on the
 * command line. Origins that are not among the files (API calls, a bundle's own documents) stay as they are.
 */
export function relativeItemOrigins(sources: Source[], files: string[]): void {
  if (files.length === 0) return;
  const absolute = files.map((f) => resolve(f));
  const dirs = absolute.map((f) => dirname(f).split(sep));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => i < d.length && d[i] === dirs[0]![i]); i++) common.push(dirs[0]![i]!);
  const root = common.join(sep) || sep;
  const byGiven = new Map<string, string>();
  files.forEach((file, i) => byGiven.set(file, relative(root, absolute[i]!).split(sep).join('/')));
  const rename = (origin: string): string => byGiven.get(origin) ?? origin;
  for (const source of sources) {
    for (const account of source.items ?? []) account.origin = rename(account.origin);
    for (const gap of source.gaps) if (gap.call !== undefined && byGiven.has(gap.call)) gap.call = rename(gap.call);
    if (source.items) source.items.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  }
}
