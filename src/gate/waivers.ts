import { Minimatch } from 'minimatch';
import type { Result } from '../engine/types.js';
import { UserError } from '../errors.js';
import { createAjv, describeAjvError, loadSchema, mostSpecificError } from '../util/ajv.js';
import { readInputText } from '../util/files.js';
import { pointerSegments } from '../util/json-pointer.js';
import { parseYamlText } from '../util/yaml.js';

/** A waiver as written in the waivers file (schemas/waivers.schema.json). */
interface WaiverDefinition {
  id?: string;
  check: string;
  resource: string;
  owner: string;
  reason: string;
  ticket?: string;
  expires: string;
}

/** What became of a waiver in this run (the JSON report's `waivers`): still waiving, expired, or matching nothing. */
export interface WaiverNote {
  id: string;
  checkId: string;
  resource: string;
  owner: string;
  reason: string;
  expires: string;
  ticket?: string;
  state: 'active' | 'expired' | 'stale';
  matched: number;
}

/** A validated waiver: its id filled in, and where it was written, for messages (`waivers.yaml:12`). */
export type Waiver = Omit<WaiverDefinition, 'id'> & { id: string; where: string };

/** Waiver files are small; a larger one is a mistake (or an attack on the parser). */
const MAX_WAIVERS_BYTES = 4 * 1024 * 1024;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const REQUIRED_HINT =
  'every waiver needs check, resource, owner, reason and expires (YYYY-MM-DD): who accepted which risk, why, and until when';

let validator: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

/** Default longest a waiver may run, in days from the report time: an accepted risk is reviewed at least yearly. */
export const DEFAULT_MAX_WAIVER_DAYS = 365;

/** How parseWaivers judges lifetimes: the report time, and the most days from it a waiver may expire. */
interface WaiverLifetime {
  now: string;
  maxDays: number;
}

/**
 * The moment a waiver stops applying: a date means through the end of that day (UTC), so `expires: 2027-03-31`
 * still waives on the 31st. NaN for anything but a real YYYY-MM-DD date.
 */
function expiryInstant(expires: string): number {
  const date = DATE_ONLY.exec(expires);
  if (!date) return Number.NaN;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2027-02-30 over into March: a date that does not round-trip is not a calendar date.
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day)
    return Number.NaN;
  return Date.UTC(year, month - 1, day + 1);
}

/** The last expiry date (YYYY-MM-DD) a waiver may have: the report time's UTC date plus `maxDays`. */
function latestExpiry(lifetime: WaiverLifetime): string {
  const at = new Date(Date.parse(lifetime.now));
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + lifetime.maxDays))
    .toISOString()
    .slice(0, 10);
}

function explain(
  error: { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string },
  value: unknown,
): { message: string; hint: string } {
  const segments = pointerSegments(error.instancePath);
  const index = typeof segments[1] === 'number' ? segments[1] : undefined;
  const which = index === undefined ? 'waivers file' : `waiver ${index + 1}`;
  const field = segments[2];
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return { message: `${which} has no ${missing}`, hint: REQUIRED_HINT };
  }
  if (field === 'expires') {
    const item = (value as { waivers?: Array<Record<string, unknown>> }).waivers?.[index ?? 0];
    const named = typeof item?.id === 'string' ? `${which} (${item.id})` : which;
    return {
      message: `${named} has an invalid expiry date ${JSON.stringify(item?.expires)}`,
      hint: 'write a real calendar date as YYYY-MM-DD (quoted or not), e.g. expires: 2027-03-31; no time of day',
    };
  }
  if (field === 'check' && error.keyword === 'pattern')
    return {
      message: `${which}: check must be a check id (kebab-case)`,
      hint: 'use an id from `cloudward checks list`',
    };
  if (error.keyword === 'additionalProperties') {
    return {
      message: `${which} has an unknown field "${String(error.params.additionalProperty)}"`,
      hint: 'allowed fields: id, check, resource, owner, reason, ticket, expires',
    };
  }
  if (field && (error.keyword === 'pattern' || error.keyword === 'minLength'))
    return { message: `${which}: ${String(field)} is empty`, hint: REQUIRED_HINT };
  return {
    message: `invalid waivers file: ${describeAjvError(error as Parameters<typeof describeAjvError>[0])}`,
    hint: 'see schemas/waivers.schema.json',
  };
}

/**
 * Parses and validates waivers text. Every problem is a UserError naming `file:line`: a missing owner, reason or
 * expiry, a date that is not a calendar date, a duplicate id, or a check id that no loaded check has.
 */
