import type { FileStats } from './read.js';
import type { Rule } from './rules.js';
import { logReaders } from './log-readers.js';

/** Fields some rules cannot do without, and that a whole export may lack (a pipeline that dropped them, a v1.0 API). */
export type CoverageField = 'src.ip' | 'client' | 'actor.mfa' | 'signInMethod';

export const COVERAGE_FIELDS: Record<CoverageField, string> = {
  'src.ip': 'source address',
  client: 'user agent or client app id',
  'actor.mfa': 'MFA state',
  signInMethod: 'sign-in method (authentication protocol; Graph v1.0 exports none)',
};

/** The log source a field is only carried by (declared by its provider's audit-log part), if only one. */
const onlyIn = (field: CoverageField): string | undefined =>
  logReaders()
    .map((r) => r.logs.fieldsOnlyIn?.[field])
    .find((s) => s !== undefined);

/** Rules that could not fire on some inputs because no event in them carries a field the rule needs. */
export interface CoverageGap {
  field: CoverageField;
  files: string[];
  rules: string[];
}

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a property schema only accepts values a missing field cannot have (null, or the `unknown` client kind). */
function demands(schema: unknown, absent: unknown): boolean {
  if (!isObject(schema)) return false;
  if ('const' in schema) return schema.const !== absent;
  if (Array.isArray(schema.enum)) return !schema.enum.includes(absent);
  if (schema.type === 'string' || schema.type === 'boolean') return absent === null;
  return false;
}

/** Walks a match schema (not under `not`) and records which coverage fields it demands. */
function walk(schema: unknown, needs: Set<CoverageField>): void {
  if (!isObject(schema)) return;
  const props = isObject(schema.properties) ? schema.properties : {};
  const sub = (name: string): Schema => (isObject(props[name]) ? props[name] : {});
  const nested = (name: string): Schema => (isObject(sub(name).properties) ? (sub(name).properties as Schema) : {});
  const src = sub('src');
  if ((Array.isArray(src.required) && src.required.includes('ip')) || demands(nested('src').ip, null))
    needs.add('src.ip');
  if (demands(nested('client').kind, 'unknown') || demands(nested('client').tool, null)) needs.add('client');
  if (demands(nested('actor').mfa, null)) needs.add('actor.mfa');
  if (demands(props.signInMethod, null)) needs.add('signInMethod');
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    // A field every branch demands is needed; one branch's demand alone is not.
    const per = list.map((branch) => {
      const s = new Set<CoverageField>();
      walk(branch, s);
      return s;
    });
    for (const field of per[0] ?? []) if (key === 'allOf' || per.every((s) => s.has(field))) needs.add(field);
    if (key === 'allOf') for (const s of per) for (const f of s) needs.add(f);
  }
}

/** The coverage fields a rule needs: those its match demands and those it groups or keys by. */
export function ruleNeeds(rule: Rule): Set<CoverageField> {
  const d = rule.definition;
  const needs = new Set<CoverageField>();
  walk(d.match, needs);
  if (d.firstSeen?.alertWhen) walk(d.firstSeen.alertWhen, needs);
  const keyed = [
    ...(d.threshold?.by ?? []),
    d.threshold?.distinct ?? '',
    ...(d.firstSeen?.key ?? []),
    ...(d.firstSeen?.value ?? []),
    ...(d.sequence?.by ?? []),
  ];
  if (keyed.includes('src.ip')) needs.add('src.ip');
  if (keyed.includes('actor.mfa')) needs.add('actor.mfa');
  if (keyed.includes('signInMethod')) needs.add('signInMethod');
  if (keyed.some((k) => k.startsWith('client.'))) needs.add('client');
  if (d.sequence) {
    // A sequence needs a field when its first step does (no sequence can start without it).
    const first = new Set<CoverageField>();
    walk(d.sequence.steps[0]?.match, first);
    for (const f of first) needs.add(f);
  }
  return needs;
}

/**
 * For each field, the inputs in which no event carried it, and the rules (for that input's cloud) that need it: a
 * quiet report on such an input means "could not look", and the report says so.
 */
export function coverageGaps(files: FileStats[], rules: Rule[]): CoverageGap[] {
  const needs = rules.map((rule) => ({ rule, needs: ruleNeeds(rule), clouds: rule.definition.clouds }));
  const groups = new Map<string, CoverageGap>();
  for (const file of files) {
    if (file.used === 0 || !file.cloud) continue;
    for (const field of Object.keys(COVERAGE_FIELDS) as CoverageField[]) {
      if (file.present[field] > 0 || (onlyIn(field) ?? file.source) !== file.source) continue;
      const blind = needs
        .filter((n) => n.needs.has(field) && (!n.clouds || n.clouds.includes(file.cloud as string)))
        .map((n) => n.rule.id);
      if (blind.length === 0) continue;
      const key = `${field}\u0000${blind.join(',')}`;
      const gap = groups.get(key) ?? { field, files: [], rules: blind };
      gap.files.push(file.file);
      groups.set(key, gap);
    }
  }
  return [...groups.values()];
}

/** One line per gap, for the text report, SARIF notifications and the gaps list. */
export function coverageText(gap: CoverageGap, display: (file: string) => string = (f) => f): string {
  const shown = gap.files.slice(0, 3).map(display).join(', ');
  const more = gap.files.length > 3 ? ` and ${gap.files.length - 3} more` : '';
  return `no event has a ${COVERAGE_FIELDS[gap.field]} in ${gap.files.length} file(s) (${shown}${more}): these rules could not fire on them: ${gap.rules.join(', ')}`;
}
