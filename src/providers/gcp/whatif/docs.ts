/**
 * One Google Cloud bundle's raw documents opened for editing: allow policies by resource (from Cloud Asset results or
 * getIamPolicy documents, whichever the bundle holds), custom roles, service accounts and their keys, and effective
 * org policies. The documents are copied on the first change, so the bundle the snapshot was made from is never
 * modified; `toBundle` gives them back in the shapes gcloud prints.
 */
import type { RawBundle, RawDocument } from '../../types.js';
import {
  DocumentKind,
  type IamPolicy,
  type IamPolicyBody,
  type IamPolicySearchResult,
  type KeysBody,
  type OrgPolicy,
  type RolesBody,
  type ServiceAccount,
  type ServiceAccountsBody,
} from '../documents.js';
import { Hierarchy } from '../hierarchy.js';

export class GcpDocs {
  readonly hierarchy: Hierarchy;
  /** Whether any change was applied (untouched bundles are given back as they are). */
  touched = false;
  private documents: RawDocument[] | undefined;
  /** Folders the bundle knows: from the folders list and the ancestors Cloud Asset reported. */
  readonly folders = new Set<string>();

  constructor(readonly bundle: RawBundle) {
    this.hierarchy = new Hierarchy(bundle);
    for (const name of this.hierarchy.folders.keys()) this.folders.add(name);
    for (const d of bundle.documents) {
      if (d.kind !== DocumentKind.assetIamPolicies) continue;
      for (const r of d.body as IamPolicySearchResult[]) for (const f of r.folders ?? []) this.folders.add(f);
    }
  }

  get organization(): string | undefined {
    return this.bundle.scope.kind === 'organization' ? `organizations/${this.bundle.scope.id}` : undefined;
  }

  /** The documents, copied on first use (every edit goes through here). */
  private docs(): RawDocument[] {
    if (!this.documents) this.documents = structuredClone(this.bundle.documents);
    this.touched = true;
    return this.documents;
  }

  private of<T>(kind: string): Array<{ doc: RawDocument; body: T }> {
    return this.docs()
      .filter((d) => d.kind === kind)
      .map((doc) => ({ doc, body: doc.body as T }));
  }

  /** Whether the allow policies were read through Cloud Asset (new policies then join its results). */
  get viaCloudAsset(): boolean {
    return this.bundle.documents.some((d) => d.kind === DocumentKind.assetIamPolicies);
  }

  /** The allow policies set on a resource (one per document that holds it; normally one). */
  policies(resource: string): IamPolicy[] {
    const out: IamPolicy[] = [];
    for (const { body } of this.of<IamPolicySearchResult[]>(DocumentKind.assetIamPolicies)) {
      for (const r of body) if (this.hierarchy.canonical(r.resource) === resource) out.push((r.policy ??= {}));
    }
    for (const { body } of this.of<IamPolicyBody>(DocumentKind.iamPolicy))
      if (this.hierarchy.canonical(body.resource) === resource) out.push(body.policy);
    return out;
  }

  /** Whether the bundle read the allow policy of a resource. */
  hasPolicy(resource: string): boolean {
    return this.bundle.documents.some((d) =>
      d.kind === DocumentKind.assetIamPolicies
        ? (d.body as IamPolicySearchResult[]).some((r) => this.hierarchy.canonical(r.resource) === resource)
        : d.kind === DocumentKind.iamPolicy &&
          this.hierarchy.canonical((d.body as IamPolicyBody).resource) === resource,
    );
  }

  /** A new, empty allow policy of a resource the bundle holds none for, in the form the bundle reads them. */
  policy(resource: string): IamPolicy {
    const policy: IamPolicy = {};
    const asset = this.of<IamPolicySearchResult[]>(DocumentKind.assetIamPolicies)[0];
    if (asset) {
      const lineage = this.hierarchy.lineage(resource);
      const project = this.hierarchy.projectOf(resource);
      const number = project ? this.hierarchy.projects.get(project)?.number : undefined;
      const full = /^(organizations|folders|projects)\//.test(resource)
        ? `//cloudresourcemanager.googleapis.com/${resource}`
        : resource;
      asset.body.push({
        resource: full,
        ...(project ? { project: `projects/${number ?? project}` } : {}),
        folders: lineage.filter((r) => r.startsWith('folders/')),
        ...(this.organization ? { organization: this.organization } : {}),
        policy,
      });
    } else {
      this.docs().push({
        kind: DocumentKind.iamPolicy,
        origin: 'cloudward:projected',
        body: { resource, policy } satisfies IamPolicyBody,
      });
    }
    return policy;
  }

