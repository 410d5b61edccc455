/**
 * GCP controls (audit configs, effective org policies, Cloud Shell) and the gaps that failed calls leave.
 */
import type { Control, Gap, Scope } from '../../snapshot/model.js';
import type { RawBundle } from '../types.js';
import {
  CONSTRAINTS,
  DocumentKind,
  GapTopic,
  OPERATIONS,
  type ErrorBody,
  type IamPolicy,
  type Operation,
  type OrgPolicy,
} from './documents.js';
import type { Hierarchy } from './hierarchy.js';

/** Why a call's status matters, in words a reader can act on. */
function errorReason(body: ErrorBody): string {
  const operation: Operation = OPERATIONS[body.operation];
  const { code, status, message } = body.error;
  const head = `${body.operation} on ${body.target} failed: ${status ?? code} ${message}`.trim();
  if (code === 403 && /SERVICE_DISABLED|has not been used|is disabled/i.test(message))
    return `${head} (enable ${operation.api} in the calling project)`;
  if (code === 403 || code === 401)
    return `${head} (needs ${operation.oauthScope ? 'the OAuth scope ' : ''}${operation.permission})`;
  if (code === 429 || code >= 500)
    return `${head} (still failing after retries; run again later or lower --concurrency)`;
  return head;
}

/** The gaps a bundle's error documents open, each with the resource (target) it is about. */
export function gapsOfErrors(bundle: RawBundle): Array<{ target: string; gap: Gap }> {
  const fellBack = bundle.documents.some((d) => d.kind === DocumentKind.iamPolicy);
  const out: Array<{ target: string; gap: Gap }> = [];
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.error) continue;
    const body = d.body as ErrorBody;
    const operation = OPERATIONS[body.operation];
    if (!operation) continue;
    let topic: string = operation.topic;
    let reason = errorReason(body);
    if (body.operation === 'cloudasset.searchAllIamPolicies' && fellBack) {
      topic = GapTopic.resourcePolicies;
      reason +=
        '; allow policies were read per organization, folder and project with resource-manager getIamPolicy instead, so resource-level policies (buckets, service accounts, ...) are not covered';
    }
    out.push({ target: body.target, gap: { what: topic, reason, call: `${body.operation} ${body.target}` } });
  }
  return out;
}

/** Audit configs in effect at each scope: the union over the scope and everything above it (configs inherit down). */
function auditControls(
  hierarchy: Hierarchy,
  policies: Map<string, IamPolicy>,
  scopes: Array<{ scope: Scope; resource: string }>,
): Control[] {
  const out: Control[] = [];
  for (const { scope, resource } of scopes) {
    const byService = new Map<string, { logTypes: Set<string>; exempted: Set<string>; setOn: Set<string> }>();
    for (const node of hierarchy.lineage(resource)) {
      const configs = policies.get(node)?.auditConfigs;
      for (const config of Array.isArray(configs) ? configs.filter((c) => c !== null && typeof c === 'object') : []) {
        const entry = byService.get(config.service) ?? { logTypes: new Set(), exempted: new Set(), setOn: new Set() };
        for (const log of Array.isArray(config.auditLogConfigs)
          ? config.auditLogConfigs.filter((l) => l !== null && typeof l === 'object')
          : []) {
          entry.logTypes.add(log.logType);
          for (const m of Array.isArray(log.exemptedMembers) ? log.exemptedMembers : []) entry.exempted.add(m);
        }
        entry.setOn.add(node);
        byService.set(config.service, entry);
      }
    }
    for (const [service, entry] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
      out.push({
        uid: `gcp:${scope.id}:auditConfig/${service}`,
        provider: 'gcp',
        scope,
        type: 'audit-logging',
        name: service,
        state: entry.logTypes.size > 0 ? 'enabled' : 'disabled',
        settings: {
          service,
          logTypes: [...entry.logTypes].sort(),
          exemptedMembers: [...entry.exempted].sort(),
          setOn: [...entry.setOn],
        },
      });
    }
  }
  return out;
}

