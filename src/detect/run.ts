import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import pLimit from 'p-limit';
import { UserError } from '../errors.js';
import type { OutputFile } from '../util/files.js';
import { DetectionEngine, type EngineStats, type Finding, type FirstSeenState } from './engine.js';
import type { DetectEvent } from './event.js';
import type { RangeTable } from './ip-ranges.js';
import { coverageGaps, type CoverageGap } from './coverage.js';
import {
  fileStartTime,
  listLogFiles,
  newFileStats,
  pathStartTime,
  readLogFile,
  type BadRecord,
  type FileStats,
} from './read.js';
import type { Rule } from './rules.js';

export interface DetectOptions {
  since?: number;
  until?: number;
  /** How far out of time order events may arrive and still be put back in order (ms). */
  lateness: number;
  maxDocumentBytes: number;
  /** Folder holding first-seen history between runs. */
  stateDir?: string;
  /** Warnings found before the run (stale cloud IP ranges), reported first among its gaps. */
  warnings?: string[];
  /** The published cloud ranges to place source addresses in (the shipped ones unless given). */
  ranges?: RangeTable;
}

export interface DetectResult {
  findings: Finding[];
  files: FileStats[];
  bad: BadRecord[];
  badCount: number;
  /** Events skipped by --since / --until. */
  outOfRange: number;
  /** Events that arrived later than the reorder buffer allows, processed out of order. */
  late: number;
  stats: EngineStats;
  /** Honest limits of this run: rules still learning, fields the logs lack. */
  gaps: string[];
  /** Files of the folders named that were not read, their names saying they are not logs (README, LICENSE, ...). */
  notLogs: string[];
  /** Rules that could not fire on some inputs, because no event in them carries a field the rule needs. */
  coverage: CoverageGap[];
  firstEvent: number | null;
  lastEvent: number | null;
  history: Map<string, FirstSeenState>;
}

/**
 * Without --state, a sequence's history (the values, such as addresses, each key was seen with, for its steps'
 * `unseen`) holds only what this run read: one line naming the rules that learnt from some event, or undefined.
 */
export function historyNotice(rules: Rule[], stats: EngineStats, stateDir: string | undefined): string | undefined {
  if (stateDir) return undefined;
  const learning = rules.filter((r) => r.sequence?.history && (stats.matched[r.id] ?? 0) > 0);
  if (learning.length === 0) return undefined;
  const one = learning.length === 1;
  const fields = [...new Set(learning.flatMap((r) => r.sequence!.history!.value))].join(', ');
  return `${learning.map((r) => r.id).join(', ')} ${one ? 'knows' : 'know'} only the ${fields} values seen in this run; keep ${one ? 'its' : 'their'} history between runs with --state DIR`;
}

/** The reason an event inside a readable record is not used. */
const OUT_OF_RANGE = 'outside --since/--until';

/** Bad records listed in the report; the rest are counted. */
const MAX_BAD_LISTED = 100;
/** The files left out by their names that the gap line names (the rest are counted). */
const MAX_NOT_LOGS_NAMED = 5;

