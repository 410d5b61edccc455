import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { OutputFile } from '../util/files.js';
import { DetectionEngine, type EngineStats, type Finding, type FirstSeenState } from './engine.js';
import type { DetectEvent } from './event.js';
import { listLogFiles, readLogFile, type BadRecord, type FileStats } from './read.js';
import type { Rule } from './rules.js';

export interface DetectOptions {
  since?: number;
  until?: number;
  /** How far out of time order events may arrive and still be put back in order (ms). */
  lateness: number;
  maxDocumentBytes: number;
  /** Folder holding first-seen history between runs. */
  stateDir?: string;
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
  firstEvent: number | null;
  lastEvent: number | null;
  history: Map<string, FirstSeenState>;
}

/** Bad records listed in the report; the rest are counted. */
const MAX_BAD_LISTED = 100;

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
    throw new UserError(`cannot read detection state: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { where: file });
  }
  let parsed: StateFile;
  try {
    parsed = JSON.parse(text) as StateFile;
    if (parsed.version !== 1 || typeof parsed.rules !== 'object') throw new Error('not a state file');
  } catch (error) {
    throw new UserError(`detection state is unreadable (${(error as Error).message})`, { where: file, hint: 'delete it to start the first-seen history again' });
  }
  for (const [id, r] of Object.entries(parsed.rules)) {
    history.set(id, { observedFrom: r.observedFrom, keys: new Map(Object.entries(r.keys).map(([k, v]) => [k, new Map(Object.entries(v))])) });
  }
  return history;
}

/** The first-seen history as an output file, so it is written with the reports, all or nothing. */
export function historyFile(dir: string, history: Map<string, FirstSeenState>): OutputFile {
  const out: StateFile = { version: 1, rules: {} };
  for (const [id, s] of history) {
    if (!Number.isFinite(s.observedFrom)) continue;
    out.rules[id] = { observedFrom: s.observedFrom, keys: Object.fromEntries([...s.keys].map(([k, v]) => [k, Object.fromEntries(v)])) };
  }
  return { path: join(dir, STATE_FILE), data: `${JSON.stringify(out)}\n`, mode: 0o600 };
}

/** Reads every log, normalizes each record once, feeds the engine in event-time order, and returns what it found. */
export async function runDetection(paths: string[], rules: Rule[], options: DetectOptions): Promise<DetectResult> {
  const files = await listLogFiles(paths);
  const history = await loadHistory(options.stateDir);
  const engine = new DetectionEngine(rules, history);
  const buffer = new ReorderBuffer();
  const bad: BadRecord[] = [];
  let badCount = 0;
  let outOfRange = 0;
  let late = 0;
  let lastReleased = -Infinity;
  let maxSeen = -Infinity;
  let firstEvent: number | null = null;
  let lastEvent: number | null = null;

  const release = (e: DetectEvent): void => {
    if (e.time < lastReleased) late++;
    else lastReleased = e.time;
    engine.process(e);
  };
  const onEvent = (e: DetectEvent): void => {
    if ((options.since !== undefined && e.time < options.since) || (options.until !== undefined && e.time >= options.until)) {
      outOfRange++;
      return;
    }
    if (firstEvent === null || e.time < firstEvent) firstEvent = e.time;
    if (lastEvent === null || e.time > lastEvent) lastEvent = e.time;
    buffer.push(e);
    if (e.time > maxSeen) maxSeen = e.time;
    const watermark = maxSeen - options.lateness;
    for (let top = buffer.peek(); top && top.time <= watermark; top = buffer.peek()) release(buffer.pop()!);
  };
  const onBad = (b: BadRecord): void => {
    badCount++;
    if (bad.length < MAX_BAD_LISTED) bad.push(b);
  };

  const stats: FileStats[] = [];
  for (const file of files) stats.push(await readLogFile(file, { maxDocumentBytes: options.maxDocumentBytes, onEvent, onBad }));
  while (buffer.size > 0) release(buffer.pop()!);
  const findings = engine.finish();

  const gaps: string[] = [];
  for (const rule of rules) {
    const fs = rule.firstSeen;
    const h = engine.history().get(rule.id);
    if (fs && h && Number.isFinite(h.observedFrom) && lastEvent !== null && lastEvent < h.observedFrom + fs.warmup) {
      gaps.push(`${rule.id}: still learning (first-seen needs ${fs.warmup / 3_600_000}h of history; it has ${((lastEvent - h.observedFrom) / 3_600_000).toFixed(1)}h${options.stateDir ? '' : ' — keep history between runs with --state'})`);
    } else if (fs && engine.stats.learning[rule.id]! > 0) {
      gaps.push(`${rule.id}: ${engine.stats.learning[rule.id]} event(s) in the warm-up only taught the history`);
    }
    const missing = engine.stats.missingField[rule.id]!;
    if (missing > 0) gaps.push(`${rule.id}: ${missing} matching event(s) lack a field the rule keys on (e.g. no source IP, no access key id)`);
  }
  if (late > 0) gaps.push(`${late} event(s) arrived more than ${options.lateness / 60_000} min out of time order and were processed late; raise --max-lateness`);
  return { findings, files: stats, bad, badCount, outOfRange, late, stats: engine.stats, gaps, firstEvent, lastEvent, history: engine.history() };
}
