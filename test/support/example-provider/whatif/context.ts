/**
 * What the Demo Cloud change handlers share: the project each change lands in (an error naming the address for one
 * the snapshot does not cover), an edited copy of that project's raw bundle, and, from the kit's `PlanValues`, the
 * values of a change's attributes, the gaps (a value known only after apply, a sensitive one) and what each change
 * touched (snapshot uids).
 */
import { UserError } from '../../../../src/errors.js';
import type { RawBundle } from '../../../../src/providers/types.js';
import type { Plan, PlanChange } from '../../../../src/providers/whatif/plan.js';
import { PlanValues } from '../../../../src/providers/whatif/plan-values.js';
import { scopeKey } from '../../../../src/snapshot/model.js';

export class DemoContext extends PlanValues<string> {
  /** Edited copies of the bundles, by project id: only these are normalized again. */
  private readonly copies = new Map<string, RawBundle>();
  /** The scope key each change lands in, for its note. */
  readonly landed = new Map<string, string>();

  constructor(
    plan: Plan,
    private readonly bundles: RawBundle[],
    private readonly snapshotScopes: Set<string>,
  ) {
    super(plan);
  }

  /** The scope key of a project's results. */
  static scopeOf(project: string): string {
    return scopeKey('demo', { kind: 'project', id: project });
  }

  /**
   * The edited copy of the bundle of the project a change names in `project` (its `before` side for a delete), or
   * undefined when the value is not known before apply or is empty (a gap then leaves every Demo Cloud result open).
   */
  project(change: PlanChange, side?: 'before' | 'after'): RawBundle | undefined {
    const id = this.requiredText(change, 'project', ['demo'], side);
    if (id === undefined) return undefined;
    if (!this.snapshotScopes.has(id)) {
      throw new UserError(
        `the plan changes Demo Cloud project ${id} (${change.address}), which the snapshot does not cover`,
        {
          where: this.plan.file,
          hint: `audit a snapshot that includes ${id} (cloudward collect demo), or plan against a project the snapshot covers`,
        },
      );
    }
    let copy = this.copies.get(id);
    if (!copy) {
      const original = this.bundles.find((b) => b.scope.id === id);
      if (!original)
        throw new UserError(`no raw documents of Demo Cloud project ${id}, which ${change.address} changes`, {
          where: '--raw',
          hint: 'pass the folder `cloudward collect demo --raw-out` wrote',
        });
      copy = structuredClone(original);
      this.copies.set(id, copy);
    }
    if (!this.landed.has(change.address)) this.landed.set(change.address, DemoContext.scopeOf(id));
    return copy;
  }

  /** The body of a bundle's document of a kind, created empty when the bundle has none. */
  body<T extends object>(bundle: RawBundle, kind: string, empty: T): T {
    let document = bundle.documents.find((d) => d.kind === kind);
    if (!document) bundle.documents.push((document = { kind, origin: 'terraform plan', body: empty }));
    return document.body as T;
  }

  /** The bundles changes were applied to. */
  get touched(): RawBundle[] {
    return [...this.copies.values()];
  }
}
