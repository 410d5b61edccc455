/**
 * The resource hierarchy of one bundle: organization, folders and projects, project numbers and ids, and each
 * resource's ancestors, so bindings and deny policies apply downward and names in either form meet.
 */
import type { RawBundle } from '../types.js';
import {
  DocumentKind,
  type Folder,
  type IamPolicy,
  type IamPolicyBody,
  type IamPolicySearchResult,
  type KeysBody,
  type Organization,
  type Project,
  type ServiceAccountsBody,
} from './documents.js';
import { projectNumberOfAgent } from './members.js';

const NUMBER = /^\d+$/;
/** A service account's full resource name by unique id, as Cloud Asset prints it. */
export const ACCOUNT_BY_ID = /^(\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/)(\d+)$/;

/**
 * Project number -> id pairs the documents prove: `gcloud projects list` (projectNumber); a resource name with the
 * project id beside a `project: projects/<number>` (Cloud Asset); a project's default compute account
 * (`<number>-compute@developer.gserviceaccount.com`) listed or keyed under the project id; and, in a project's own
 * allow policy, the service agents Google grants there when the project is made (`<number>@cloudservices...` first,
 * then `<number>-compute@...`, then `service-<number>@...`), when exactly one number is named and by no other project.
 */
function projectNumbers(bundle: RawBundle): Map<string, string> {
  const pairs = new Map<string, string>();
  const pair = (number: string, id: string) => {
    if (NUMBER.test(number) && id && !NUMBER.test(id) && id !== '-' && !pairs.has(number)) pairs.set(number, id);
  };
  const policiesById: Array<{ id: string; policy: IamPolicy }> = [];
  for (const d of bundle.documents) {
    if (d.kind === DocumentKind.projects) {
      for (const p of d.body as Project[]) {
        // v1 (gcloud projects list) prints projectNumber; v3 (projects.search) names the project by number.
        const number =
          p.projectNumber !== undefined ? String(p.projectNumber) : /^projects\/(\d+)$/.exec(p.name ?? '')?.[1];
        if (number) pair(number, p.projectId);
      }
    }
    if (d.kind === DocumentKind.assetIamPolicies) {
      for (const r of d.body as IamPolicySearchResult[]) {
        const number = /^projects\/(\d+)$/.exec(r.project ?? '')?.[1];
        const id = /^\/\/[^/]+\/projects\/([^/]+)/.exec(r.resource)?.[1];
        if (number && id) pair(number, id);
        if (
          id &&
          !NUMBER.test(id) &&
          /^\/\/cloudresourcemanager\.googleapis\.com\/projects\/[^/]+$/.test(r.resource) &&
          r.policy
        )
          policiesById.push({ id, policy: r.policy });
      }
    }
    if (d.kind === DocumentKind.iamPolicy) {
      const body = d.body as IamPolicyBody;
      const id = /^projects\/([^/]+)$/.exec(body.resource)?.[1];
      if (id && !NUMBER.test(id)) policiesById.push({ id, policy: body.policy });
    }
    if (d.kind === DocumentKind.serviceAccounts) {
      const body = d.body as ServiceAccountsBody;
      for (const a of body.accounts) {
        const number = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(a.email ?? '')?.[1];
        if (number) pair(number, a.projectId ?? body.project);
      }
    }
    if (d.kind === DocumentKind.serviceAccountKeys) {
      const body = d.body as KeysBody;
      const number = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(body.serviceAccount)?.[1];
      const id = body.keys
        .map((k) => /^projects\/([^/]+)\/serviceAccounts\//.exec(k.name)?.[1])
        .find((p) => p !== undefined);
      if (number && id) pair(number, id);
    }
  }
  for (const tier of ['cloudservices', 'compute', 'agent'] as const) {
    const byNumber = new Map<string, Set<string>>();
    const byProject = new Map<string, Set<string>>();
    for (const { id, policy } of policiesById) {
      if ([...pairs.values()].includes(id)) continue;
      for (const member of (policy.bindings ?? []).flatMap((b) => b.members ?? [])) {
        const found = projectNumberOfAgent(member.replace(/^serviceAccount:/, ''));
        if (!found || found.tier !== tier || pairs.has(found.number)) continue;
        byNumber.set(found.number, new Set([...(byNumber.get(found.number) ?? []), id]));
        byProject.set(id, new Set([...(byProject.get(id) ?? []), found.number]));
      }
    }
    for (const [id, numbers] of byProject) {
      const [number] = [...numbers];
      if (numbers.size === 1 && byNumber.get(number!)!.size === 1) pair(number!, id);
    }
  }
  return pairs;
}

interface ProjectInfo {
  id: string;
  number?: string;
  name?: string;
  /** `folders/F` or `organizations/O`. */
  parent?: string;
}

export class Hierarchy {
  readonly projects = new Map<string, ProjectInfo>();
  readonly folders = new Map<string, Folder>();
  readonly organizations = new Map<string, Organization>();
  private readonly numberToId = new Map<string, string>();
  /** Ancestors Cloud Asset reported for a resource (folders, organization). */
  private readonly reported = new Map<string, string[]>();
  /** The organization of the bundle: where projects and folders of unknown parent belong. */
  private organization: string | undefined;
  /** Service-account emails by unique id, from the service-account lists (Cloud Asset names accounts by unique id). */
  private readonly accountEmails = new Map<string, string>();

  constructor(bundle: RawBundle) {
    for (const [number, id] of projectNumbers(bundle)) this.numberToId.set(number, id);
    for (const d of bundle.documents) {
      if (d.kind !== DocumentKind.serviceAccounts) continue;
      for (const a of (d.body as ServiceAccountsBody).accounts)
        if (typeof a.uniqueId === 'string' && NUMBER.test(a.uniqueId) && typeof a.email === 'string' && a.email)
          this.accountEmails.set(a.uniqueId, a.email.toLowerCase());
    }
    for (const d of bundle.documents) {
      if (d.kind === DocumentKind.organizations)
        for (const o of d.body as Organization[]) this.organizations.set(o.name, o);
      if (d.kind === DocumentKind.folders)
        for (const f of d.body as Folder[])
          if (!/DELETE/.test(f.lifecycleState ?? f.state ?? '')) this.folders.set(f.name, f);
      if (d.kind === DocumentKind.projects) {
        for (const p of d.body as Project[]) {
          if (/DELETE/.test(p.lifecycleState ?? p.state ?? '')) continue;
          const parent =
            typeof p.parent === 'string'
              ? p.parent
              : p.parent?.type && p.parent.id
                ? `${p.parent.type === 'organization' ? 'organizations' : 'folders'}/${p.parent.id}`
                : undefined;
          const name = p.displayName ?? (p.name && !/^projects\//.test(p.name) ? p.name : undefined);
          this.addProject({
            id: p.projectId,
            ...(p.projectNumber ? { number: String(p.projectNumber) } : {}),
            ...(name ? { name } : {}),
            ...(parent ? { parent } : {}),
          });
        }
      }
    }
    if (bundle.scope.kind === 'project' && !this.projects.has(bundle.scope.id))
      this.addProject({ id: bundle.scope.id });
    if (bundle.scope.kind === 'organization') this.organization = `organizations/${bundle.scope.id}`;
    for (const d of bundle.documents) {
      const project =
        d.kind === DocumentKind.iamPolicy
          ? /^projects\/([^/]+)$/.exec((d.body as IamPolicyBody).resource)?.[1]
          : undefined;
      if (project && !this.projects.has(this.projectId(project))) this.addProject({ id: this.projectId(project) });
    }
    for (const d of bundle.documents) {
      if (d.kind !== DocumentKind.assetIamPolicies) continue;
      for (const r of d.body as IamPolicySearchResult[]) {
        const resource = this.canonical(r.resource);
        const project = r.project ? this.canonical(r.project) : undefined;
        const folders = Array.isArray(r.folders) ? r.folders.filter((f) => typeof f === 'string') : [];
        const ancestors = [
          ...(project && project !== resource ? [project] : []),
          ...folders,
          ...(typeof r.organization === 'string' && r.organization ? [r.organization] : []),
        ];
        if (ancestors.length > 0) this.reported.set(resource, ancestors);
        const own = /^projects\/([^/]+)$/.exec(resource)?.[1];
        if (own && !this.projects.has(own))
          this.addProject({
            id: own,
            ...(folders[0]
              ? { parent: folders[0] }
              : typeof r.organization === 'string' && r.organization
                ? { parent: r.organization }
                : {}),
          });
      }
    }
  }

  private addProject(info: ProjectInfo): void {
    const number = info.number ?? [...this.numberToId].find(([, id]) => id === info.id)?.[0];
    this.projects.set(info.id, { ...info, ...(number ? { number } : {}) });
    if (number) this.numberToId.set(number, info.id);
  }

  /**
   * The email of the service account with this unique id, when a service-account list gives it (Cloud Asset names
   * accounts by unique id; the escalation graph meets the two forms).
   */
  accountEmail(uniqueId: string): string | undefined {
    return this.accountEmails.get(uniqueId);
  }

  /** Whether a project number is tied to a project id by some document. */
  knowsNumber(number: string): boolean {
    return this.numberToId.has(number);
  }

  /** `//cloudresourcemanager.googleapis.com/projects/123` -> `projects/acme-prod`; other full names unchanged. */
  canonical(resource: string): string {
    if (typeof resource !== 'string') return String(resource);
    const short = resource.replace(/^\/\/cloudresourcemanager\.googleapis\.com\//, '');
    const number = /^projects\/(\d+)$/.exec(short)?.[1];
    if (number && this.numberToId.has(number)) return `projects/${this.numberToId.get(number)}`;
    return short;
  }

  /** The project id a project name or number resolves to. */
  projectId(idOrNumber: string): string {
    return this.numberToId.get(idOrNumber) ?? idOrNumber;
  }

  /** The project a resource belongs to (`projects/P` for the project itself and its resources). */
  projectOf(resource: string): string | undefined {
    const own = /^projects\/([^/]+)/.exec(resource)?.[1] ?? /^\/\/[^/]+\/projects\/([^/]+)\//.exec(resource)?.[1];
    if (own) return this.projectId(own);
    const reported = this.reported.get(resource)?.find((a) => a.startsWith('projects/'));
    return reported ? this.projectId(reported.slice('projects/'.length)) : undefined;
  }

  private parentOf(resource: string): string | undefined {
    // An edited export may name a resource with something other than text: it has no known parent.
    if (typeof resource !== 'string') return undefined;
    const project = /^projects\/([^/]+)$/.exec(resource)?.[1];
    if (project)
      return (
        this.projects.get(project)?.parent ??
        this.reported.get(resource)?.find((a) => !a.startsWith('projects/')) ??
        this.organization
      );
    if (resource.startsWith('folders/')) return this.folders.get(resource)?.parent ?? this.organization;
    if (resource.startsWith('organizations/')) return undefined;
    const inProject = this.projectOf(resource);
    return inProject ? `projects/${inProject}` : undefined;
  }

  /** The resource and everything above it, nearest first. */
  lineage(resource: string): string[] {
    const out = [resource];
    const seen = new Set(out);
    let at = this.parentOf(resource);
    while (at && !seen.has(at)) {
      out.push(at);
      seen.add(at);
      at = this.parentOf(at);
    }
    for (const extra of this.reported.get(resource) ?? []) {
      const name = this.canonical(extra);
      if (!seen.has(name)) {
        out.push(name);
        seen.add(name);
      }
    }
    return out;
  }
}
