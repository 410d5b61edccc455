import type { ErrorObject } from 'ajv';
import { scopeKey, type Snapshot, type Source } from '../snapshot/model.js';
import { pointerSegments, valueAt } from '../util/json-pointer.js';
import { hiddenAlternativeErrors } from './alternatives.js';
import type { EvaluationTime } from './keywords.js';
import type {
  Check,
  Evidence,
  FailedAssertion,
  GapEffect,
  ResourceKind,
  Result,
  ResultResource,
  Status,
} from './types.js';

type AnyResource = Record<string, unknown> & {
  uid: string;
  provider: string;
  scope: { kind: string; id: string; name?: string };
};

/** The object a `resource: scopes` check sees: one per source, plus its aggregate counts. */
interface ScopeResource extends AnyResource {
  method: string;
  collectedAt: string;
  gaps: Source['gaps'];
}

/** Combinator keywords whose failure only restates their branches' errors. */
const WRAPPER_KEYWORDS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'dependentSchemas']);
const MAX_FAILED_PER_RESULT = 10;
const MAX_MEMBERS = 25;

/** Parsed JSON pointers: ajv reports the same few instance paths over and over across resources. */
const pointerSegmentCache = new Map<string, Array<string | number>>();
const POINTER_CACHE_LIMIT = 10_000;

function pointerValue(resource: unknown, pointer: string): unknown {
  if (pointer === '') return resource;
  let segments = pointerSegmentCache.get(pointer);
  if (!segments) {
    segments = pointerSegments(pointer);
    if (pointerSegmentCache.size < POINTER_CACHE_LIMIT) pointerSegmentCache.set(pointer, segments);
  }
  return valueAt(resource, segments);
}

/**
 * Absent data, data a collector marked "unknown", or a number that is not one (NaN, Infinity: what JSON.parse makes of
 * 1e400, shown as null in JSON evidence): the check cannot decide on it, so the result is never a pass.
 */
function isMissing(value: unknown): boolean {
  return value === undefined || value === 'unknown' || (typeof value === 'number' && !Number.isFinite(value));
}

