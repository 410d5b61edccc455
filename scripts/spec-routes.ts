/**
 * Regenerates the fake servers' route tables (test/fixtures/specs/*.json) from the vendors' own specifications, kept
 * to the operations the collectors use:
 *
 *   --googleapis DIR        googleapis/googleapis (protos: google.api.http annotations, request message fields)
 *   --graph-docs DIR        microsoftgraph/microsoft-graph-docs-contrib (v1.0 API pages: query options, examples)
 *   --graph-metadata DIR    microsoftgraph/msgraph-metadata (schemas/v1.0-Prod.csdl: entity sets and singletons)
 *   --azure-specs DIR       Azure/azure-rest-api-specs (swagger: path, api-version, query parameters, paging; the
 *                           x-ms-examples files each operation references, copied to examples/azure/)
 *
 * DIR is a git directory (a bare mirror, as `fetch` brings) or a checkout; files are read at HEAD and every route
 * records repository@commit:path. A source not given leaves its table as it is. Usage:
 *   node --import tsx scripts/spec-routes.ts --googleapis /work/.mirror/googleapis+googleapis/repo
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

const OUT = fileURLToPath(new URL('../test/fixtures/specs/', import.meta.url));

interface Source {
  repo: string;
  commit: string;
  read(path: string): string;
}

function source(repo: string, dir: string): Source {
  const bare = existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'));
  const git = (...args: string[]) =>
    execFileSync('git', bare ? ['--git-dir', dir, ...args] : ['-C', dir, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  const commit = git('rev-parse', 'HEAD').trim();
  return { repo, commit, read: (path) => (bare ? git('show', `HEAD:${path}`) : readFileSync(join(dir, path), 'utf8')) };
}

const cite = (s: Source, path: string) => `${s.repo}@${s.commit}:${path}`;
const camel = (name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

// ---- Google: protos ---------------------------------------------------------------------------------------------

/** The operations the GCP collector performs, by proto and rpc (declared operation id -> where its HTTP rule is). */
const GOOGLE_RPCS: Array<{ id: string; proto: string; rpc: string; request: { proto: string; message: string } }> = [
  {
    id: 'cloudasset.searchAllIamPolicies',
    proto: 'google/cloud/asset/v1/asset_service.proto',
    rpc: 'SearchAllIamPolicies',
    request: { proto: 'google/cloud/asset/v1/asset_service.proto', message: 'SearchAllIamPoliciesRequest' },
  },
  {
    id: 'cloudresourcemanager.organizations.get',
    proto: 'google/cloud/resourcemanager/v3/organizations.proto',
    rpc: 'GetOrganization',
    request: { proto: 'google/cloud/resourcemanager/v3/organizations.proto', message: 'GetOrganizationRequest' },
  },
  {
    id: 'cloudresourcemanager.organizations.getIamPolicy',
    proto: 'google/cloud/resourcemanager/v3/organizations.proto',
    rpc: 'GetIamPolicy',
    request: { proto: 'google/iam/v1/iam_policy.proto', message: 'GetIamPolicyRequest' },
  },
  {
    id: 'cloudresourcemanager.folders.search',
    proto: 'google/cloud/resourcemanager/v3/folders.proto',
    rpc: 'SearchFolders',
    request: { proto: 'google/cloud/resourcemanager/v3/folders.proto', message: 'SearchFoldersRequest' },
  },
  {
    id: 'cloudresourcemanager.folders.getIamPolicy',
    proto: 'google/cloud/resourcemanager/v3/folders.proto',
    rpc: 'GetIamPolicy',
    request: { proto: 'google/iam/v1/iam_policy.proto', message: 'GetIamPolicyRequest' },
  },
  {
    id: 'cloudresourcemanager.projects.search',
    proto: 'google/cloud/resourcemanager/v3/projects.proto',
    rpc: 'SearchProjects',
    request: { proto: 'google/cloud/resourcemanager/v3/projects.proto', message: 'SearchProjectsRequest' },
  },
  {
    id: 'cloudresourcemanager.projects.getIamPolicy',
    proto: 'google/cloud/resourcemanager/v3/projects.proto',
    rpc: 'GetIamPolicy',
    request: { proto: 'google/iam/v1/iam_policy.proto', message: 'GetIamPolicyRequest' },
  },
  {
    id: 'iam.policies.list',
    proto: 'google/iam/v2/policy.proto',
    rpc: 'ListPolicies',
    request: { proto: 'google/iam/v2/policy.proto', message: 'ListPoliciesRequest' },
  },
  {
    id: 'iam.policies.get',
    proto: 'google/iam/v2/policy.proto',
    rpc: 'GetPolicy',
    request: { proto: 'google/iam/v2/policy.proto', message: 'GetPolicyRequest' },
  },
  {
    id: 'iam.roles.list',
    proto: 'google/iam/admin/v1/iam.proto',
    rpc: 'ListRoles',
    request: { proto: 'google/iam/admin/v1/iam.proto', message: 'ListRolesRequest' },
  },
  {
    id: 'iam.serviceAccounts.list',
    proto: 'google/iam/admin/v1/iam.proto',
    rpc: 'ListServiceAccounts',
    request: { proto: 'google/iam/admin/v1/iam.proto', message: 'ListServiceAccountsRequest' },
  },
  {
    id: 'iam.serviceAccountKeys.list',
    proto: 'google/iam/admin/v1/iam.proto',
    rpc: 'ListServiceAccountKeys',
    request: { proto: 'google/iam/admin/v1/iam.proto', message: 'ListServiceAccountKeysRequest' },
  },
  {
    id: 'orgpolicy.policies.getEffectivePolicy',
    proto: 'google/cloud/orgpolicy/v2/orgpolicy.proto',
    rpc: 'GetEffectivePolicy',
    request: { proto: 'google/cloud/orgpolicy/v2/orgpolicy.proto', message: 'GetEffectivePolicyRequest' },
  },
];

