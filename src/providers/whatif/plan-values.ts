/**
 * What every projector's context shares: the values of a change's attributes (known, known through a reference to
 * another planned resource, or unknown), the values projectors computed for planned resources, and the record of what
 * each change touched and what could not be known.
 */
import { referencesOf, type Plan, type PlanChange } from './plan.js';
import type { ProjectionGap } from './types.js';

/** A value the plan gives for an attribute, or why it cannot be known before apply. */
export type Value = { known: true; value: unknown } | { known: false; reason: string };

export class PlanValues<Touch> {
  readonly gaps: ProjectionGap[] = [];
  readonly touches = new Map<string, Touch[]>();
  /** Values handlers computed for planned resources (an ARN or object id known only after apply). */
  readonly planned = new Map<string, Record<string, unknown>>();
  protected readonly byAddress = new Map<string, PlanChange>();

  constructor(readonly plan: Plan) {
    for (const change of plan.changes) this.byAddress.set(change.address, change);
  }

  touch(change: PlanChange, touch: Touch): void {
    const list = this.touches.get(change.address) ?? [];
    list.push(touch);
    this.touches.set(change.address, list);
  }

  gap(change: PlanChange, reason: string, attribute?: string, scopes: string[] = []): void {
    this.gaps.push({ address: change.address, ...(attribute ? { attribute } : {}), reason, scopes });
  }

  /**
   * The value of an attribute: from `after` (or `before` for a delete) when known and not sensitive; through the
   * configuration's reference to another planned resource when known only after apply; otherwise unknown.
   */
  value(
    change: PlanChange,
    attribute: string,
    side: 'before' | 'after' = change.action === 'delete' ? 'before' : 'after',
  ): Value {
    if (change.sensitive.has(attribute))
      return { known: false, reason: `${attribute} is sensitive; cloudward does not read sensitive plan values` };
    const values = side === 'before' ? change.before : change.after;
    if (side === 'after' && change.afterUnknown.has(attribute)) {
      const resolved = this.resolveReference(change, attribute);
      if (resolved !== undefined) return { known: true, value: resolved };
      return { known: false, reason: `${attribute} is known only after apply` };
    }
    return { known: true, value: values?.[attribute] ?? null };
  }

  /**
   * A known string attribute, or undefined: after recording a gap naming the change and attribute when the value is
   * not known before apply; silently when it is known but empty or not a string (an optional attribute left out).
   */
  text(change: PlanChange, attribute: string, scopes: string[], side?: 'before' | 'after'): string | undefined {
    const value = this.value(change, attribute, side);
    if (!value.known) {
      this.gap(change, value.reason, attribute, scopes);
      return undefined;
    }
    return typeof value.value === 'string' && value.value !== '' ? value.value : undefined;
  }

  /**
   * A string attribute the change cannot be applied without: its known, non-empty value, or undefined after recording
   * a gap naming the change and attribute (known only after apply, sensitive, empty or not a string), so that a change
   * whose required value is missing is never listed as projected while nothing was applied. `text` is for optional ones.
   */
  requiredText(change: PlanChange, attribute: string, scopes: string[], side?: 'before' | 'after'): string | undefined {
    const value = this.value(change, attribute, side);
    if (value.known && typeof value.value === 'string' && value.value !== '') return value.value;
    const reason = !value.known
      ? value.reason
      : value.value === null || value.value === ''
        ? `${attribute} is empty`
        : `${attribute} is not a string`;
    this.gap(change, reason, attribute, scopes);
    return undefined;
  }

  /** The value an attribute known only after apply takes through its configuration's reference, when the plan knows it. */
  protected resolveReference(change: PlanChange, attribute: string): unknown {
    const prefix = change.moduleAddress ? `${change.moduleAddress}.` : '';
    const key = /(\[[^\]]*\])$/.exec(change.address)?.[1] ?? '';
    for (const reference of referencesOf(change.expressions, attribute)) {
      const match = /^((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)(\[[^\]]+\])?\.([a-z_]+)$/.exec(reference);
      if (!match) continue;
      const [, resource, index, referenced] = match;
      for (const address of [
        `${prefix}${resource}${index ?? ''}`,
        `${prefix}${resource}${key}`,
        `${prefix}${resource}`,
      ]) {
        const target = this.byAddress.get(address);
        if (!target) continue;
        const planned = this.planned.get(address)?.[referenced!];
        if (planned !== undefined) return planned;
        if (
          !target.afterUnknown.has(referenced!) &&
          !target.sensitive.has(referenced!) &&
          target.after?.[referenced!] !== undefined
        )
          return target.after[referenced!];
      }
    }
    return undefined;
  }
}
