/**
 * What every Google change handler shares: the bundles open for editing, the organization, folder, project or
 * service account each change lands in (an error for one the snapshot does not cover), the values of a change's
 * attributes (known, known through a reference to another planned resource, or unknown), and the record of what each
 * change touched and what could not be known.
 */
import { UserError } from '../../../errors.js';
import { parseMember, serviceAccountProject } from '../members.js';
import type { RawBundle } from '../../types.js';
import { constantOf, dataSourceValues, referencesOf, type Plan, type PlanChange } from '../../whatif/plan.js';
import { PlanValues } from '../../whatif/plan-values.js';
import { GcpDocs } from './docs.js';

/** Something a change reaches, resolved to snapshot uids once the projected part is normalized. */
export type Touch =
  | { kind: 'member'; member: string }
  /** A role; `holders`: its permissions change, so whoever holds it is reached too. */
  | { kind: 'role'; name: string; holders?: true }
  | { kind: 'orgPolicy'; resource: string; constraint: string }
  | { kind: 'audit'; resource: string }
  | { kind: 'scope'; key: string };

/** Where a change lands: the bundle, the resource (canonical name) and the snapshot scope key of its results. */
export interface Target {
  docs: GcpDocs;
  resource: string;
  scope: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function scopeOf(kind: 'organization' | 'project', id: string): string {
  return `gcp:${kind}/${id}`;
}

/** The member key a principal uid ends with (`user/ana@acme.com`), for comparing members whatever their case. */
export function memberKey(member: string): string {
  return parseMember(member)?.key ?? member;
}

export class GcpContext extends PlanValues<Touch> {
  readonly bundles: GcpDocs[];
  /** The scope key each change lands in (the first one, for a change that moves). */
  readonly landed = new Map<string, string>();

  constructor(
    plan: Plan,
    bundles: RawBundle[],
    readonly snapshotScopes: Set<string>,
  ) {
    super(plan);
    this.bundles = bundles.map((b) => new GcpDocs(b));
  }

  land(change: PlanChange, target: Target): void {
    if (!this.landed.has(change.address)) this.landed.set(change.address, target.scope);
  }

  /** When the bundle was read: "now" for a key the plan creates. */
  collectedAt(docs: GcpDocs): string {
    return docs.bundle.collectedAt;
  }

  private notCovered(change: PlanChange, what: string, hint: string): UserError {
    return new UserError(
      `the plan changes Google Cloud ${what} (${change.address}), which the snapshot does not cover`,
      { where: this.plan.file, hint },
    );
  }

  /** The scope key of a resource's results: its project, or the bundle's organization (or lone project). */
  scopeOfResource(docs: GcpDocs, resource: string): string {
    const project = docs.hierarchy.projectOf(resource);
    const estate = docs.bundle.scope;
    if (project && this.snapshotScopes.has(project) && !(estate.kind === 'project' && estate.id === project))
      return scopeOf('project', project);
    return scopeOf(estate.kind as 'organization' | 'project', estate.id);
  }

  /** Every scope key of a bundle: its organization (or lone project) and its projects the snapshot covers. */
  bundleScopes(docs: GcpDocs): string[] {
    const estate = docs.bundle.scope;
    const projects = [...docs.hierarchy.projects.keys()].filter(
      (id) => this.snapshotScopes.has(id) && !(estate.kind === 'project' && estate.id === id),
    );
    return [
      scopeOf(estate.kind as 'organization' | 'project', estate.id),
      ...projects.map((id) => scopeOf('project', id)),
    ];
  }

