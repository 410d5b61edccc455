/**
 * implicitDelegation chains on the graph itself: a chain that loops back ends, a chain link that ended at collectedAt
 * cuts it, and one still in force names its end on the path.
 */
import test from 'ava';
import {
  GcpPrivilegeGraph,
  type GcpGraphPrincipal,
  type HeldBinding,
} from '../../src/providers/gcp/privilege-graph.js';

const DELEGATION = 'iam.serviceAccounts.implicitDelegation';
const TOKEN = 'iam.serviceAccounts.getAccessToken';
const sa = (name: string, admin = false): GcpGraphPrincipal => ({
  uid: `gcp:p:serviceAccount/${name}@p.iam.gserviceaccount.com`,
  name: `${name}@p.iam.gserviceaccount.com`,
  serviceAccount: true,
  agent: false,
  enabled: true,
  admin,
  project: 'p',
});
const NODES: GcpGraphPrincipal[] = [
  {
    uid: 'gcp:o:user/u@x.example',
    name: 'u@x.example',
    serviceAccount: false,
    agent: false,
    enabled: true,
    admin: false,
  },
  sa('a'),
  sa('b'),
  sa('c'),
  sa('owner', true),
];
const on = (i: number) => `//iam.googleapis.com/projects/p/serviceAccounts/${NODES[i]!.name}`;
const context = {
  collectedAt: '2026-11-01T09:00:00Z',
  lineage: (r: string) =>
    r.startsWith('//')
      ? [r, 'projects/p', 'organizations/o']
      : r === 'projects/p'
        ? ['projects/p', 'organizations/o']
        : [r],
  projectOfNumber: () => undefined,
  keyCreationBlocked: new Set<string>(),
  denied: () => undefined,
};
const grant = (principal: number, permission: string, target: number, expiresAt?: string): HeldBinding => ({
  principal,
  role: `projects/p/roles/${permission}`,
  resource: on(target),
  permissions: [permission],
  ...(expiresAt ? { expiresAt } : {}),
});

test('a delegation chain that loops back on itself ends, and the target keeps its shortest chain', (t) => {
  // u -> a -> b -> a (loop) ... b -> c, c mints owner's token.
  const graph = new GcpPrivilegeGraph(
    NODES,
    [
      grant(0, DELEGATION, 1),
      grant(1, DELEGATION, 2),
      grant(2, DELEGATION, 1),
      grant(2, DELEGATION, 3),
      grant(3, TOKEN, 4),
    ],
    context,
  );
  const path = graph.paths().get(NODES[0]!.uid);
  t.is(
    path?.text,
    `u@x.example -> ${DELEGATION} on a@p.iam.gserviceaccount.com, then its ${DELEGATION} on b@p.iam.gserviceaccount.com, then its ${DELEGATION} on c@p.iam.gserviceaccount.com, then its ${TOKEN} on owner@p.iam.gserviceaccount.com -> admin`,
  );
});

test('a chain link that ended before collectedAt cuts the chain; one still in force names its end', (t) => {
  const ended = new GcpPrivilegeGraph(
    NODES,
    [grant(0, DELEGATION, 1), grant(1, DELEGATION, 2, '2026-10-01T00:00:00Z'), grant(2, TOKEN, 4)],
    context,
  );
  t.is(ended.paths().get(NODES[0]!.uid), undefined);
  const open = new GcpPrivilegeGraph(
    NODES,
    [
      grant(0, DELEGATION, 1, '2026-12-01T00:00:00Z'),
      grant(1, DELEGATION, 2, '2026-11-15T00:00:00Z'),
      grant(2, TOKEN, 4),
    ],
    context,
  );
  t.deepEqual(
    open.graph.edges.filter((e) => e.kind === 'implicit-delegation' && e.from === 0).map((e) => e.window),
    [{ notAfter: '2026-11-15T00:00:00Z' }],
  );
  t.truthy(open.paths().get(NODES[0]!.uid));
});
