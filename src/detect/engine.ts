import type { Severity } from '../engine/types.js';
import { fieldReader, type DetectEvent, type EventRef } from './event.js';
import { type FieldCondition, meetsConditions, necessaryConditions } from './prefilter.js';
import type { Rule, SequenceStep } from './rules.js';

/** Evidence kept per finding: enough to find the events again, bounded whatever the burst size. */
export const MAX_EVIDENCE = 20;

export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  /** First and last event time of the triggering events (epoch ms). */
  firstTime: number;
  lastTime: number;
  /** The rule's group key (actor and whatever else the rule groups by), as `field=value` pairs. */
  group: string;
  actor: string;
  cloud: string;
  account: string | null;
  client: { kind: string; tool: string | null; evidence: string };
  srcIp: string | null;
  message: string;
  /** The triggering events (at most MAX_EVIDENCE), and how many there were in all. */
  events: EventRef[];
  eventCount: number;
  /** Later hits of the same rule and group within the dedupe window, folded into this finding. */
  duplicates: number;
}

/** First-seen history of one rule: when it started observing, and key -> value -> last seen (epoch ms). */
export interface FirstSeenState {
  observedFrom: number;
  keys: Map<string, Map<string, number>>;
}

export interface EngineStats {
  events: number;
  matched: Record<string, number>;
  /** Events a rule could not use because a field it groups or keys by is null. */
  missingField: Record<string, number>;
  /** Events first-seen rules only learnt from, being inside their warm-up. */
  learning: Record<string, number>;
  /** Peak number of entries held in rule state (group windows, first-seen values, sequences, dedupe marks). */
  peakState: number;
}

interface ThresholdGroup {
  /** count: the latest `atLeast` events (time, ref) as a ring; distinct: value -> latest (time, ref). */
  ring: Array<{ t: number; ref: EventRef }>;
  distinct: Map<string, { t: number; ref: EventRef }>;
  last: number;
  sample: DetectEvent;
}

interface SequenceGroup {
  step: number;
  start: number;
  refs: EventRef[];
  /** The event of each step so far (at most 8): who took it, for the message, and its address for later steps' `unseen`. */
  events: DetectEvent[];
}

interface RuleState {
  rule: Rule;
  /** What the rule's match schema demands of fields other than `cloud` and `source` (those choose the rule's lists). */
  conditions: FieldCondition[];
  /** The `cloud` and `source` conditions: which events' lists the rule is on. */
  dispatch: FieldCondition[];
  groups: Map<string, ThresholdGroup>;
  sequences: Map<string, SequenceGroup>;
  /** First-seen history: a firstSeen rule's, or what a sequence learns for its steps' `unseen` conditions. */
  firstSeen?: FirstSeenState;
  /** group -> the open finding and the time its dedupe window ends. */
  open: Map<string, { finding: Finding; until: number }>;
}

const keyOf = (event: DetectEvent, fields: string[]): string | undefined => {
  if (fields.length === 1) {
    const v = fieldReader(fields[0]!)(event);
    return v === null || v === undefined ? undefined : String(v);
  }
  let key = '';
  for (let i = 0; i < fields.length; i++) {
    const v = fieldReader(fields[i]!)(event);
    if (v === null || v === undefined) return undefined;
    key += (i > 0 ? '\u0001' : '') + String(v);
  }
  return key;
};

const groupText = (fields: string[], key: string): string => {
  const values = key.split('\u0001');
  return fields.map((f, i) => `${f}=${values[i] ?? ''}`).join(', ');
};

/** True when a key's look-back holds at most `atMost` distinct values of each of `fields` value fields (stored as `i\u0003value`). */
function narrowHabit(
  values: Map<string, number> | undefined,
  fields: number,
  from: number,
  atMost: number | undefined,
): boolean {
  if (atMost === undefined || !values) return true;
  const counts = new Array<number>(fields).fill(0);
  for (const [v, t] of values) {
    if (v === KEY_SEEN || t < from) continue;
    const i = Number(v.slice(0, v.indexOf('\u0003')));
    if (++counts[i]! > atMost) return false;
  }
  return true;
}

/** The reserved first-seen value under which a key's own last-seen time is kept. */
export const KEY_SEEN = '\u0000key';

/** How often (in processed events) expired group windows, sequences and dedupe marks are swept out. */
const SWEEP_EVERY = 50_000;