/** Keeps evidence small: long strings, arrays and objects are cut. */
function summarizeValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 197)}...` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 3) return Array.isArray(value) ? `[${value.length} items]` : '{...}';
  if (Array.isArray(value)) {
    const items = value.slice(0, 10).map((v) => summarizeValue(v, depth + 1));
    return value.length > 10 ? [...items, `... ${value.length - 10} more`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 20)) out[k] = summarizeValue(v, depth + 1);
  return out;
}

/**
 * A message template cut at its placeholders: text, alternatives, text, alternatives, ..., text. A placeholder is
 * `{dotted.path}`, or `{first.path|second.path}`: the first path with a value (e.g. `{scope.name|scope.id}`).
 */
type MessageParts = Array<string | string[][]>;
const templates = new Map<string, MessageParts>();

function messageParts(template: string): MessageParts {
  let parts = templates.get(template);
  if (!parts) {
    parts = [];
    let last = 0;
    for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
      parts.push(
        template.slice(last, match.index),
        match[1]!.split('|').map((path) => path.split('.')),
      );
      last = match.index + match[0].length;
    }
    parts.push(template.slice(last));
    templates.set(template, parts);
  }
  return parts;
}

/** The display name of a resource uid (a role's name), when the snapshot has it. */
export type NameLookup = (uid: string) => string | undefined;

/** A value as users read it in a message: lists as "a, b" (or "a; b" when an item has a comma), objects by name. */
function messageText(value: unknown, names: NameLookup | undefined): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    const items = value.map((item) => messageText(item, names));
    return items.join(items.some((item) => item.includes(',')) ? '; ' : ', ');
  }
  const object = value as Record<string, unknown>;
  if (typeof object.role === 'string' && object.scope !== undefined) {
    return `${names?.(object.role) ?? object.role} on ${messageText(object.scope, names)}`;
  }
  if (typeof object.name === 'string') return object.name;
  if (typeof object.id === 'string') return object.id;
  return JSON.stringify(object);
}

/**
 * Fills the placeholders from the resource (the template is cut once, not matched per result). A placeholder with
 * no value prints `?`; `names` turns the role uids of assignments into role names.
 */
export function renderMessage(template: string, resource: unknown, names?: NameLookup): string {
  const parts = messageParts(template);
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    let value: unknown;
    for (const path of parts[i] as string[][]) {
      value = valueAt(resource, path);
      if (value !== undefined && value !== null) break;
    }
    out += value === undefined || value === null ? '?' : messageText(value, names);
    out += parts[i + 1] as string;
  }
  return out;
}

/** The path an error names in evidence (a missing property's own path for `required`); as describeError has it. */
function errorPath(error: ErrorObject): string {
  return (
    error.instancePath +
      (error.keyword === 'required'
        ? `/${String((error.params as { missingProperty?: string }).missingProperty)}`
        : '') || '/'
  );
}

function describeError(
  error: ErrorObject,
  resource: unknown,
  value: unknown = pointerValue(resource, error.instancePath),
): FailedAssertion {
  const path =
    error.instancePath +
    (error.keyword === 'required' ? `/${String((error.params as { missingProperty?: string }).missingProperty)}` : '');
  let message = error.message ?? error.keyword;
  if (error.keyword === 'maxAgeDays')
    message = `must be at most ${String((error.params as { limit: number }).limit)} days old`;
  if (error.keyword === 'minAgeDays')
    message = `must be at least ${String((error.params as { limit: number }).limit)} days old`;
  if (error.keyword === 'const')
    message = `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
  if (error.keyword === 'enum')
    message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  const actual = error.keyword === 'required' ? undefined : summarizeValue(value);
  return actual === undefined
    ? { path: path || '/', keyword: error.keyword, message }
    : { path: path || '/', keyword: error.keyword, message, actual };
}

/** A source and its collectedAt as the reference time of age keywords (what compiled schemas are called with). */
interface SourceEntry {
  source: Source;
  time: EvaluationTime;
}

/** One provider's resources of one kind, in snapshot order, each beside the source it came from (looked up once). */
interface ResourceList {
  resources: AnyResource[];
  sources: Array<SourceEntry | undefined>;
  /** What results say about each resource, made on first use and shared by every check over the list. */
  subjects?: Array<ResultResource | undefined>;
}

/** Resources grouped for fast selection: by kind, then by provider, then by source. */
class ResourceIndex {
  readonly byKind = new Map<ResourceKind, Map<string, ResourceList>>();
  readonly byScope = new Map<string, Map<ResourceKind, AnyResource[]>>();

  add(kind: ResourceKind, resource: AnyResource, key: string, source: SourceEntry | undefined): void {
    let providers = this.byKind.get(kind);
    if (!providers) this.byKind.set(kind, (providers = new Map()));
    let list = providers.get(resource.provider);
    if (!list) providers.set(resource.provider, (list = { resources: [], sources: [] }));
    list.resources.push(resource);
    list.sources.push(source);
    if (kind === 'scopes') return;
    let kinds = this.byScope.get(key);
    if (!kinds) this.byScope.set(key, (kinds = new Map()));
    let inScope = kinds.get(kind);
    if (!inScope) kinds.set(kind, (inScope = []));
    inScope.push(resource);
  }

  /** The lists a check visits: those of the providers its `where` pins, in that order, or all of them. */
  lists(kind: ResourceKind, providers?: string[]): ResourceList[] {
    const byProvider = this.byKind.get(kind);
    if (!byProvider) return [];
    if (!providers) return [...byProvider.values()];
    const out: ResourceList[] = [];
    for (const p of providers) {
      const list = byProvider.get(p);
      if (list) out.push(list);
    }
    return out;
  }

