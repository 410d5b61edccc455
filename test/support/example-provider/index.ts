/**
 * An example provider adapter, registered for tests through CLOUDWARD_PROVIDER_MODULES (a real one gets a line in
 * src/providers/index.ts instead). docs/providers/adding.md walks through it.
 */
import { permissionsText } from '../../../src/providers/cloud/index.js';
import type { ProviderAdapter } from '../../../src/providers/types.js';
import { demoAuditLogs } from './audit-logs.js';
import { importDemoFiles } from './import.js';
import { normalizeDemo } from './normalize.js';
import { DEMO_GAP_TOPICS, DEMO_OPERATIONS } from './operations.js';

export const demoAdapter: ProviderAdapter = {
  name: 'demo',
  title: 'Demo Cloud (example adapter)',
  scopeKinds: ['project'],
  gapTopics: DEMO_GAP_TOPICS,
  operations: DEMO_OPERATIONS,
  ocsfCloudProvider: 'Demo',
  collectOptions: [
    {
      flags: '--endpoint-url <url>',
      description: 'the Demo Cloud API',
      schema: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' },
    },
    {
      flags: '--concurrency <n>',
      description: 'projects read at once',
      defaultValue: '4',
      schema: { type: 'integer', minimum: 1, maximum: 64 },
    },
    {
      flags: '--max-attempts <n>',
      description: 'attempts per call (429 and 5xx are retried, Retry-After honoured)',
      defaultValue: '4',
      schema: { type: 'integer', minimum: 1, maximum: 10 },
    },
  ],
  collect: async (context) => (await import('./collect.js')).collectDemo(context),
  importFiles: importDemoFiles,
  normalize: normalizeDemo,
  permissions: () => ({ format: 'text', text: permissionsText('Demo Cloud', DEMO_OPERATIONS) }),
  // Terraform what-if of its demo_* types, loaded only when a plan is projected.
  projector: async () => (await import('./whatif/index.js')).demoProjector,
  auditLogs: demoAuditLogs,
};

export default demoAdapter;