/**
 * The stateful rule engine. Events must arrive in time order (the reader's reorder buffer sees to that); memory is
 * what the rules keep: per group, the events inside its window (at most `atLeast`, or one per distinct value); per
 * first-seen key, its values within the look-back; per actor, one partial sequence; per alert, its dedupe mark.
 */
export class DetectionEngine {
  private readonly states: RuleState[];
  /** First-seen histories, which learn when observation began from every event, whichever rules it reaches. */
  private readonly observers: FirstSeenState[];
  /** cloud -> source -> the rules whose match schema can accept such an event, in rule order. */
  private readonly bySource = new Map<string, Map<string, RuleState[]>>();
  readonly findings: Finding[] = [];
  readonly stats: EngineStats;
  private now = -Infinity;
  private sinceSweep = 0;

  constructor(rules: Rule[], history: Map<string, FirstSeenState> = new Map()) {
    this.states = rules.map((rule) => {
      const all = necessaryConditions(rule.definition.match);
      const chooses = (c: FieldCondition): boolean =>
        c.tail === undefined && (c.head === 'cloud' || c.head === 'source');
      return {
        rule,
        conditions: all.filter((c) => !chooses(c)),
        dispatch: all.filter(chooses),
        groups: new Map(),
        sequences: new Map(),
        open: new Map(),
        ...(rule.firstSeen || rule.sequence?.history
          ? { firstSeen: history.get(rule.id) ?? { observedFrom: Infinity, keys: new Map() } }
          : {}),
      };
    });
    this.observers = this.states.flatMap((state) => (state.firstSeen ? [state.firstSeen] : []));
    this.stats = { events: 0, matched: {}, missingField: {}, learning: {}, peakState: 0 };
    for (const rule of rules) {
      this.stats.matched[rule.id] = 0;
      this.stats.missingField[rule.id] = 0;
      this.stats.learning[rule.id] = 0;
    }
  }

  /** The rules an event of this cloud and source can match, worked out on the first such event. */
  private candidates(event: DetectEvent): RuleState[] {
    let bySource = this.bySource.get(event.cloud);
    if (!bySource) {
      bySource = new Map();
      this.bySource.set(event.cloud, bySource);
    }
    let list = bySource.get(event.source);
    if (!list) {
      list = this.states.filter((state) => meetsConditions(event, state.dispatch));
      bySource.set(event.source, list);
    }
    return list;
  }

  process(event: DetectEvent): void {
    this.stats.events++;
    if (event.time > this.now) this.now = event.time;
    // Absence is learnt from every event, not only matching ones: the warm-up runs from the first event seen.
    for (const seen of this.observers) if (event.time < seen.observedFrom) seen.observedFrom = event.time;
    for (const state of this.candidates(event)) {
      const rule = state.rule;
      if (!meetsConditions(event, state.conditions) || !rule.match(event)) continue;
      this.stats.matched[rule.id]!++;
      if (rule.threshold) this.threshold(state, event);
      else if (rule.firstSeen) this.firstSeen(state, event);
      else if (rule.sequence) {
        this.sequence(state, event);
        if (rule.sequence.history) this.learn(state, event);
      } else
        this.alert(
          state,
          event.actor.principal,
          `actor.principal=${event.actor.principal}`,
          event,
          [event.ref],
          1,
          `${event.operation} by ${event.actor.principal}`,
        );
    }
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
  }

  /** Raises a finding, or folds it into the open one of the same rule and group. */
  private alert(
    state: RuleState,
    group: string,
    groupLabel: string,
    event: DetectEvent,
    refs: EventRef[],
    count: number,
    message: string,
    firstTime = event.time,
  ): void {
    const open = state.open.get(group);
    if (open && event.time < open.until) {
      open.finding.duplicates++;
      open.finding.lastTime = event.time;
      return;
    }
    const rule = state.rule;
    const finding: Finding = {
      ruleId: rule.id,
      title: rule.definition.title,
      severity: rule.definition.severity,
      firstTime,
      lastTime: event.time,
      group: groupLabel,
      actor: event.actor.principal,
      cloud: event.cloud,
      account: event.account,
      client: { kind: event.client.kind, tool: event.client.tool, evidence: event.client.evidence },
      srcIp: event.src.ip,
      message,
      events: refs.slice(0, MAX_EVIDENCE),
      eventCount: count,
      duplicates: 0,
    };
    this.findings.push(finding);
    state.open.set(group, { finding, until: event.time + rule.dedupe });
  }