  candidates(kind: ResourceKind, providers?: string[]): AnyResource[] {
    return this.lists(kind, providers).flatMap((list) => list.resources);
  }
}

/** Everything evaluation needs from a snapshot, built once and shared by every check. */
export class EvaluationContext {
  readonly index = new ResourceIndex();
  readonly sources = new Map<string, SourceEntry>();
  /** The reference time of a resource whose scope has no source: the snapshot's collectedAt. */
  readonly fallbackTime: EvaluationTime;

  private roleNames?: Map<string, string>;

  /** A role's name by its uid, for messages (the map is made on first use: most runs fail few results). */
  readonly nameOf: NameLookup = (uid) => {
    if (!this.roleNames) {
      this.roleNames = new Map();
      for (const role of this.namesFrom.roles)
        if (typeof role.name === 'string') this.roleNames.set(role.uid, role.name);
    }
    return this.roleNames.get(uid);
  };

  /**
   * `namesFrom`: the snapshot whose roles name those a message mentions, when `snapshot` is only part of it (a what-if
   * evaluates the resources a plan changed, and their roles may be defined in scopes it left alone).
   */
  constructor(
    readonly snapshot: Snapshot,
    private readonly namesFrom: Pick<Snapshot, 'roles'> = snapshot,
  ) {
    this.fallbackTime = { now: Date.parse(snapshot.collectedAt) };
    for (const source of snapshot.sources) {
      const key = scopeKey(source.provider, source.scope);
      const entry = { source, time: { now: Date.parse(source.collectedAt) } };
      this.sources.set(key, entry);
      this.index.add(
        'scopes',
        {
          uid: key,
          provider: source.provider,
          scope: source.scope,
          method: source.method,
          collectedAt: source.collectedAt,
          gaps: source.gaps,
        } as ScopeResource,
        key,
        entry,
      );
    }
    for (const kind of ['principals', 'roles', 'controls', 'hosts'] as const) {
      for (const resource of snapshot[kind] as unknown as AnyResource[]) {
        const key = scopeKey(resource.provider, resource.scope as Source['scope']);
        this.index.add(kind, resource, key, this.sources.get(key));
      }
    }
  }
}

/**
 * What a result says about its resource. One object per resource and kind, shared by all of that resource's results
 * (results never modify it): a principal judged by twenty checks used to get twenty identical copies.
 */
const resultResources = new WeakMap<AnyResource, ResultResource>();

function sharedResultResource(kind: ResourceKind, resource: AnyResource, source?: SourceEntry): ResultResource {
  let out = resultResources.get(resource);
  if (!out || out.kind !== kind) resultResources.set(resource, (out = resultResource(kind, resource, source)));
  return out;
}

/** True when two scope objects have the same keys, in the same order, with the same values (so serialize alike). */
function sameScope(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== other[i] || a[keys[i]!] !== b[keys[i]!]) return false;
  return true;
}

/**
 * A result's subject. Its scope is its source's scope object when the two are written alike (the usual case), so
 * that the results of one scope share one scope object: scoring finds a scope's cells by that object.
 */
function resultResource(kind: ResourceKind, resource: AnyResource, source?: SourceEntry): ResultResource {
  const own = resource.scope as ResultResource['scope'];
  const scope =
    source !== undefined &&
    source.source.scope !== own &&
    sameScope(own as unknown as Record<string, unknown>, source.source.scope as unknown as Record<string, unknown>)
      ? source.source.scope
      : own;
  const out: ResultResource = { uid: resource.uid, kind, provider: resource.provider, scope };
  if (typeof resource.nativeId === 'string') out.nativeId = resource.nativeId;
  if (typeof resource.name === 'string') out.name = resource.name;
  return out;
}

/** JSON pointers of a check's evidence paths, built once per check rather than once per result. */
const evidencePointers = new WeakMap<Check, string[]>();

function pointersOf(check: Check): string[] {
  let pointers = evidencePointers.get(check);
  if (!pointers) evidencePointers.set(check, (pointers = check.evidencePaths.map((path) => `/${path.join('/')}`)));
  return pointers;
}

