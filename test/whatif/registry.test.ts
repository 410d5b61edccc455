/**
 * What-if finds its projectors in the provider registry: a provider takes part through its adapter's `projector`
 * part, with no line in src/whatif/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import ts from 'typescript';
import { providers } from '../../src/providers/index.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { projectPlan } from '../../src/whatif/index.js';
import { parsePlan } from '../../src/providers/whatif/plan.js';
import { registeredProjectors } from '../../src/whatif/registry.js';
import { ROOT } from '../helpers/cli.js';

const EMPTY = {
  schemaVersion: '1.0',
  generator: { name: 'test', version: '0' },
  collectedAt: '2026-01-01T00:00:00Z',
  sources: [],
  principals: [],
  roles: [],
  controls: [],
  hosts: [],
} as unknown as Snapshot;

function planOf(types: string[]) {
  return parsePlan(
    {
      format_version: '1.2',
      resource_changes: types.map((type) => ({
        address: `${type}.x`,
        type,
        name: 'x',
        mode: 'managed',
        change: { actions: ['create'], after: {} },
      })),
    },
    'plan.json',
  );
}

test("the projectors are the registered adapters' projector parts, in registry order", async (t) => {
  const expected = providers.filter((p) => p.projector).map((p) => p.name);
  t.deepEqual(
    (await registeredProjectors()).map((p) => p.provider),
    expected,
  );
  t.deepEqual(expected.slice(0, 3), ['aws', 'azure', 'gcp']);
});

test('an adapter registered with a projector gets its changes; without one they are not projected', async (t) => {
  const seen: string[] = [];
  const demo: ProviderAdapter = {
    name: 'demo',
    title: 'Demo',
    scopeKinds: ['project'],
    gapTopics: {},
    operations: [],
    collectOptions: [],
    importFiles: async () => [],
    normalize: () => ({ sources: [], principals: [], roles: [], controls: [], hosts: [] }),
    permissions: () => ({ format: 'text', text: '' }),
    projector: async () => ({
      owns: (type) => type.startsWith('demo_'),
      supports: (type) => type === 'demo_user',
      touchesPosture: () => true,
      project: (_plan, changes) => {
        seen.push(...changes.map((c) => c.address));
        return {
          bundles: [],
          notes: changes.map((c) => ({
            address: c.address,
            type: c.type,
            action: c.action,
            outcome: 'projected' as const,
          })),
          gaps: [],
          effects: () => [],
        };
      },
    }),
  };
  const before = await projectPlan(planOf(['demo_user']), EMPTY, []);
  t.deepEqual(
    before.notes.map((n) => [n.address, n.outcome, n.reason]),
    [['demo_user.x', 'not-projected', 'no projector for demo_user']],
  );
  providers.push(demo);
  try {
    const after = await projectPlan(planOf(['demo_user']), EMPTY, []);
    t.deepEqual(seen, ['demo_user.x']);
    t.deepEqual(
      after.notes.map((n) => [n.address, n.outcome]),
      [['demo_user.x', 'projected']],
    );
    await after.verified;
  } finally {
    providers.splice(providers.indexOf(demo), 1);
  }
});

test('the raw-documents check does not import the projection that starts it', async (t) => {
  const imports = async (file: string) =>
    ts
      .preProcessFile(await readFile(join(ROOT, 'src', 'whatif', file), 'utf8'), true, true)
      .importedFiles.map((f) => f.fileName);
  t.true((await imports('index.ts')).includes('./verify.js'));
  t.false((await imports('verify.ts')).includes('./index.js'));
  t.false((await imports('registry.ts')).some((f) => f === './index.js' || f === './verify.js'));
});