/** The text of a `{ ... }` block starting at `open` (the index of its `{`), braces balanced. */
function block(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

/** The HTTP bindings (`get: "/v1/..."`, additional bindings included) and body of one rpc. */
function httpRule(
  proto: string,
  rpc: string,
): { bindings: Array<{ method: string; template: string }>; body?: string } {
  const at = new RegExp(`\\brpc\\s+${rpc}\\s*\\(`).exec(proto);
  if (!at) throw new Error(`rpc ${rpc} not found`);
  const rpcBody = block(proto, proto.indexOf('{', at.index));
  const option = /option\s*\(google\.api\.http\)\s*=\s*\{/.exec(rpcBody);
  if (!option) throw new Error(`rpc ${rpc} has no google.api.http option`);
  const rule = block(rpcBody, option.index + option[0].length - 1);
  const bindings = [...rule.matchAll(/\b(get|post|put|patch|delete)\s*:\s*"([^"]+)"/g)].map((m) => ({
    method: m[1]!.toUpperCase(),
    template: m[2]!,
  }));
  const body = /\bbody\s*:\s*"([^"]*)"/.exec(rule)?.[1];
  return { bindings, ...(body !== undefined ? { body } : {}) };
}

/** The top-level field names of a message, as JSON (camelCase) names. */
function messageFields(proto: string, message: string): string[] {
  const at = new RegExp(`\\bmessage\\s+${message}\\s*\\{`).exec(proto);
  if (!at) throw new Error(`message ${message} not found`);
  const body = block(proto, at.index + at[0].length - 1).replace(/\/\/.*$/gm, '');
  // Drop nested messages and enums, keep this message's own fields.
  let flat = body;
  for (let m; (m = /\b(message|enum|oneof)\s+\w+\s*\{/.exec(flat)); ) {
    const inner = block(flat, m.index + m[0].length - 1);
    flat =
      m[1] === 'oneof'
        ? flat.slice(0, m.index) + inner + flat.slice(m.index + m[0].length + inner.length + 1)
        : flat.slice(0, m.index) + flat.slice(m.index + m[0].length + inner.length + 1);
  }
  return [...flat.matchAll(/^\s*(?:repeated\s+|optional\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+/gm)].map((m) =>
    camel(m[1]!),
  );
}

function google(dir: string): void {
  const s = source('googleapis/googleapis', dir);
  const routes = GOOGLE_RPCS.flatMap(({ id, proto, rpc, request }) => {
    const { bindings, body } = httpRule(s.read(proto), rpc);
    const fields = messageFields(s.read(request.proto), request.message);
    return bindings.map(({ method, template }) => {
      const inPath = [...template.matchAll(/\{([\w.]+)/g)].map((m) => camel(m[1]!.split('.')[0]!));
      const query = body === '*' ? [] : fields.filter((f) => !inPath.includes(f) && f !== body);
      return {
        id,
        method,
        template,
        query,
        spec: `${cite(s, proto)} rpc ${rpc}; fields ${cite(s, request.proto)} ${request.message}`,
      };
    });
  });
  const file = join(OUT, 'google.json');
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { routes: Array<{ spec: string }> })
    : { routes: [] };
  // Routes from other sources (the Admin SDK discovery document) are kept as they are.
  const others = previous.routes.filter((r) => !r.spec.startsWith('googleapis/googleapis@'));
  writeFileSync(file, `${JSON.stringify({ ...previous, routes: [...routes, ...others] }, null, 2)}\n`);
}

// ---- Microsoft Graph: docs pages and CSDL -----------------------------------------------------------------------

const GRAPH_PAGES: Array<{ id: string; path: string; doc: string }> = [
  { id: 'GET /organization', path: '/organization', doc: 'organization-list.md' },
  { id: 'GET /users', path: '/users', doc: 'user-list.md' },
  { id: 'GET /groups', path: '/groups', doc: 'group-list.md' },
  {
    id: 'GET /groups/{id}/transitiveMembers',
    path: '/groups/{id}/transitiveMembers',
    doc: 'group-list-transitivemembers.md',
  },
  { id: 'GET /servicePrincipals', path: '/servicePrincipals', doc: 'serviceprincipal-list.md' },
  {
    id: 'GET /reports/authenticationMethods/userRegistrationDetails',
    path: '/reports/authenticationMethods/userRegistrationDetails',
    doc: 'authenticationmethodsroot-list-userregistrationdetails.md',
  },
  {
    id: 'GET /roleManagement/directory/roleAssignments',
    path: '/roleManagement/directory/roleAssignments',
    doc: 'rbacapplication-list-roleassignments.md',
  },
  {
    id: 'GET /roleManagement/directory/roleDefinitions',
    path: '/roleManagement/directory/roleDefinitions',
    doc: 'rbacapplication-list-roledefinitions.md',
  },
  {
    id: 'GET /roleManagement/directory/roleEligibilitySchedules',
    path: '/roleManagement/directory/roleEligibilitySchedules',
    doc: 'rbacapplication-list-roleeligibilityschedules.md',
  },
  {
    id: 'GET /roleManagement/directory/roleAssignmentScheduleInstances',
    path: '/roleManagement/directory/roleAssignmentScheduleInstances',
    doc: 'rbacapplication-list-roleassignmentscheduleinstances.md',
  },
  {
    id: 'GET /identity/conditionalAccess/policies',
    path: '/identity/conditionalAccess/policies',
    doc: 'conditionalaccessroot-list-policies.md',
  },
  {
    id: 'GET /policies/identitySecurityDefaultsEnforcementPolicy',
    path: '/policies/identitySecurityDefaultsEnforcementPolicy',
    doc: 'identitysecuritydefaultsenforcementpolicy-get.md',
  },
];

/** All OData system query options a page may name ("supports the OData query parameters" names none in particular). */
const ODATA = ['$count', '$expand', '$filter', '$orderby', '$search', '$select', '$top'];

/** The query options a Graph API page documents, from its "Optional query parameters" section. */
export function documentedOptions(markdown: string): string[] {
  const section = /##\s*Optional query parameters\s*\n([\s\S]*?)(?=\n##\s)/i.exec(markdown)?.[1] ?? '';
  const first = section.split(/\n\s*\n/).find((p) => p.trim()) ?? '';
  const named = [...new Set([...first.matchAll(/`(\$[a-zA-Z]+)/g)].map((m) => m[1]!.toLowerCase()))];
  if (/does not support|doesn't support/i.test(first) && named.length === 0) return [];
  // "supports the OData query parameters ..., including ..." names examples, not limits.
  if (named.length === 0 || /supports the \[OData query parameters\][^.]*including/i.test(first))
    return /OData query parameters/i.test(first) ? ODATA : named;
  return named.filter((o) => ODATA.includes(o)).sort();
}

/** The first JSON response example on a page, when it parses. */
function firstExample(markdown: string): unknown {
  const m = /HTTP\/1\.1 200 OK[^\n]*\n(?:[^\n]*\n)*?\s*\n(\{[\s\S]*?\n\})\s*\n```/.exec(markdown);
  try {
    return m ? JSON.parse(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

function graph(docsDir: string | undefined, metadataDir: string | undefined): void {
  const file = join(OUT, 'graph-v1.0.json');
  const table = JSON.parse(readFileSync(file, 'utf8')) as { routes: Array<Record<string, unknown>> };
  const docs = docsDir ? source('microsoftgraph/microsoft-graph-docs-contrib', docsDir) : undefined;
  const csdl = metadataDir ? source('microsoftgraph/msgraph-metadata', metadataDir) : undefined;
  let roots: Set<string> | undefined;
  if (csdl) {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      csdl.read('schemas/v1.0-Prod.csdl'),
    ) as Record<string, any>;
    const schemas = [xml['edmx:Edmx']['edmx:DataServices'].Schema].flat();
    const container = schemas.map((sc) => sc.EntityContainer).find(Boolean);
    roots = new Set(
      [...[container.EntitySet ?? []].flat(), ...[container.Singleton ?? []].flat()].map(
        (e: { Name: string }) => e.Name,
      ),
    );
  }
  for (const page of GRAPH_PAGES) {
    const route = table.routes.find((r) => r.id === page.id) ?? {
      id: page.id,
      method: 'GET',
      path: `/v1.0${page.path}`,
    };
    if (docs) {
      const path = `api-reference/v1.0/api/${page.doc}`;
      const text = docs.read(path);
      route.query = documentedOptions(text);
      route.spec = cite(docs, path);
      const example = firstExample(text);
      if (example !== undefined) route.example = example;
    }
    if (csdl && roots) {
      const root = page.path.split('/')[1]!;
      if (!roots.has(root)) throw new Error(`${page.id}: ${root} is not an entity set or singleton in the v1.0 CSDL`);
      route.csdl = `${cite(csdl, 'schemas/v1.0-Prod.csdl')} ${root}`;
    }
    if (!table.routes.includes(route)) table.routes.push(route);
  }
  writeFileSync(file, `${JSON.stringify(table, null, 2)}\n`);
}

// ---- Azure Resource Manager: swagger ----------------------------------------------------------------------------

const ARM_OPERATIONS: Array<{ file: string; operationId: string }> = [
  {
    file: 'specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json',
    operationId: 'Subscriptions_List',
  },
  {
    file: 'specification/managementgroups/resource-manager/Microsoft.Management/stable/2020-05-01/management.json',
    operationId: 'ManagementGroups_GetDescendants',
  },
  {
    file: 'specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json',
    operationId: 'RoleAssignments_ListForSubscription',
  },
  {
    file: 'specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleDefinitionsCalls.json',
    operationId: 'RoleDefinitions_List',
  },
  {
    file: 'specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleDefinitionsCalls.json',
    operationId: 'RoleDefinitions_Get',
  },
  {
    file: 'specification/authorization/resource-manager/Microsoft.Authorization/stable/2020-10-01/RoleEligibilitySchedule.json',
    operationId: 'RoleEligibilitySchedules_ListForScope',
  },
  {
    file: 'specification/authorization/resource-manager/Microsoft.Authorization/stable/2020-10-01/RoleAssignmentScheduleInstance.json',
    operationId: 'RoleAssignmentScheduleInstances_ListForScope',
  },
  {
    file: 'specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/subscriptionDiagnosticsSettings_API.json',
    operationId: 'SubscriptionDiagnosticSettings_List',
  },
];

function azure(dir: string): void {
  const s = source('Azure/azure-rest-api-specs', dir);
  const table = join(OUT, 'azure-arm.json');
  const previous = JSON.parse(readFileSync(table, 'utf8')) as {
    routes: Array<{ id: string; filter?: string[] }>;
  } & Record<string, unknown>;
  mkdirSync(join(OUT, 'examples', 'azure'), { recursive: true });
  const routes = ARM_OPERATIONS.map(({ file, operationId }) => {
    const swagger = JSON.parse(s.read(file)) as {
      info: { version: string };
      paths: Record<string, Record<string, any>>;
      parameters?: Record<string, any>;
    };
    for (const [path, methods] of Object.entries(swagger.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op.operationId !== operationId) continue;
        const resolve = (p: { $ref?: string; name?: string; in?: string }) => {
          if (!p.$ref) return p;
          if (p.$ref.endsWith('ApiVersionParameter')) return { name: 'api-version', in: 'query' };
          const local = /^#\/parameters\/(\w+)$/.exec(p.$ref)?.[1];
          return local ? (swagger.parameters?.[local] ?? {}) : {};
        };
        const params = (op.parameters ?? []).map(resolve);
        // x-ms-examples: each referenced file stored unchanged, so the fake can answer with its responses["200"].body.
        const examples = Object.values((op['x-ms-examples'] ?? {}) as Record<string, { $ref: string }>).map(
          ({ $ref }) => {
            const path = join(file, '..', $ref);
            const name = `examples/azure/${path.split('/').at(-1)}`;
            writeFileSync(join(OUT, name), s.read(path));
            return { file: name, source: cite(s, path) };
          },
        );
        const kept = previous.routes.find((r) => r.id === operationId);
        return {
          id: operationId,
          method: method.toUpperCase(),
          path,
          apiVersion: swagger.info.version,
          query: params
            .filter((p: { in?: string; name?: string }) => p.in === 'query' && p.name !== 'api-version')
            .map((p: { name: string }) => p.name),
          // $filter forms the swagger states in prose (descriptions), kept from the table.
          ...(kept?.filter ? { filter: kept.filter } : {}),
          nextLink: op['x-ms-pageable'] ? (op['x-ms-pageable'].nextLinkName ?? null) : null,
          spec: cite(s, file),
          ...(examples.length ? { examples } : {}),
        };
      }
    }
    throw new Error(`${operationId} not in ${file}`);
  });
  writeFileSync(table, `${JSON.stringify({ ...previous, routes }, null, 2)}\n`);
}

function main(argv: string[]): void {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const g = flag('--googleapis');
  const docs = flag('--graph-docs');
  const meta = flag('--graph-metadata');
  const arm = flag('--azure-specs');
  if (!g && !docs && !meta && !arm) {
    console.error(
      'say which specifications to read: --googleapis DIR, --graph-docs DIR, --graph-metadata DIR, --azure-specs DIR',
    );
    process.exit(2);
  }
  if (g) google(g);
  if (docs || meta) graph(docs, meta);
  if (arm) azure(arm);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
