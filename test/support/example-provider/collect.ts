/** The example collector: every kit piece a cloud collector needs, in one page. */
import { UserError } from '../../../src/errors.js';
import {
  attempt,
  collectScopes,
  collectionTime,
  createRawWriter,
  createStats,
  errorFacts,
  fetchAllPages,
  fetchJson,
  operationTable,
  sortDocuments,
  sortGaps,
} from '../../../src/providers/cloud/index.js';
import type { Gap } from '../../../src/snapshot/model.js';
import type { CollectContext, RawBundle, RawDocument } from '../../../src/providers/types.js';
import { DEMO_OPERATIONS } from './operations.js';

const op = operationTable(DEMO_OPERATIONS);

interface Page<T> {
  next?: string;
  projects?: T[];
  users?: T[];
  roles?: T[];
}

export async function collectDemo(context: CollectContext): Promise<RawBundle[]> {
  const endpoint = String(context.options.endpointUrl);
  const stats = createStats();
  const retry = {
    stats,
    maxAttempts: Number(context.options.maxAttempts),
    baseDelayMs: 50,
    onRetry: ({ delayMs }: { delayMs: number }) => context.progress.status(`demo: throttled, waiting ${delayMs} ms`),
  };
  const next = (page: Page<unknown>) => (page.next ? `${endpoint}${page.next}` : undefined);
  let projects: Array<{ id: string; name: string }>;
  try {
    projects = await fetchAllPages(
      `${endpoint}/v1/projects`,
      (p: Page<{ id: string; name: string }>) => p.projects,
      next,
      {},
      retry,
    );
  } catch (error) {
    const facts = errorFacts(error);
    throw new UserError(`cannot list the projects: ${facts.code}: ${facts.message}`, {
      where: 'demo:ListProjects',
      hint: 'grant projects.list, or check --endpoint-url',
    });
  }
  const raw = context.rawOut ? createRawWriter(context.rawOut) : undefined;
  return collectScopes(
    context,
    {
      scopes: projects,
      idOf: (p) => p.id,
      concurrency: Number(context.options.concurrency),
      label: 'demo: project',
      stats,
    },
    async (project) => {
      const documents: RawDocument[] = [];
      const gaps: Gap[] = [];
      const base = `${endpoint}/v1/projects/${encodeURIComponent(project.id)}`;
      const users = await attempt(
        op('demo:ListUsers'),
        () => fetchAllPages(`${base}/users`, (p: Page<unknown>) => p.users, next, {}, retry),
        gaps,
      );
      if (users.ok) documents.push({ kind: 'demo.users', origin: 'demo:ListUsers', body: { users: users.value } });
      const roles = await attempt(
        op('demo:ListRoles'),
        () => fetchAllPages(`${base}/roles`, (p: Page<unknown>) => p.roles, next, {}, retry),
        gaps,
      );
      if (roles.ok) documents.push({ kind: 'demo.roles', origin: 'demo:ListRoles', body: { roles: roles.value } });
      const audit = await attempt(op('demo:GetAuditConfig'), () => fetchJson(`${base}/audit-config`, {}, retry), gaps);
      if (audit.ok) documents.push({ kind: 'demo.audit-config', origin: 'demo:GetAuditConfig', body: audit.value });
      // Failures are kept as documents too, so `import` of the --raw-out folder gives the same gaps.
      for (const gap of gaps) documents.push({ kind: 'demo.error', origin: gap.call ?? '', body: gap });
      const bundle: RawBundle = {
        provider: 'demo',
        scope: { kind: 'project', id: project.id, name: project.name },
        method: 'live',
        collectedAt: collectionTime(context),
        documents: sortDocuments(documents),
        gaps: sortGaps(gaps),
      };
      if (raw) await raw.writeBundle(bundle);
      return bundle;
    },
  );
}
