import type { OperationDeclaration } from '../../../src/providers/types.js';

export const DEMO_GAP_TOPICS: Record<string, string> = {
  'demo.users': 'the users of a project, their MFA and the roles they hold',
  'demo.roles': 'the roles of a project and their permissions',
  'demo.audit-config': 'whether the project audit log is on',
};

export const DEMO_OPERATIONS: OperationDeclaration[] = [
  {
    id: 'demo:ListProjects',
    kind: 'api',
    permission: 'projects.list',
    level: 'organization',
    purpose: 'the projects to read; a failure stops the run',
  },
  {
    id: 'demo:ListUsers',
    kind: 'api',
    topic: 'demo.users',
    permission: 'users.list',
    purpose: 'users, their MFA and roles',
  },
  {
    id: 'demo:ListRoles',
    kind: 'api',
    topic: 'demo.roles',
    permission: 'roles.list',
    purpose: 'what each role may do',
  },
  {
    id: 'demo:GetAuditConfig',
    kind: 'api',
    topic: 'demo.audit-config',
    permission: 'auditConfig.get',
    purpose: 'the audit log setting',
  },
];