const NO_GAPS: Source['gaps'] = [];

/**
 * Passing results of one check that observed the same plain values share one evidence object (results never modify
 * evidence): at 100k principals most passes read one or two values like `"enabled"`, and sharing spares an object per
 * result here and a serialization per result in the JSON report, which caches by object.
 */
const passEvidence = new WeakMap<Check, Map<string, Evidence>>();
const PASS_EVIDENCE_LIMIT = 10_000;

function sharedPassEvidence(check: Check, evidence: Evidence): Evidence {
  let key = '';
  for (const pointer in evidence.observed) {
    const value = evidence.observed[pointer];
    if (value !== null && typeof value === 'object') return evidence;
    const text = String(value);
    key += `${typeof value}:${text.length}:${text};`;
  }
  let byValues = passEvidence.get(check);
  if (!byValues) passEvidence.set(check, (byValues = new Map()));
  const shared = byValues.get(key);
  if (shared) return shared;
  if (byValues.size < PASS_EVIDENCE_LIMIT) byValues.set(key, evidence);
  return evidence;
}

/** What evaluation may leave out because no output of the run shows it. */
interface EvaluateOptions {
  /** Evidence of passing results (default true); without it a pass carries an empty `observed`. */
  passEvidence?: boolean;
  /**
   * Evidence of every result (default true). Without it no result carries observed values or failed assertions;
   * an unknown result still lists its missing data and gaps. Statuses and messages are decided the same way.
   */
  evidence?: boolean;
}

/** The evidence of a pass when the run shows none: shared, never modified. */
const NO_PASS_EVIDENCE: Evidence = Object.freeze({
  observed: Object.freeze({}) as Record<string, unknown>,
}) as Evidence;