  private threshold(state: RuleState, event: DetectEvent): void {
    const t = state.rule.threshold!;
    const key = keyOf(event, t.by);
    if (key === undefined) {
      this.stats.missingField[state.rule.id]!++;
      return;
    }
    let group = state.groups.get(key);
    if (!group) {
      group = { ring: [], distinct: new Map(), last: event.time, sample: event };
      state.groups.set(key, group);
    }
    group.last = event.time;
    const from = event.time - t.window;
    let reached = false;
    if (t.distinct) {
      const v = fieldReader(t.distinct)(event);
      if (v === null || v === undefined) {
        this.stats.missingField[state.rule.id]!++;
        return;
      }
      // A call that names several targets (GetParameters with ten names) counts each of them.
      for (const value of t.split ? String(v).split(t.split) : [String(v)]) {
        group.distinct.delete(value);
        group.distinct.set(value, { t: event.time, ref: event.ref });
      }
      // Insertion order is time order, so stale values are at the front.
      for (const [k, entry] of group.distinct) {
        if (entry.t >= from) break;
        group.distinct.delete(k);
      }
      reached = group.distinct.size >= t.atLeast;
    } else {
      group.ring.push({ t: event.time, ref: event.ref });
      if (group.ring.length > t.atLeast) group.ring.shift();
      reached = group.ring.length >= t.atLeast && group.ring[0]!.t >= from;
    }
    if (!reached) return;
    const entries = t.distinct ? [...group.distinct.values()] : group.ring;
    const what = t.distinct ? `${entries.length} distinct ${t.distinct} values` : `${entries.length} events`;
    const seconds = Math.round((event.time - entries[0]!.t) / 1000);
    // Values split out of one event share its ref: each event is evidence once.
    const refs = [...new Set(entries.map((e) => e.ref))];
    this.alert(
      state,
      key,
      groupText(t.by, key),
      event,
      refs,
      refs.length,
      `${what} within ${seconds}s (threshold ${t.atLeast} in ${t.window / 1000}s) for ${groupText(t.by, key)}`,
      entries[0]!.t,
    );
    state.groups.delete(key);
  }

  private firstSeen(state: RuleState, event: DetectEvent): void {
    const f = state.rule.firstSeen!;
    if (f.each) {
      this.firstSeenEach(state, event);
      return;
    }
    const history = state.firstSeen!;
    const key = keyOf(event, f.key);
    const value = f.value.length > 0 ? keyOf(event, f.value) : '';
    if (key === undefined || value === undefined) {
      this.stats.missingField[state.rule.id]!++;
      return;
    }
    let values = history.keys.get(key);
    const last = values?.get(value);
    const lookbackFrom = event.time - f.lookback;
    // The key's own last-seen time sits under a reserved value, so that knowing the key costs one lookup.
    const keyLast = values?.get(KEY_SEEN);
    const keyKnown = keyLast !== undefined && keyLast >= lookbackFrom;
    const valueKnown = last !== undefined && last >= lookbackFrom;
    const learning = event.time < history.observedFrom + f.warmup;
    if (!valueKnown && !learning && (!f.alertWhen || f.alertWhen(event))) {
      const isNew = f.value.length > 0 ? (keyKnown ? true : f.newKey === 'alert') : true;
      if (isNew) {
        const what =
          f.value.length > 0
            ? `${groupText(f.value, value)} first seen for ${groupText(f.key, key)}`
            : `first ${event.operation} for ${groupText(f.key, key)}`;
        this.alert(
          state,
          `${key}\u0002${value}`,
          groupText([...f.key, ...f.value], f.value.length > 0 ? `${key}\u0001${value}` : key),
          event,
          [event.ref],
          1,
          `${what} (look-back ${f.lookback / 86_400_000}d)`,
        );
      }
    } else if (learning && !valueKnown) {
      this.stats.learning[state.rule.id]!++;
    }
    if (!values) {
      values = new Map();
      history.keys.set(key, values);
    }
    values.set(value, event.time);
    values.set(KEY_SEEN, event.time);
  }

