import test from 'ava';
import { EscalationGraph, levelByReach, UNCONDITIONAL, type PathStep } from '../../src/providers/privilege/index.js';

/**
 * A toy provider on the kit alone: principals of a made-up cloud where a grant `assign` lets one principal act as
 * another, `vm:run-command` on `vm/*` runs code as any VM's identity, and `roles:write` makes its holder an owner.
 */
interface ToyPrincipal {
  uid: string;
  name: string;
  owner?: true;
}

const COLLECTED_AT = '2026-11-01T09:00:00Z';

function toyGraph(at: string | undefined, vms = 2) {
  const nodes: ToyPrincipal[] = [
    { uid: 'toy:intern', name: 'intern' },
    { uid: 'toy:dev', name: 'dev' },
    { uid: 'toy:owner', name: 'owner', owner: true },
    { uid: 'toy:bystander', name: 'bystander' },
    ...Array.from({ length: vms }, (_, i) => ({ uid: `toy:vm-${i}`, name: `vm-${i}` })),
  ];
  const index = (name: string) => nodes.findIndex((n) => n.name === name);
  const graph = new EscalationGraph(nodes, at === undefined ? {} : { at });
  nodes.forEach((n, i) => n.owner && graph.holdsAdmin(i));
  // A temporary elevation that ended a month before the snapshot: it must not count.
  graph.addEdge({
    from: index('intern'),
    to: index('owner'),
    action: 'elevate',
    kind: 'eligible-assignment',
    grant: UNCONDITIONAL,
    window: { notAfter: '2026-10-01T00:00:00Z' },
  });
  graph.addEdge({ from: index('intern'), to: index('dev'), action: 'assign', kind: 'assign', grant: UNCONDITIONAL });
  // A wildcard grant over every VM: one edge to the hub, whatever the number of VMs.
  const vmHub = graph.hub('run-command:vm/*', () =>
    nodes.flatMap((n, i) => (n.name.startsWith('vm-') ? [{ to: i, grant: UNCONDITIONAL }] : [])),
  );
  graph.addEdge({ from: index('dev'), to: vmHub, action: 'vm:run-command', kind: 'run-command', grant: UNCONDITIONAL });
  graph.addEdge({
    from: index('dev'),
    to: vmHub,
    action: 'vm:run-command',
    kind: 'run-command',
    grant: { conditions: ['source network is the office'], mfa: false },
  });
  graph.addEdge({
    from: index(`vm-${vms - 1}`),
    to: graph.admin,
    action: 'roles:write on itself',
    kind: 'write-role',
    grant: UNCONDITIONAL,
  });
  return { graph, nodes, index };
}

const label = (nodes: ToyPrincipal[]) => (step: PathStep) =>
  step.edit ? step.action : `${step.action} ${nodes.find((n) => n.uid === step.to)!.name}`;

test('a conditional edge that expired before collectedAt does not count: the shortest path left is three steps through the hub', (t) => {
  const { graph, nodes } = toyGraph(COLLECTED_AT);
  const paths = graph.paths(label(nodes));
  t.is(graph.outside, 1);
  const intern = paths.get('toy:intern')!;
  t.is(intern.text, 'intern -> assign dev -> vm:run-command vm-1 -> roles:write on itself -> admin');
  t.is(intern.steps.length, 3);
  // Each step names the grant that makes it; the hub hop is folded into the step that enters it.
  t.deepEqual(intern.steps, [
    { from: 'toy:intern', action: 'assign', to: 'toy:dev', kind: 'assign' },
    { from: 'toy:dev', action: 'vm:run-command', to: 'toy:vm-1', kind: 'run-command' },
    { from: 'toy:vm-1', action: 'roles:write on itself', to: 'admin', kind: 'write-role', edit: true },
  ]);
  t.deepEqual(intern.kinds, ['assign', 'run-command', 'write-role']);
  t.deepEqual(intern.conditions, [], 'the unconditional grant of the two equally short ones');
  t.false(intern.mfa);
  t.is(paths.get('toy:dev')!.steps.length, 2);
  t.false(paths.has('toy:owner'), 'an owner holds admin already: it has no path of its own');
  t.false(paths.has('toy:bystander'));
});

test('a window in force at collectedAt counts, and one the snapshot cannot date counts as an undecided condition', (t) => {
  const { graph: current, nodes } = toyGraph('2026-09-15T00:00:00Z');
  t.is(current.paths(label(nodes)).get('toy:intern')!.text, 'intern -> elevate owner -> admin');
  const { graph: undated } = toyGraph(undefined);
  const intern = undated.paths(label(nodes)).get('toy:intern')!;
  t.is(intern.text, 'intern -> elevate owner -> admin');
  t.deepEqual(intern.conditions, ['in force until 2026-10-01T00:00:00Z']);
});

test('a wildcard grant is one edge to a hub: edges grow with grants plus members, not their product', (t) => {
  const small = toyGraph(COLLECTED_AT, 10).graph;
  const { graph: large, nodes } = toyGraph(COLLECTED_AT, 1000);
  t.is(large.size.hubs, 1);
  t.is(large.size.edges - small.size.edges, 990, 'one member edge per added VM');
  t.is(large.paths(label(nodes)).get('toy:intern')!.steps.length, 3);
});

test('the nearest node an editor can use is found through the hub, and a node off every route to it is never judged', (t) => {
  const { graph, index } = toyGraph(COLLECTED_AT, 3);
  const target = index('vm-2');
  const within = graph.reaching([target]);
  t.is(within[index('bystander')], 0);
  t.is(within[index('intern')], 1);
  const judged: number[] = [];
  const judge = (n: number) => {
    judged.push(n);
    return n === target ? 'editable' : null;
  };
  const found = graph.nearest(index('intern'), judge, within);
  t.is(found?.node, target);
  t.deepEqual(
    graph.render(found!.route).map((s) => s.to),
    ['toy:dev', 'toy:vm-2'],
  );
  t.false(judged.includes(index('bystander')));
});

test('levels: admin stays admin, a path to admin or the power to make one makes a principal privileged', (t) => {
  const { graph, nodes } = toyGraph(COLLECTED_AT);
  const paths = graph.paths(label(nodes));
  t.is(levelByReach('none', { path: paths.get('toy:intern') }), 'privileged');
  t.is(levelByReach('none', { path: paths.get('toy:bystander') }), 'none');
  t.is(levelByReach('none', { grantsAdmin: true }), 'privileged');
  t.is(levelByReach('admin', {}), 'admin');
});