function judgeFrom(
  check: Check,
  kind: ResourceKind,
  resource: AnyResource,
  sourceEntry: SourceEntry | undefined,
  context: EvaluationContext,
  members?: Record<string, string[]>,
  passEvidence = true,
  shared?: ResultResource,
  shown = true,
): Result {
  const time = sourceEntry?.time ?? context.fallbackTime;
  const paths = check.evidencePaths;
  const pointers = pointersOf(check);
  let decided: boolean | undefined;
  if (!passEvidence && !members) {
    // Decide first, and summarize evidence only for a result that will show it.
    let anyMissing = false;
    for (let i = 0; i < paths.length && !anyMissing; i++) anyMissing = isMissing(valueAt(resource, paths[i]!));
    const gapped =
      check.needs !== undefined &&
      sourceEntry !== undefined &&
      sourceEntry.source.gaps.length > 0 &&
      sourceEntry.source.gaps.some((g) => check.needs!.includes(g.what));
    if (!anyMissing && !gapped) {
      decided = check.requires.call(time, resource) as boolean;
      if (decided)
        return {
          checkId: check.id,
          resource: shared ?? sharedResultResource(kind, resource),
          status: 'pass',
          message: check.title,
          evidence: NO_PASS_EVIDENCE,
        };
    }
  }
  const observed: Record<string, unknown> = {};
  const missing: string[] = [];
  for (let i = 0; i < paths.length; i++) {
    const value = valueAt(resource, paths[i]!);
    if (isMissing(value)) missing.push(pointers[i]!);
    else if (shown) observed[pointers[i]!] = summarizeValue(value);
  }
  const evidence: Evidence = { observed };
  if (members && Object.keys(members).length > 0) evidence.members = members;
  const checkId = check.id;
  const subject = kind === 'scopes' ? resultResource(kind, resource) : (shared ?? sharedResultResource(kind, resource));

  const sourceGaps = sourceEntry ? sourceEntry.source.gaps : NO_GAPS;
  const gaps = check.needs && sourceGaps.length > 0 ? sourceGaps.filter((g) => check.needs!.includes(g.what)) : NO_GAPS;

  // A verdict the pass shortcut above already reached (its errors are still those of this resource).
  const valid = decided ?? (check.requires.call(time, resource) as boolean);
  if (valid && missing.length === 0 && gaps.length === 0) {
    return {
      checkId,
      resource: subject,
      status: 'pass',
      message: check.title,
      evidence: members ? evidence : sharedPassEvidence(check, evidence),
    };
  }
  let status: Status = valid && missing.length === 0 ? 'pass' : 'unknown';
  /** Whether a failure breaks an upper bound on an aggregate count (so no count a gap hides could mend it). */
  let countAboveMaximum = false;
  if (!valid) {
    // Each error's value is looked up once; errors are described only as far as the evidence shows them.
    let definite = 0;
    const errors = check.requires.errors ?? [];
    const failed: FailedAssertion[] | undefined = shown ? [] : undefined;
    // Errors of alternatives that explain less than another: counted for the verdict, not named in the evidence.
    const hidden = failed ? hiddenAlternativeErrors(check.require, errors) : undefined;
    let hiddenFailures: Array<[ErrorObject, unknown]> | undefined;
    for (const e of errors) {
      if (WRAPPER_KEYWORDS.has(e.keyword)) continue;
      const value = pointerValue(resource, e.instancePath);
      if (e.keyword === 'required' || isMissing(value)) {
        const path = errorPath(e);
        if (!missing.includes(path)) missing.push(path);
      } else {
        definite++;
        if (UPPER_BOUNDS.has(e.keyword) && isCountPath(check, e.instancePath)) countAboveMaximum = true;
        if (hidden?.has(e)) (hiddenFailures ??= []).push([e, value]);
        else if (failed && failed.length < MAX_FAILED_PER_RESULT) failed.push(describeError(e, resource, value));
      }
    }
    // A failure only hidden alternatives prove is still named by them.
    if (failed && failed.length === 0 && hiddenFailures)
      for (const [e, value] of hiddenFailures.slice(0, MAX_FAILED_PER_RESULT))
        failed.push(describeError(e, resource, value));
    if (definite > 0) {
      status = 'fail';
      if (failed) evidence.failed = failed;
    }
  }
  if (gaps.length > 0) {
    status = verdictUnderGaps(
      check,
      status,
      gaps,
      () => countAboveMaximum,
      () => passesAnyLargerCount(check, resource, time),
    );
    evidence.gaps = gaps.map((g) => ({ ...g }));
  }
  if (missing.length > 0) evidence.missing = missing;
  if (status === 'pass') return { checkId, resource: subject, status, message: check.title, evidence };
  const message =
    status === 'fail'
      ? renderMessage(check.message, resource, context.nameOf)
      : gaps.length > 0
        ? `Not assessed: ${gaps.map((g) => g.reason).join('; ')}`
        : `Not assessed: no data for ${missing.join(', ')}`;
  return { checkId, resource: subject, status, message, evidence };
}

/** Keywords whose failure on a number holds for every larger number too. */
const UPPER_BOUNDS = new Set(['maximum', 'exclusiveMaximum']);

/** True when a JSON pointer names one of the check's aggregate counts. */
function isCountPath(check: Check, pointer: string): boolean {
  return check.aggregates.some((a) => pointer === `/${a.name}`);
}

/** Whether `require` still holds when every aggregate count is as large as a count can be (what a gap may hide). */
function passesAnyLargerCount(check: Check, resource: AnyResource, time: EvaluationTime): boolean {
  const raised: AnyResource = { ...resource };
  for (const a of check.aggregates) raised[a.name] = Number.MAX_SAFE_INTEGER;
  return check.requires.call(time, raised) as boolean;
}

/** How a gap on `topic` bears on the check's verdicts: what its YAML says, else undercount for aggregates, else unknown. */
export function gapEffectOf(check: Pick<Check, 'gapEffect' | 'aggregate'>, topic: string): GapEffect {
  return check.gapEffect?.[topic] ?? (check.aggregate !== undefined ? 'undercount' : 'unknown');
}