  /** Every allow policy of the bundle (for renaming a deleted service account's memberships). */
  allPolicies(): IamPolicy[] {
    return [
      ...this.of<IamPolicySearchResult[]>(DocumentKind.assetIamPolicies).flatMap(({ body }) =>
        body.map((r) => (r.policy ??= {})),
      ),
      ...this.of<IamPolicyBody>(DocumentKind.iamPolicy).map(({ body }) => body.policy),
    ];
  }

  /** The roles document of a parent (`projects/P`, `organizations/O`), created when absent. */
  roles(parent: string): RolesBody {
    const found = this.of<RolesBody>(DocumentKind.roles).find(({ body }) => body.parent === parent);
    if (found) return found.body;
    const body: RolesBody = { parent, roles: [] };
    this.docs().push({ kind: DocumentKind.roles, origin: 'cloudward:projected', body });
    return body;
  }

  /** A service account by email or unique id, with the project whose list holds it. */
  serviceAccount(idOrEmail: string): { project: string; account: ServiceAccount } | undefined {
    const wanted = idOrEmail.toLowerCase();
    for (const d of this.bundle.documents) {
      if (d.kind !== DocumentKind.serviceAccounts) continue;
      const body = d.body as ServiceAccountsBody;
      const account = body.accounts.find((a) => a.email.toLowerCase() === wanted || a.uniqueId === idOrEmail);
      if (account) return { project: body.project, account };
    }
    return undefined;
  }

  /** The service-account list of a project (editable), created when absent. */
  accounts(project: string): ServiceAccountsBody {
    const found = this.of<ServiceAccountsBody>(DocumentKind.serviceAccounts).find(
      ({ body }) => this.hierarchy.projectId(body.project) === project,
    );
    if (found) return found.body;
    const body: ServiceAccountsBody = { project, accounts: [] };
    this.docs().push({ kind: DocumentKind.serviceAccounts, origin: 'cloudward:projected', body });
    return body;
  }

  /** The key list of a service account (editable), created when absent. */
  keys(email: string): KeysBody {
    const found = this.of<KeysBody>(DocumentKind.serviceAccountKeys).find(
      ({ body }) => body.serviceAccount.toLowerCase() === email.toLowerCase(),
    );
    if (found) return found.body;
    const body: KeysBody = { serviceAccount: email, keys: [] };
    this.docs().push({ kind: DocumentKind.serviceAccountKeys, origin: 'cloudward:projected', body });
    return body;
  }

  /** Drops the key list of a service account (it is deleted). */
  dropKeys(email: string): void {
    const docs = this.docs();
    this.documents = docs.filter(
      (d) =>
        d.kind !== DocumentKind.serviceAccountKeys ||
        (d.body as KeysBody).serviceAccount.toLowerCase() !== email.toLowerCase(),
    );
  }

  /** The effective org policies of a constraint, keyed by the resource they are read at (`projects/P` by id). */
  orgPolicies(constraint: string): Map<string, OrgPolicy> {
    const out = new Map<string, OrgPolicy>();
    for (const { body } of this.of<OrgPolicy>(DocumentKind.orgPolicy)) {
      const [at, name] = body.name.split('/policies/') as [string, string | undefined];
      if (name !== constraint) continue;
      out.set(this.resourceOf(at), body);
    }
    return out;
  }

  /** Whether the bundle read the effective policies of a constraint at a resource. */
  hasOrgPolicy(resource: string, constraint: string): boolean {
    return this.bundle.documents.some(
      (d) =>
        d.kind === DocumentKind.orgPolicy &&
        (d.body as OrgPolicy).name.split('/policies/')[1] === constraint &&
        this.resourceOf((d.body as OrgPolicy).name.split('/policies/')[0]!) === resource,
    );
  }

  /** Sets (or adds) the effective policy of a constraint at a resource. */
  putOrgPolicy(resource: string, constraint: string, spec: OrgPolicy['spec']): void {
    const existing = this.of<OrgPolicy>(DocumentKind.orgPolicy).find(
      ({ body }) =>
        body.name.split('/policies/')[1] === constraint &&
        this.resourceOf(body.name.split('/policies/')[0]!) === resource,
    );
    if (existing) {
      existing.doc.body = { ...existing.body, spec: spec ?? {} };
      return;
    }
    this.docs().push({
      kind: DocumentKind.orgPolicy,
      origin: 'cloudward:projected',
      body: { name: `${resource}/policies/${constraint}`, spec: spec ?? {} } satisfies OrgPolicy,
    });
  }

  /** `projects/123` -> `projects/acme-prod`; folders and organizations unchanged. */
  resourceOf(name: string): string {
    const project = /^projects\/([^/]+)$/.exec(name)?.[1];
    return project ? `projects/${this.hierarchy.projectId(project)}` : name;
  }

  toBundle(): RawBundle {
    if (!this.touched || !this.documents) return this.bundle;
    return { ...this.bundle, documents: this.documents };
  }
}
