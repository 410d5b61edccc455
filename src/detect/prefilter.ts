import type { DetectEvent } from './event.js';

/**
 * A condition every event a match schema accepts meets: when the event has the field (`head`, or `head.tail`), its
 * value is one of `values`, or of one of `types`. Read off the schema's `const`, `enum` and `type` keywords under
 * `properties`, so that the engine can pass over a rule without running its validator for the many events that
 * cannot match it.
 */
export interface FieldCondition {
  head: string;
  tail?: string;
  /** By `const` or `enum`: the values allowed. */
  values?: ReadonlySet<unknown>;
  /** By `type`: the JSON types allowed. */
  types?: ReadonlySet<string>;
}

const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

const JSON_TYPES = new Set(['null', 'boolean', 'number', 'integer', 'string', 'object', 'array']);

/** What a field's schema allows by `const`, by `enum` (when all primitives) and by `type`, each a condition. */
function allowed(schema: Record<string, unknown>): Array<Pick<FieldCondition, 'values' | 'types'>> {
  const out: Array<Pick<FieldCondition, 'values' | 'types'>> = [];
  if ('const' in schema && isPrimitive(schema.const)) out.push({ values: new Set([schema.const]) });
  if (Array.isArray(schema.enum) && schema.enum.every(isPrimitive)) out.push({ values: new Set(schema.enum) });
  const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
  if (Array.isArray(types) && types.length > 0 && types.every((t) => JSON_TYPES.has(t as string)))
    out.push({ types: new Set(types as string[]) });
  return out;
}

/** Whether a value is of one of the JSON types (a number of any of `number` and `integer`: the validator decides those). */
function ofType(types: ReadonlySet<string>, v: unknown): boolean {
  if (v === null) return types.has('null');
  switch (typeof v) {
    case 'string':
      return types.has('string');
    case 'boolean':
      return types.has('boolean');
    case 'number':
      return types.has('number') || types.has('integer');
    case 'object':
      return types.has(Array.isArray(v) ? 'array' : 'object');
    default:
      return true;
  }
}

const asSchema = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The field conditions a match schema implies (JSON Schema: every keyword of a schema, and every entry of its
 * `allOf`, must hold; `anyOf`, `oneOf` and `not` imply none). Only what is certain is taken: a schema this does not
 * understand yields fewer conditions, never a wrong one.
 */
export function necessaryConditions(schema: unknown, out: FieldCondition[] = []): FieldCondition[] {
  const s = asSchema(schema);
  if (!s) return out;
  const props = asSchema(s.properties);
  if (props) {
    for (const [head, sub] of Object.entries(props)) {
      const field = asSchema(sub);
      if (!field) continue;
      for (const allows of allowed(field)) out.push({ head, ...allows });
      const nested = asSchema(field.properties);
      if (nested) {
        for (const [tail, leaf] of Object.entries(nested)) {
          const l = asSchema(leaf);
          if (l) for (const allows of allowed(l)) out.push({ head, tail, ...allows });
        }
      }
    }
  }
  if (Array.isArray(s.allOf)) for (const entry of s.allOf) necessaryConditions(entry, out);
  return out;
}

/** The field's value in the event, or undefined when the event has no such field. */
function fieldValue(event: DetectEvent, c: FieldCondition): unknown {
  const head = (event as unknown as Record<string, unknown>)[c.head];
  if (c.tail === undefined) return head;
  return head !== null && typeof head === 'object' && !Array.isArray(head)
    ? (head as Record<string, unknown>)[c.tail]
    : undefined;
}

/** False when the event fails some condition (the schema cannot accept it); true says nothing. */
export function meetsConditions(event: DetectEvent, conditions: readonly FieldCondition[]): boolean {
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    const v = fieldValue(event, c);
    if (
      v !== undefined &&
      ((c.values !== undefined && !c.values.has(v)) || (c.types !== undefined && !ofType(c.types, v)))
    )
      return false;
  }
  return true;
}