/** One effective org policy as a control: whether a boolean constraint is enforced, or a list constraint restricts. */
function orgPolicyControl(policy: OrgPolicy, scope: Scope, resource: string): Control {
  const constraint = policy.name.split('/policies/')[1] ?? policy.name;
  const rules = Array.isArray(policy.spec?.rules)
    ? policy.spec.rules.filter((r) => r !== null && typeof r === 'object')
    : [];
  const unconditional = rules.filter((r) => !r.condition?.expression);
  const settings: Record<string, unknown> = { constraint, resource };
  const allowed = unconditional.flatMap((r) => r.values?.allowedValues ?? []);
  const denied = unconditional.flatMap((r) => r.values?.deniedValues ?? []);
  if (constraint === 'iam.allowedPolicyMemberDomains') {
    settings.allowedValues = allowed;
    settings.restricted =
      !unconditional.some((r) => r.allowAll) && (allowed.length > 0 || unconditional.some((r) => r.denyAll));
  } else {
    settings.enforce = unconditional.some((r) => r.enforce === true) && !unconditional.some((r) => r.enforce === false);
    if (constraint === 'iam.managed.allowedPolicyMembers') settings.restricted = settings.enforce;
  }
  if (denied.length > 0) settings.deniedValues = denied;
  if (rules.length > unconditional.length) settings.conditionalRules = rules.length - unconditional.length;
  if (policy.spec?.inheritFromParent !== undefined) settings.inheritFromParent = policy.spec.inheritFromParent;
  return {
    uid: `gcp:${scope.id}:orgPolicy/${resource}/${constraint}`,
    provider: 'gcp',
    scope,
    type: 'org-policy',
    name: constraint,
    state: rules.length > 0 ? 'enabled' : 'disabled',
    settings,
  };
}

export function normalizeControls(
  bundle: RawBundle,
  hierarchy: Hierarchy,
  policies: Map<string, IamPolicy>,
  estate: Scope,
  scopeOfProject: (id: string | undefined) => Scope,
): Control[] {
  const scopes: Array<{ scope: Scope; resource: string }> = [];
  if (estate.kind === 'organization') scopes.push({ scope: estate, resource: `organizations/${estate.id}` });
  for (const id of [...hierarchy.projects.keys()].sort())
    scopes.push({ scope: scopeOfProject(id), resource: `projects/${id}` });
  const controls = auditControls(hierarchy, policies, scopes);
  for (const d of bundle.documents) {
    if (d.kind !== DocumentKind.orgPolicy) continue;
    const policy = d.body as OrgPolicy;
    const [type, id] = policy.name.split('/');
    // Accounted in the normalizer's ledger: constraints no check reads are skipped, unknown project numbers dropped.
    if (!CONSTRAINTS.includes(policy.name.split('/policies/')[1] as never) || !placeableOrgPolicy(policy, hierarchy))
      continue;
    const resource = type === 'projects' ? `projects/${hierarchy.projectId(id!)}` : `${type}/${id}`;
    const scope = type === 'projects' ? scopeOfProject(hierarchy.projectId(id!)) : estate;
    controls.push(orgPolicyControl(policy, scope, resource));
  }
  if (estate.kind === 'organization') {
    controls.push({
      uid: `gcp:${estate.id}:cloudShell`,
      provider: 'gcp',
      scope: estate,
      type: 'cloud-shell-restriction',
      name: 'Cloud Shell access',
      state: 'unknown',
      settings: { access: 'unknown', appliesTo: 'all organizational units' },
    });
  }
  return controls.sort((a, b) => a.uid.localeCompare(b.uid));
}

/** The gap every organization carries: Cloud Shell access is an Admin console setting no read API returns. */
export const CLOUD_SHELL_GAP: Gap = {
  what: GapTopic.cloudShell,
  reason:
    'Cloud Shell access is set in the Admin console (Google Cloud > Cloud Shell access) and no read-only API returns it; confirm it there',
};

/** Whether an org policy can be placed: its constraint is read and a project number in its name is known. */
export function placeableOrgPolicy(policy: OrgPolicy, hierarchy: Hierarchy): boolean {
  const number = /^projects\/(\d+)\/policies\//.exec(policy.name)?.[1];
  return !number || hierarchy.knowsNumber(number) || hierarchy.projects.has(number);
}