/**
 * Kleene evaluation over gaps: the verdict reached on the data present stands only if no gapped topic could turn
 * it. A failure stands when every gapped topic says missing data cannot mend it (fail-stands, none, or an aggregate
 * count already above its maximum); a pass stands when none could break it (pass-stands, none, or counts that pass
 * however large). Otherwise the result is unknown. The count tests run only when asked.
 */
function verdictUnderGaps(
  check: Check,
  status: Status,
  gaps: readonly { what: string }[],
  countAboveMaximum: () => boolean,
  passesLargerCounts: () => boolean,
): Status {
  if (status !== 'pass' && status !== 'fail') return status;
  for (const gap of gaps) {
    const effect = gapEffectOf(check, gap.what);
    if (effect === 'none') continue;
    if (effect === 'unknown') return 'unknown';
    if (status === 'fail' && (effect === 'pass-stands' || (effect === 'undercount' && !countAboveMaximum())))
      return 'unknown';
    if (status === 'pass' && (effect === 'fail-stands' || (effect === 'undercount' && !passesLargerCounts())))
      return 'unknown';
  }
  return status;
}

/** Adds a scope's aggregate counts to its scope object (a copy), and returns which resources were counted. */
function aggregateScope(
  check: Check,
  scope: AnyResource,
  context: EvaluationContext,
): { resource: AnyResource; members: Record<string, string[]> } {
  const resource: AnyResource = { ...scope };
  const members: Record<string, string[]> = {};
  const inScope = context.index.byScope.get(scope.uid);
  // Every resource counted here is in the scope's own source, so they share its reference time.
  const time = context.sources.get(scope.uid)?.time ?? context.fallbackTime;
  for (const aggregate of check.aggregates) {
    const list = inScope?.get(aggregate.resource) ?? [];
    const matched: string[] = [];
    for (const r of list) if (aggregate.matches.call(time, r)) matched.push(r.uid);
    resource[aggregate.name] = matched.length;
    members[aggregate.name] =
      matched.length > MAX_MEMBERS
        ? [...matched.slice(0, MAX_MEMBERS), `... ${matched.length - MAX_MEMBERS} more`]
        : matched;
  }
  return { resource, members };
}

/** Runs every check over every resource its `where` selects. Pure: the snapshot is not modified. */
export function evaluate(
  snapshot: Snapshot,
  checks: Check[],
  context = new EvaluationContext(snapshot),
  options: EvaluateOptions = {},
): Result[] {
  const shown = options.evidence ?? true;
  const passEvidence = shown && (options.passEvidence ?? true);
  const results: Result[] = [];
  for (const check of checks) {
    const kinds = check.kinds;
    for (const list of context.index.lists(check.resource, check.providers)) {
      const { resources, sources } = list;
      const subjects =
        check.resource === 'scopes'
          ? undefined
          : (list.subjects ??= new Array<ResultResource | undefined>(resources.length));
      for (let i = 0; i < resources.length; i++) {
        const candidate = resources[i]!;
        // A resource of a kind the `where` does not pin would fail it: skipped without running it (a failed run
        // makes an error object).
        if (kinds !== undefined && candidate.kind !== undefined && !kinds.includes(candidate.kind as string)) continue;
        if (!check.matches.call(sources[i]?.time ?? context.fallbackTime, candidate)) continue;
        if (check.resource === 'scopes') {
          const { resource, members } = aggregateScope(check, candidate, context);
          results.push(judgeFrom(check, 'scopes', resource, sources[i], context, members));
        } else {
          const subject = (subjects![i] ??= resultResource(check.resource, candidate, sources[i]));
          results.push(
            judgeFrom(check, check.resource, candidate, sources[i], context, undefined, passEvidence, subject, shown),
          );
        }
      }
    }
  }
  return results;
}