  /**
   * firstSeen with `each`: every value field must be new for the key on its own (a new key id AND a new address AND a
   * new client), each stored under its field's index; `knownAtMost` limits alerts to keys with a narrow habit. An
   * event without some value field (a service account's keyless calls have no key id) teaches the fields it has and
   * cannot alert.
   */
  private firstSeenEach(state: RuleState, event: DetectEvent): void {
    const f = state.rule.firstSeen!;
    const history = state.firstSeen!;
    const key = keyOf(event, f.key);
    const parts = f.value.map((field) => {
      const v = fieldReader(field)(event);
      return v === null || v === undefined ? null : String(v);
    });
    if (key === undefined || parts.every((v) => v === null)) {
      this.stats.missingField[state.rule.id]!++;
      return;
    }
    const stored = parts.map((v, i) => (v === null ? null : `${i}\u0003${v}`));
    let values = history.keys.get(key);
    const from = event.time - f.lookback;
    const keyLast = values?.get(KEY_SEEN);
    const keyKnown = keyLast !== undefined && keyLast >= from;
    const allNew = stored.every((v) => {
      if (v === null) return false;
      const t = values?.get(v);
      return t === undefined || t < from;
    });
    const learning = event.time < history.observedFrom + f.warmup;
    if (
      allNew &&
      !learning &&
      (keyKnown || f.newKey === 'alert') &&
      (!f.alertWhen || f.alertWhen(event)) &&
      narrowHabit(values, f.value.length, from, f.knownAtMost)
    ) {
      const value = parts.join('\u0001');
      this.alert(
        state,
        `${key}\u0002${value}`,
        groupText([...f.key, ...f.value], `${key}\u0001${value}`),
        event,
        [event.ref],
        1,
        `${f.value.join(', ')} each first seen for ${groupText(f.key, key)} (look-back ${f.lookback / 86_400_000}d)`,
      );
    } else if (learning && allNew) {
      this.stats.learning[state.rule.id]!++;
    }
    if (!values) {
      values = new Map();
      history.keys.set(key, values);
    }
    for (const v of stored) if (v !== null) values.set(v, event.time);
    values.set(KEY_SEEN, event.time);
  }

  /** A sequence's history: the values each key was seen with, learnt from every event the rule matches. */
  private learn(state: RuleState, event: DetectEvent): void {
    const h = state.rule.sequence!.history!;
    const key = keyOf(event, h.key);
    const value = keyOf(event, h.value);
    if (key === undefined || value === undefined) return;
    let values = state.firstSeen!.keys.get(key);
    if (!values) {
      values = new Map();
      state.firstSeen!.keys.set(key, values);
    }
    values.set(value, event.time);
    values.set(KEY_SEEN, event.time);
  }

  /** A step's `unseen` holds when no named step's history key saw this event's history value within the look-back. */
  private unseen(state: RuleState, step: SequenceStep, earlier: DetectEvent[], event: DetectEvent): boolean {
    if (step.unseen.length === 0) return true;
    const h = state.rule.sequence!.history!;
    const value = keyOf(event, h.value);
    // Without the value (no address) nothing can be said to be new.
    if (value === undefined) return false;
    const from = event.time - h.lookback;
    for (const index of step.unseen) {
      const key = keyOf(earlier[index] ?? event, h.key);
      if (key === undefined) return false;
      const t = state.firstSeen!.keys.get(key)?.get(value);
      if (t !== undefined && t >= from) return false;
    }
    return true;
  }

  /**
   * A sequence whose steps join on fields of their own (the key id a create call returned, then the key id a call is
   * made with): a partial match is kept under its join value and continued by the event whose value of the awaited
   * step's fields equals it.
   */
  private joinedSequence(state: RuleState, event: DetectEvent): void {
    const s = state.rule.sequence!;
    let keyed = false;
    const tried = new Set<string>();
    for (let i = s.steps.length - 1; i >= 1; i--) {
      const step = s.steps[i]!;
      const key = keyOf(event, step.by);
      if (key === undefined) continue;
      keyed = true;
      const spec = `${step.byKey}\u0001${key}`;
      if (tried.has(spec)) continue;
      tried.add(spec);
      const progress = this.openSequence(state, key, event.time);
      if (!progress) continue;
      const awaited = s.steps[progress.step]!;
      if (awaited.byKey !== step.byKey || !awaited.match(event) || !this.unseen(state, awaited, progress.events, event))
        continue;
      progress.step++;
      progress.events.push(event);
      if (progress.refs.length < MAX_EVIDENCE) progress.refs.push(event.ref);
      if (progress.step === s.steps.length) {
        state.sequences.delete(key);
        const seconds = Math.round((event.time - progress.start) / 1000);
        const label = groupText(step.by, key);
        // The steps' actors differ (the key's creator, then the account using it): each is named with its address.
        const steps = progress.events;
        const who = s.steps.map(
          (x, i) => `${x.name} (${steps[i]!.actor.principal}${steps[i]!.src.ip ? ` from ${steps[i]!.src.ip}` : ''})`,
        );
        this.alert(
          state,
          key,
          label,
          event,
          progress.refs,
          progress.refs.length,
          `${who.join(' then ')} within ${seconds}s for ${label}`,
          progress.start,
        );
      }
      return;
    }
    const first = s.steps[0]!;
    if (!first.match(event)) return;
    const key = keyOf(event, first.by);
    if (key === undefined) {
      if (!keyed) this.stats.missingField[state.rule.id]!++;
      return;
    }
    if (this.unseen(state, first, [], event))
      state.sequences.set(key, { step: 1, start: event.time, refs: [event.ref], events: [event] });
  }