export function parseWaivers(
  text: string,
  file: string,
  knownCheckIds: Iterable<string>,
  lifetime?: WaiverLifetime,
): Waiver[] {
  const yaml = parseYamlText(text, file);
  const value = yaml.value ?? null;
  if (value === null)
    throw new UserError('waivers file is empty', {
      where: `${file}:1`,
      hint: 'write `waivers: []` for no waivers, or list them (see schemas/waivers.schema.json)',
    });
  validator ??= createAjv().compile(loadSchema('waivers.schema.json'));
  if (!validator(value)) {
    const error = mostSpecificError(validator.errors ?? []);
    const { message, hint } = explain(error, value);
    throw new UserError(message, { where: `${file}:${yaml.lineOf(pointerSegments(error.instancePath))}`, hint });
  }
  const known = new Set(knownCheckIds);
  const ids = new Map<string, number>();
  return (value as { waivers: WaiverDefinition[] }).waivers.map((definition, index) => {
    const line = yaml.lineOf(['waivers', index]);
    const where = `${file}:${line}`;
    const id = definition.id ?? `waiver-${index + 1}`;
    const earlier = ids.get(id);
    if (earlier !== undefined)
      throw new UserError(`waiver id "${id}" is used twice (also at line ${earlier})`, {
        where,
        hint: 'give each waiver its own id',
      });
    ids.set(id, line);
    if (!known.has(definition.check)) {
      throw new UserError(`waiver ${index + 1} names unknown check "${definition.check}"`, {
        where: `${file}:${yaml.lineOf(['waivers', index, 'check'])}`,
        hint: 'use an id from `cloudward checks list` (a renamed or removed check leaves its waivers behind)',
      });
    }
    if (Number.isNaN(expiryInstant(definition.expires))) {
      throw new UserError(
        `waiver ${index + 1} (${id}) has an invalid expiry date ${JSON.stringify(definition.expires)}`,
        { where: `${file}:${yaml.lineOf(['waivers', index, 'expires'])}`, hint: 'write it as YYYY-MM-DD' },
      );
    }
    if (lifetime && definition.expires > latestExpiry(lifetime)) {
      throw new UserError(
        `waiver ${index + 1} (${id}) expires ${definition.expires}, more than ${lifetime.maxDays} days after the report time ${lifetime.now.slice(0, 10)}`,
        {
          where: `${file}:${yaml.lineOf(['waivers', index, 'expires'])}`,
          hint: `set expires to ${latestExpiry(lifetime)} or earlier and review the risk then, or raise the limit with --max-waiver-days (max-waiver-days in cloudward.yaml)`,
        },
      );
    }
    return {
      id,
      check: definition.check,
      resource: definition.resource,
      owner: definition.owner.trim(),
      reason: definition.reason.trim(),
      ...(definition.ticket ? { ticket: definition.ticket.trim() } : {}),
      expires: definition.expires,
      where,
    };
  });
}

/** Reads a waivers file (YAML) with the usual input checks; see parseWaivers. */
export async function loadWaivers(
  file: string,
  knownCheckIds: Iterable<string>,
  lifetime?: WaiverLifetime,
): Promise<Waiver[]> {
  return parseWaivers(await readInputText(file, 'waivers file', MAX_WAIVERS_BYTES), file, knownCheckIds, lifetime);
}

/** A resource-uid glob. `nonegate`/`nocomment`: a leading `!` or `#` in a uid pattern is literal, not syntax. */
function uidMatcher(pattern: string): (uid: string) => boolean {
  const glob = new Minimatch(pattern, { dot: true, nonegate: true, nocomment: true, noext: true, platform: 'linux' });
  return (uid) => glob.match(uid);
}

/**
 * Applies waivers to evaluation results (before scoring, so a waived result counts as not passing). Failing and
 * unknown results matched by an unexpired waiver become `waived` (the first matching waiver in file order is
 * recorded); passing results are left alone. A waiver whose expiry is before `now` waives nothing and is `expired`;
 * one that matches no failing or unknown result is `stale`.
 */
export function applyWaivers(
  results: Result[],
  waivers: Waiver[],
  now: string,
): { results: Result[]; notes: WaiverNote[] } {
  const at = Date.parse(now);
  // An expiry that is not a date (parseWaivers refuses those) counts as passed: a waiver never lasts by mistake.
  const compiled = waivers.map((waiver) => ({
    waiver,
    matches: uidMatcher(waiver.resource),
    expired: !(expiryInstant(waiver.expires) > at),
    matched: 0,
  }));
  const byCheck = new Map<string, typeof compiled>();
  for (const entry of compiled) byCheck.set(entry.waiver.check, [...(byCheck.get(entry.waiver.check) ?? []), entry]);
  const out = results.map((result) => {
    if (result.status === 'pass') return result;
    let applied: Result | undefined;
    for (const entry of byCheck.get(result.checkId) ?? []) {
      if (!entry.matches(result.resource.uid)) continue;
      // Expired waivers still count what they would have covered, so the report can say what came back.
      entry.matched++;
      if (entry.expired || applied) continue;
      const { waiver } = entry;
      applied = {
        ...result,
        status: 'waived',
        waiver: {
          id: waiver.id,
          owner: waiver.owner,
          reason: waiver.reason,
          ...(waiver.ticket ? { ticket: waiver.ticket } : {}),
          expires: waiver.expires,
        },
      };
    }
    return applied ?? result;
  });
  const notes: WaiverNote[] = compiled.map(({ waiver, expired, matched }) => ({
    id: waiver.id,
    checkId: waiver.check,
    resource: waiver.resource,
    owner: waiver.owner,
    reason: waiver.reason,
    expires: waiver.expires,
    ...(waiver.ticket ? { ticket: waiver.ticket } : {}),
    state: expired ? 'expired' : matched === 0 ? 'stale' : 'active',
    matched,
  }));
  return { results: out, notes };
}
