/**
 * A fake "demo cloud" REST API for the example adapter: projects, their roles, their users (with the roles each holds)
 * and an audit-log setting, with pagination, one throttled answer (429 + Retry-After) and a permission denial,
 * recording every call by operation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../listen.js';

/**
 * A Demo Cloud role: what its holders may do in the project. `*` is everything; `roles.assign` assigns any role of
 * the project to any user (the caller included); `users.impersonate` acts as any user of the project.
 */
export interface DemoRole {
  id: string;
  title: string;
  permissions: string[];
}

/** The roles every Demo Cloud project has, unless a project lists its own. */
export const DEMO_ROLES: DemoRole[] = [
  { id: 'owner', title: 'Owner', permissions: ['*'] },
  { id: 'role-admin', title: 'Role Administrator', permissions: ['roles.assign', 'roles.list', 'users.list'] },
  { id: 'support', title: 'Support Agent', permissions: ['users.impersonate', 'users.list'] },
  { id: 'viewer', title: 'Viewer', permissions: ['projects.get', 'users.list'] },
];

export interface DemoProject {
  id: string;
  name: string;
  /** Each user's roles are role ids of the project. */
  users: Array<{ id: string; name: string; mfa: boolean; roles?: string[] }>;
  /** Default: DEMO_ROLES. */
  roles?: DemoRole[];
  auditLogging: boolean;
  /** GetAuditConfig answers 403 PERMISSION_DENIED. */
  denyAuditConfig?: boolean;
}

export interface FakeDemo {
  endpoint: string;
  /** Operation ids called, e.g. `demo:ListUsers`, in order. */
  calls: string[];
  close(): Promise<void>;
}

export async function startFakeDemo(
  projects: DemoProject[],
  options: { throttleFirst?: number } = {},
): Promise<FakeDemo> {
  const calls: string[] = [];
  let throttles = options.throttleFirst ?? 0;
  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const page = Number(url.searchParams.get('page') ?? '0');
    const usersPath = /^\/v1\/projects\/([^/]+)\/users$/.exec(url.pathname);
    const rolesPath = /^\/v1\/projects\/([^/]+)\/roles$/.exec(url.pathname);
    const auditPath = /^\/v1\/projects\/([^/]+)\/audit-config$/.exec(url.pathname);
    const operation =
      url.pathname === '/v1/projects'
        ? 'demo:ListProjects'
        : usersPath
          ? 'demo:ListUsers'
          : rolesPath
            ? 'demo:ListRoles'
            : auditPath
              ? 'demo:GetAuditConfig'
              : `demo:${request.method} ${url.pathname}`;
    calls.push(operation);
    if (request.method !== 'GET')
      return send(response, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'read-only' } });
    if (throttles > 0) {
      throttles--;
      return send(
        response,
        429,
        { error: { code: 'RESOURCE_EXHAUSTED', message: 'slow down' } },
        { 'retry-after': '1' },
      );
    }
    if (url.pathname === '/v1/projects') {
      const slice = projects.slice(page * 2, page * 2 + 2).map(({ id, name }) => ({ id, name }));
      return send(response, 200, {
        projects: slice,
        ...(page * 2 + 2 < projects.length ? { next: `/v1/projects?page=${page + 1}` } : {}),
      });
    }
    const project = projects.find((p) => p.id === (usersPath ?? rolesPath ?? auditPath)?.[1]);
    if (!project) return send(response, 404, { error: { code: 'NOT_FOUND', message: `no ${url.pathname}` } });
    if (usersPath) {
      const slice = project.users.slice(page * 2, page * 2 + 2);
      return send(response, 200, {
        users: slice,
        ...(page * 2 + 2 < project.users.length ? { next: `${url.pathname}?page=${page + 1}` } : {}),
      });
    }
    if (rolesPath) return send(response, 200, { roles: project.roles ?? DEMO_ROLES });
    if (project.denyAuditConfig)
      return send(response, 403, {
        error: { code: 'PERMISSION_DENIED', message: `caller may not read the audit config of ${project.id}` },
      });
    return send(response, 200, { enabled: project.auditLogging });
  };
  const server = createServer(handle);
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