  organization(change: PlanChange, raw: string): Target {
    const id = raw.replace(/^organizations\//, '');
    const docs = this.bundles.find((d) => d.bundle.scope.kind === 'organization' && d.bundle.scope.id === id);
    if (!docs) {
      if (this.snapshotScopes.has(id)) throw this.noRaw(change, `organizations/${id}`);
      throw this.notCovered(
        change,
        `organizations/${id}`,
        `audit a snapshot of that organization (cloudward collect gcp --organization ${id}), or plan against the organization the snapshot covers`,
      );
    }
    return { docs, resource: `organizations/${id}`, scope: scopeOf('organization', id) };
  }

  folder(change: PlanChange, raw: string): Target {
    const resource = raw.startsWith('folders/') ? raw : `folders/${raw}`;
    const docs = this.bundles.find((d) => d.folders.has(resource));
    if (!docs)
      throw this.notCovered(
        change,
        resource,
        'audit a snapshot of the organization that holds the folder, or plan against a folder the snapshot covers',
      );
    return { docs, resource, scope: this.scopeOfResource(docs, resource) };
  }

  project(change: PlanChange, raw: string): Target {
    const given = raw.replace(/^projects\//, '');
    for (const docs of this.bundles) {
      const id = docs.hierarchy.projectId(given);
      if (docs.hierarchy.projects.has(id))
        return { docs, resource: `projects/${id}`, scope: this.scopeOfResource(docs, `projects/${id}`) };
    }
    const named = this.bundles.flatMap((d) => [...d.hierarchy.projects.values()]).find((p) => p.name === given);
    throw this.notCovered(
      change,
      `projects/${given}`,
      named
        ? `"${given}" is the name of project ${named.id}; Terraform's project attribute takes the project id`
        : `audit a snapshot that includes projects/${given}, or plan against a project the snapshot covers`,
    );
  }

  private noRaw(change: PlanChange, what: string): UserError {
    return new UserError(`no raw documents of Google Cloud ${what}, which ${change.address} changes`, {
      where: '--raw',
      hint: 'pass the raw documents the snapshot was made from: the folder `cloudward collect gcp --raw-out` wrote, or the gcloud exports `import gcp` read',
    });
  }

  /** The project of a change from its `project` attribute, or the provider block's project. */
  projectOf(change: PlanChange, attribute = 'project'): Target | undefined {
    const value = this.value(change, attribute);
    if (value.known && typeof value.value === 'string' && value.value !== '') return this.project(change, value.value);
    const key = change.providerConfigKey ?? 'google';
    const config = this.plan.providerConfigs.get(key);
    const fallback = config ? constantOf(config.expressions, 'project') : undefined;
    if (typeof fallback === 'string' && fallback !== '') return this.project(change, fallback);
    if (value.known) {
      const read = this.providerProjectRead(key);
      if (read) return this.project(change, read);
    }
    this.gap(
      change,
      value.known
        ? `${attribute} is not set, and neither the provider block nor a data source it reads (google_client_config, google_project) names a project`
        : value.reason,
      attribute,
      ['gcp'],
    );
    return undefined;
  }

  /**
   * The provider block's project as the data sources read through it while planning say it: google_client_config's
   * `project`, or the `project_id` of a google_project that names none itself (it then reads the provider's project).
   * Undefined unless they name exactly one.
   */
  private providerProjectRead(key: string): string | undefined {
    const found = new Set([
      ...dataSourceValues(this.plan, 'google_client_config', key, 'project'),
      ...dataSourceValues(this.plan, 'google_project', key, 'project_id', ['project_id']),
    ]);
    return found.size === 1 ? [...found][0] : undefined;
  }

  /**
   * A service account from a `service_account_id` (`projects/P/serviceAccounts/EMAIL`, `projects/-/serviceAccounts/ID`,
   * or the email): its email, project and the resource name of its own allow policy.
   */
  serviceAccount(change: PlanChange, raw: string): (Target & { email: string; uniqueId?: string }) | undefined {
    const match = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/.exec(raw);
    const id = match ? match[2]! : raw;
    for (const docs of this.bundles) {
      const found = docs.serviceAccount(id);
      if (!found) continue;
      const project = docs.hierarchy.projectId(found.project);
      const resource = this.accountResource(docs, project, found.account.email, found.account.uniqueId);
      return {
        docs,
        resource,
        scope: this.scopeOfResource(docs, `projects/${project}`),
        email: found.account.email.toLowerCase(),
        ...(found.account.uniqueId ? { uniqueId: found.account.uniqueId } : {}),
      };
    }
    const planned = [...this.planned.values()].find((p) => p.email === id.toLowerCase() || p.unique_id === id);
    const email = typeof planned?.email === 'string' ? planned.email : id.includes('@') ? id.toLowerCase() : undefined;
    const projectName =
      (match && match[1] !== '-' ? match[1] : undefined) ?? (email ? serviceAccountProject(email) : undefined);
    if (!email || !projectName) {
      this.gap(
        change,
        `service account ${raw} is neither in the raw documents nor created by this plan`,
        'service_account_id',
        ['gcp'],
      );
      return undefined;
    }
    const target = this.project(change, projectName);
    const project = target.resource.slice('projects/'.length);
    return { ...target, resource: this.accountResource(target.docs, project, email, undefined), email };
  }

  /**
   * A Cloud Storage bucket (`bucket = "b/NAME"` or `"NAME"`): one whose allow policy the raw documents hold, or one the
   * plan creates (`google_storage_bucket` with that name) in a project the snapshot covers.
   */
  bucket(change: PlanChange, raw: string): Target | undefined {
    const name = raw.replace(/^b\//, '');
    const resource = `//storage.googleapis.com/${name}`;
    const docs = this.bundles.find((d) => d.hasPolicy(resource));
    if (docs) return { docs, resource, scope: this.scopeOfResource(docs, resource) };
    const created = this.plan.changes.find(
      (c) => c.type === 'google_storage_bucket' && c.action !== 'delete' && c.after?.name === name,
    );
    const project = created ? this.projectOf(created) : undefined;
    if (!project) {
      this.gap(change, `bucket ${name} is neither in the raw documents nor created by this plan`, 'bucket', ['gcp']);
      return undefined;
    }
    return { docs: project.docs, resource, scope: project.scope };
  }

  /** The resource name Cloud Asset gives a service account's allow policy (the one the bundle already holds, if any). */
  private accountResource(docs: GcpDocs, project: string, email: string, uniqueId: string | undefined): string {
    const number = docs.hierarchy.projects.get(project)?.number;
    const names = [uniqueId, email]
      .filter((n): n is string => Boolean(n))
      .flatMap((n) =>
        [project, number].filter(Boolean).map((p) => `//iam.googleapis.com/projects/${p}/serviceAccounts/${n}`),
      );
    return names.find((n) => docs.hasPolicy(n)) ?? names[0]!;
  }

  /** A known, non-empty string attribute, or undefined after recording a gap naming the change and attribute (an empty one too). */
  override text(
    change: PlanChange,
    attribute: string,
    scopes: string[],
    side?: 'before' | 'after',
  ): string | undefined {
    const value = this.value(change, attribute, side);
    if (!value.known) {
      this.gap(change, value.reason, attribute, scopes);
      return undefined;
    }
    if (typeof value.value === 'string' && value.value !== '') return value.value;
    this.gap(change, `${attribute} is empty`, attribute, scopes);
    return undefined;
  }

  /**
   * An attribute whose expression refers to another resource of the plan. A member written as
   * `"serviceAccount:${google_service_account.x.email}"` refers to the email: the member form is put back around it.
   */
  protected override resolveReference(change: PlanChange, attribute: string): unknown {
    const prefix = change.moduleAddress ? `${change.moduleAddress}.` : '';
    const instance = /(\[[^\]]*\])$/.exec(change.address)?.[1] ?? '';
    for (const reference of referencesOf(change.expressions, attribute)) {
      const parts = /^([a-z0-9_]+\.[A-Za-z0-9_-]+)(\[[^\]]+\])?\.([a-z_]+)$/.exec(reference);
      if (!parts) continue;
      const [, resource, index, field] = parts as unknown as [string, string, string | undefined, string];
      for (const address of [
        `${prefix}${resource}${index ?? ''}`,
        `${prefix}${resource}${instance}`,
        `${prefix}${resource}`,
      ]) {
        const target = this.byAddress.get(address);
        if (!target) continue;
        let found = this.planned.get(address)?.[field];
        if (found === undefined && !target.afterUnknown.has(field) && !target.sensitive.has(field))
          found = target.after?.[field];
        if (found === undefined || found === null) continue;
        if (attribute !== 'member' && attribute !== 'members') return found;
        // A member must come out in member form; a bare value the configuration wraps otherwise is not known here.
        const member =
          field === 'email' && typeof found === 'string' && target.type === 'google_service_account'
            ? `serviceAccount:${found}`
            : found;
        const list = Array.isArray(member) ? (member as unknown[]) : [member];
        if (!list.every((m) => typeof m === 'string' && parseMember(m) !== undefined)) continue;
        return attribute === 'members' ? list : member;
      }
    }
    return undefined;
  }
}

/** The IAM condition of a change (`condition { title expression description }`), in the policy's form. */
export function conditionOf(
  values: Record<string, unknown> | null | undefined,
): { title?: string; expression?: string; description?: string } | undefined {
  const block = Array.isArray(values?.condition) ? (values!.condition as unknown[])[0] : values?.condition;
  if (!isObject(block) || typeof block.expression !== 'string' || block.expression === '') return undefined;
  return {
    ...(typeof block.title === 'string' && block.title !== '' ? { title: block.title } : {}),
    ...(typeof block.description === 'string' && block.description !== '' ? { description: block.description } : {}),
    expression: block.expression,
  };
}