  /** The partial match kept under `key`, unless its window has closed by `now` (then it is dropped). */
  private openSequence(state: RuleState, key: string, now: number): SequenceGroup | undefined {
    const progress = state.sequences.get(key);
    if (progress && now - progress.start > state.rule.sequence!.window) {
      state.sequences.delete(key);
      return undefined;
    }
    return progress;
  }

  private sequence(state: RuleState, event: DetectEvent): void {
    const s = state.rule.sequence!;
    if (s.joined) {
      this.joinedSequence(state, event);
      return;
    }
    const key = keyOf(event, s.by);
    if (key === undefined) {
      this.stats.missingField[state.rule.id]!++;
      return;
    }
    const progress = this.openSequence(state, key, event.time);
    if (progress && s.steps[progress.step]!.match(event)) {
      progress.step++;
      progress.events.push(event);
      if (progress.refs.length < MAX_EVIDENCE) progress.refs.push(event.ref);
      if (progress.step === s.steps.length) {
        state.sequences.delete(key);
        const seconds = Math.round((event.time - progress.start) / 1000);
        // The finding's actor is the last step's; a step someone else took names them (who ran the command).
        const steps = s.steps.map((x, i) =>
          progress.events[i]!.actor.principal !== event.actor.principal
            ? `${x.name} (${progress.events[i]!.actor.principal})`
            : x.name,
        );
        this.alert(
          state,
          key,
          groupText(s.by, key),
          event,
          progress.refs,
          progress.refs.length,
          `${steps.join(' then ')} within ${seconds}s for ${groupText(s.by, key)}`,
          progress.start,
        );
      }
      return;
    }
    if (s.steps[0]!.match(event))
      state.sequences.set(key, { step: 1, start: event.time, refs: [event.ref], events: [event] });
  }

  /** Drops state that can no longer matter: windows, sequences and dedupe marks that ended, first-seen values past the look-back. */
  sweep(): void {
    this.sinceSweep = 0;
    let size = 0;
    for (const state of this.states) {
      const rule = state.rule;
      if (rule.threshold) {
        const from = this.now - rule.threshold.window;
        for (const [k, g] of state.groups) if (g.last < from) state.groups.delete(k);
        for (const g of state.groups.values()) size += 1 + g.ring.length + g.distinct.size;
      }
      if (rule.sequence) {
        const from = this.now - rule.sequence.window;
        for (const [k, s] of state.sequences) if (s.start < from) state.sequences.delete(k);
        size += state.sequences.size;
      }
      if (state.firstSeen) {
        const from = this.now - (rule.firstSeen?.lookback ?? rule.sequence!.history!.lookback);
        for (const [k, values] of state.firstSeen.keys) {
          for (const [v, t] of values) if (t < from) values.delete(v);
          if (values.size <= 1) state.firstSeen.keys.delete(k);
          else size += 1 + values.size;
        }
      }
      for (const [k, o] of state.open) if (o.until <= this.now) state.open.delete(k);
      size += state.open.size;
    }
    if (size > this.stats.peakState) this.stats.peakState = size;
  }

  /** First-seen history to keep for the next run (with --state). */
  history(): Map<string, FirstSeenState> {
    const out = new Map<string, FirstSeenState>();
    for (const state of this.states) if (state.firstSeen) out.set(state.rule.id, state.firstSeen);
    return out;
  }

  finish(): Finding[] {
    this.sweep();
    return this.findings.sort((a, b) => a.firstTime - b.firstTime || a.ruleId.localeCompare(b.ruleId));
  }
}