/** A min-heap on event time: events wait here until no earlier event can still arrive (bounded lateness). */
class ReorderBuffer {
  private heap: DetectEvent[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(e: DetectEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.time <= e.time) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }
  peek(): DetectEvent | undefined {
    return this.heap[0];
  }
  pop(): DetectEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.time < h[l]!.time ? r : l;
        if (h[c]!.time >= last.time) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const STATE_FILE = 'detect-state.json';
let stateValidator: ValidateFunction | undefined;

interface StateFile {
  version: 1;
  rules: Record<string, { observedFrom: number; keys: Record<string, Record<string, number>> }>;
}

export async function loadHistory(dir: string | undefined): Promise<Map<string, FirstSeenState>> {
  const history = new Map<string, FirstSeenState>();
  if (!dir) return history;
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return history;
    throw new UserError(`cannot read detection state: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      where: file,
    });
  }
  const hint = 'delete it to start the first-seen history again';
  let parsed: unknown;
  try {
    // Not the project's JSON reader: first-seen values are log text an attacker chooses, `__proto__` included, and
    // a state file that held one must load again. JSON.parse makes such keys own data; the Maps below keep them so.
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`detection state is not JSON (${(error as Error).message})`, { where: file, hint });
  }
  // ajv is loaded only by a run that keeps history: the others never validate anything with it.
  const { createAjv, describeAjvError, loadSchema, mostSpecificError } = await import('../util/ajv.js');
  stateValidator ??= createAjv({ allErrors: true }).compile(loadSchema('detect-state.schema.json'));
  if (!stateValidator(parsed)) {
    const error = mostSpecificError(stateValidator.errors ?? []);
    throw new UserError(`detection state does not match schemas/detect-state.schema.json: ${describeAjvError(error)}`, {
      where: file,
      hint,
    });
  }
  const state = parsed as StateFile;
  for (const [id, r] of Object.entries(state.rules)) {
    history.set(id, {
      observedFrom: r.observedFrom,
      keys: new Map(Object.entries(r.keys).map(([k, v]) => [k, new Map(Object.entries(v))])),
    });
  }
  return history;
}

/** The first-seen history as an output file, so it is written with the reports, all or nothing. */
export function historyFile(dir: string, history: Map<string, FirstSeenState>): OutputFile {
  const out: StateFile = { version: 1, rules: {} };
  for (const [id, s] of history) {
    if (!Number.isFinite(s.observedFrom)) continue;
    out.rules[id] = {
      observedFrom: s.observedFrom,
      keys: Object.fromEntries([...s.keys].map(([k, v]) => [k, Object.fromEntries(v)])),
    };
  }
  return { path: join(dir, STATE_FILE), data: `${JSON.stringify(out)}\n`, mode: 0o600 };
}

interface Source {
  stats: FileStats;
  batches: AsyncGenerator<DetectEvent[]>;
  batch: DetectEvent[];
  head: number;
}

/** The earliest time in a batch (batches are nearly sorted, so this is cheap and usually the first). */
function batchHead(batch: DetectEvent[]): number {
  let min = Infinity;
  for (const e of batch) if (e.time < min) min = e.time;
  return min;
}

/**
 * Reads every log, normalizes each record once, and feeds the engine in event-time order: files are merged by time
 * (a file is opened when the merge reaches the time it starts at, so only files that overlap in time are open at
 * once), and a reorder buffer puts back events up to `lateness` out of order inside a file.
 */
export async function runDetection(paths: string[], rules: Rule[], options: DetectOptions): Promise<DetectResult> {
  const { files: listed, notLogs } = await listLogFiles(paths);
  // Only files whose path does not say when they start are opened for a look, a few at a time.
  const limit = pLimit(8);
  const starts = await Promise.all(listed.map((file) => pathStartTime(file) ?? limit(() => fileStartTime(file))));
  const files = listed.map((file, i) => ({ file, start: starts[i] ?? -Infinity })).sort((a, b) => a.start - b.start);
  const history = await loadHistory(options.stateDir);
  const engine = new DetectionEngine(rules, history);
  const buffer = new ReorderBuffer();
  const bad: BadRecord[] = [];
  let badCount = 0;
  let outOfRange = 0;
  let late = 0;
  let lastReleased = -Infinity;
  let firstEvent: number | null = null;
  let lastEvent: number | null = null;
  const onBad = (b: BadRecord, stats: FileStats): void => {
    badCount++;
    stats.dropped.unreadable = (stats.dropped.unreadable ?? 0) + 1;
    if (bad.length < MAX_BAD_LISTED) bad.push(b);
  };

  const release = (e: DetectEvent): void => {
    if (e.time < lastReleased) late++;
    else lastReleased = e.time;
    engine.process(e);
  };
  const take = (batch: DetectEvent[], fileStats: FileStats): void => {
    const present = fileStats.present;
    for (const e of batch) {
      if (
        (options.since !== undefined && e.time < options.since) ||
        (options.until !== undefined && e.time >= options.until)
      ) {
        outOfRange++;
        fileStats.dropped[OUT_OF_RANGE] = (fileStats.dropped[OUT_OF_RANGE] ?? 0) + 1;
        continue;
      }
      fileStats.used++;
      fileStats.cloud ??= e.cloud;
      fileStats.source ??= e.source;
      if (e.src.ip !== null) present['src.ip']++;
      if (e.client.evidence !== '') present.client++;
      if (e.actor.mfa !== null) present['actor.mfa']++;
      if (e.signInMethod !== null && e.signInMethod !== undefined) present.signInMethod++;
      if (firstEvent === null || e.time < firstEvent) firstEvent = e.time;
      if (lastEvent === null || e.time > lastEvent) lastEvent = e.time;
      buffer.push(e);
    }
  };

  const stats: FileStats[] = [];
  const active: Source[] = [];
  let next = 0;
  /** Opens the next file and reads its first batch; a file without records is done at once. */
  const openNext = async (): Promise<void> => {
    const { file } = files[next++]!;
    const fileStats = newFileStats(file);
    stats.push(fileStats);
    const batches = readLogFile(
      file,
      {
        maxDocumentBytes: options.maxDocumentBytes,
        onBad: (b) => onBad(b, fileStats),
        ranges: options.ranges,
      },
      fileStats,
    );
    const first = await batches.next();
    if (!first.done) active.push({ stats: fileStats, batches, batch: first.value, head: batchHead(first.value) });
  };

  while (active.length > 0 || next < files.length) {
    if (active.length === 0) await openNext();
    // Open every file that starts before the earliest event still waiting in an open one.
    for (
      let min = Math.min(...active.map((s) => s.head));
      next < files.length && files[next]!.start <= min;
      min = Math.min(...active.map((s) => s.head))
    )
      await openNext();
    if (active.length === 0) continue;
    let pick = 0;
    for (let i = 1; i < active.length; i++) if (active[i]!.head < active[pick]!.head) pick = i;
    const source = active[pick]!;
    take(source.batch, source.stats);
    const more = await source.batches.next();
    if (more.done) active.splice(pick, 1);
    else {
      source.batch = more.value;
      source.head = batchHead(more.value);
    }
    // No open or unopened file can still deliver an event before the watermark (give or take the lateness).
    const watermark =
      Math.min(...active.map((s) => s.head), next < files.length ? files[next]!.start : Infinity) - options.lateness;
    for (let top = buffer.peek(); top && top.time <= watermark; top = buffer.peek()) release(buffer.pop()!);
  }
  while (buffer.size > 0) release(buffer.pop()!);
  const findings = engine.finish();

  const gaps: string[] = [...(options.warnings ?? [])];
  if (notLogs.length > 0) {
    const shown = notLogs.slice(0, MAX_NOT_LOGS_NAMED).join(', ');
    const more = notLogs.length > MAX_NOT_LOGS_NAMED ? ` and ${notLogs.length - MAX_NOT_LOGS_NAMED} more` : '';
    gaps.push(
      `${notLogs.length} file(s) in the folders named were not read, their names saying they are not logs (documentation, licences, metadata): ${shown}${more}; name a file to read it`,
    );
  }
  for (const rule of rules) {
    const fs = rule.firstSeen;
    const h = engine.history().get(rule.id);
    if (fs && h && Number.isFinite(h.observedFrom) && lastEvent !== null && lastEvent < h.observedFrom + fs.warmup) {
      gaps.push(
        `${rule.id}: still learning (first-seen needs ${fs.warmup / 3_600_000}h of history; it has ${((lastEvent - h.observedFrom) / 3_600_000).toFixed(1)}h${options.stateDir ? '' : ' — keep history between runs with --state'})`,
      );
    } else if (fs && engine.stats.learning[rule.id]! > 0) {
      gaps.push(`${rule.id}: ${engine.stats.learning[rule.id]} event(s) in the warm-up only taught the history`);
    }
    const missing = engine.stats.missingField[rule.id]!;
    if (missing > 0)
      gaps.push(
        `${rule.id}: ${missing} matching event(s) lack a field the rule keys on (e.g. no source IP, no access key id)`,
      );
  }
  const coverage = coverageGaps(stats, rules);
  if (late > 0)
    gaps.push(
      `${late} event(s) arrived more than ${options.lateness / 60_000} min out of time order and were processed late; raise --max-lateness`,
    );
  return {
    findings,
    files: stats,
    bad,
    badCount,
    outOfRange,
    late,
    stats: engine.stats,
    gaps,
    notLogs,
    coverage,
    firstEvent,
    lastEvent,
    history: engine.history(),
  };
}
