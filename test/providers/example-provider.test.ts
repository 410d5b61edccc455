import test from 'ava';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { demoProjector } from '../support/example-provider/whatif/index.js';

// The example provider's projector alone, in this process; test/providers/example-provider.e2e.test.ts registers the
// whole adapter through CLOUDWARD_PROVIDER_MODULES and collects, audits and projects it with the CLI.
const AT = '2026-11-01T09:00:00Z';

const planOf = (after: Record<string, unknown>, unknown: Record<string, boolean> = {}) =>
  parsePlan(
    {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'demo_user_role.x',
          mode: 'managed',
          type: 'demo_user_role',
          name: 'x',
          change: { actions: ['create'], before: null, after, after_unknown: unknown },
        },
      ],
    },
    'plan.json',
  );
const bundle = {
  provider: 'demo',
  scope: { kind: 'project', id: 'p-alpha' },
  method: 'live' as const,
  collectedAt: AT,
  documents: [
    {
      kind: 'demo.users',
      origin: 'demo:ListUsers',
      body: { users: [{ id: 'u2', name: 'bob', mfa: false, roles: ['viewer'] }] },
    },
    {
      kind: 'demo.roles',
      origin: 'demo:ListRoles',
      body: { roles: [{ id: 'viewer', title: 'Viewer', permissions: [] }] },
    },
  ],
  gaps: [],
};

test('the example projector refuses a project the snapshot does not cover, naming the address, and leaves its project open on a value known only after apply or empty', (t) => {
  const outside = planOf({ project: 'p-other', user_id: 'u2', role: 'viewer' });
  t.throws(() => demoProjector.project(outside, outside.changes, [bundle], new Set(['p-alpha'])), {
    message: 'the plan changes Demo Cloud project p-other (demo_user_role.x), which the snapshot does not cover',
  });
  const later = planOf({ project: 'p-alpha', user_id: 'u2' }, { role: true });
  const projection = demoProjector.project(later, later.changes, [bundle], new Set(['p-alpha']));
  t.deepEqual(projection.gaps, [
    {
      address: 'demo_user_role.x',
      attribute: 'role',
      reason: 'role is known only after apply',
      scopes: ['demo:project/p-alpha'],
    },
  ]);
  t.deepEqual(
    projection.notes.map((n) => n.outcome),
    ['unknown'],
  );
  const empty = planOf({ project: 'p-alpha', user_id: '', role: 'viewer' });
  t.deepEqual(
    demoProjector.project(empty, empty.changes, [bundle], new Set(['p-alpha'])).gaps,
    [
      {
        address: 'demo_user_role.x',
        attribute: 'user_id',
        reason: 'user_id is empty',
        scopes: ['demo:project/p-alpha'],
      },
    ],
    'a required value left empty is a gap, not a change silently skipped',
  );
  t.deepEqual(
    (bundle.documents[0]!.body as { users: Array<{ roles: string[] }> }).users[0]!.roles,
    ['viewer'],
    'the raw documents given are never edited',
  );
});
