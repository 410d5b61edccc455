/**
 * Three-valued evaluation, checked over every shipped check and every fixture snapshot: a gap never flips a verdict,
 * it never hides a failure a check says missing data cannot mend, and data taken away (and recorded as not read)
 * never makes anything pass. Seeded and bounded: the same cases every run, in a few seconds.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EvaluationContext, evaluate, gapEffectOf } from '../../src/engine/evaluate.js';
import { loadChecks } from '../../src/engine/load-checks.js';
import type { Check, Result, Status } from '../../src/engine/types.js';
import { azureProvider } from '../../src/providers/azure/index.js';
import { declaredGapTopics } from '../../src/providers/index.js';
import { scopeKey, type Snapshot } from '../../src/snapshot/model.js';
import { assembleSnapshot } from '../../src/snapshot/load.js';
import { ROOT } from '../helpers/cli.js';
import { AZURE_FIXTURES, importFolder } from '../support/azure-fixtures.js';

const SEED = 20261207;
const RUNS = 60;

interface Case {
  name: string;
  snapshot: Snapshot;
  before: Map<string, Result>;
}

let checks: Check[];
let cases: Case[];
const topicsOf = new Map<string, string[]>();

const keyOf = (r: Result) => `${r.checkId}\u0000${r.resource.uid}`;
const byKey = (results: Result[]) => new Map(results.map((r) => [keyOf(r), r]));
const run = (snapshot: Snapshot) => byKey(evaluate(snapshot, checks, new EvaluationContext(snapshot)));

test.before(async () => {
  checks = await loadChecks({});
  for (const [topic, provider] of declaredGapTopics()) {
    const prefix = topic.split('.')[0]!;
    topicsOf.set(prefix, [...(topicsOf.get(prefix) ?? []), topic]);
    void provider;
  }
  const files = [
    'examples/acme/snapshot.json',
    'examples/acme/parts/aws.json',
    'examples/acme/parts/azure.json',
    'examples/acme/parts/gcp.json',
    'examples/acme/parts/hosts.json',
    'test/fixtures/good/small-snapshot.json',
  ];
  const snapshots: Array<[string, Snapshot]> = [];
  for (const file of files) snapshots.push([file, JSON.parse(await readFile(join(ROOT, file), 'utf8')) as Snapshot]);
  const bundles = await importFolder(join(AZURE_FIXTURES, 'contoso'));
  snapshots.push([
    'test/fixtures/azure/contoso (imported)',
    assembleSnapshot([azureProvider.normalize(bundles)], bundles[0]!.collectedAt),
  ]);
  cases = snapshots.map(([name, snapshot]) => ({ name, snapshot, before: run(snapshot) }));
});

/** A copy of the snapshot whose source `index` carries extra gaps (the rest shared: evaluation never modifies it). */
function withGaps(snapshot: Snapshot, index: number, topics: string[]): Snapshot {
  const sources = snapshot.sources.map((s, i) =>
    i === index
      ? { ...s, gaps: [...s.gaps, ...topics.map((what) => ({ what, reason: 'not read (property test)' }))] }
      : s,
  );
  return { ...snapshot, sources };
}

/** The statuses in the order of what is known: a gap may only move a verdict toward unknown. */
const allowedAfterGap = (before: Status, after: Status) => after === before || after === 'unknown';

test('adding a gap never flips a verdict, and never hides a failure the check says missing data cannot mend', (t) => {
  const arbitrary = fc
    .record({ c: fc.nat(), s: fc.nat(), k: fc.nat() })
    .map(({ c, s, k }) => {
      const { snapshot } = cases[c % cases.length]!;
      const source = s % snapshot.sources.length;
      const topics = topicsOf.get(snapshot.sources[source]!.provider) ?? [];
      return { c: c % cases.length, source, topic: topics[k % Math.max(1, topics.length)] };
    })
    .filter((x) => x.topic !== undefined);
  fc.assert(
    fc.property(arbitrary, ({ c, source, topic }) => {
      const { snapshot, before, name } = cases[c]!;
      const gapped = snapshot.sources[source]!;
      const key = scopeKey(gapped.provider, gapped.scope);
      const after = run(withGaps(snapshot, source, [topic!]));
      for (const [k, was] of before) {
        const now = after.get(k);
        if (!now) throw new Error(`${name}: ${k} lost its result after a gap on ${topic}`);
        if (!allowedAfterGap(was.status, now.status))
          throw new Error(`${name}: ${k} went ${was.status} -> ${now.status} after a gap on ${topic}`);
        if (was.status !== 'fail' || now.status === 'fail') continue;
        const check = checks.find((ch) => ch.id === was.checkId)!;
        const inSource =
          was.resource.kind === 'scopes'
            ? was.resource.uid === key
            : scopeKey(was.resource.provider, was.resource.scope) === key;
        if (!inSource || !check.needs?.includes(topic!))
          throw new Error(`${name}: ${k} lost its failure to a gap it does not need (${topic})`);
        const effect = gapEffectOf(check, topic!);
        const aboveMaximum = (was.evidence.failed ?? []).some(
          (f) => f.keyword === 'maximum' || f.keyword === 'exclusiveMaximum',
        );
        if (effect === 'fail-stands' || effect === 'none' || (effect === 'undercount' && aboveMaximum)) {
          throw new Error(`${name}: ${k} is a proven failure (${effect} for ${topic}) but turned ${now.status}`);
        }
      }
      for (const k of after.keys())
        if (!before.has(k)) throw new Error(`${name}: ${k} appeared after a gap on ${topic}`);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  t.pass();
});

/** Every path to a value inside a resource (objects and arrays), to pick a field to take away. */
function fieldPaths(
  value: unknown,
  prefix: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(path);
    fieldPaths(v, path, out);
  }
  return out;
}

/** A deep copy of `resource` without the value at `path` (an array item is taken out of its list). */
function without(resource: Record<string, unknown>, path: Array<string | number>): Record<string, unknown> {
  const copy = structuredClone(resource);
  let parent: unknown = copy;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[segment];
  const last = path.at(-1)!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last as string];
  return copy;
}

const KINDS = ['principals', 'roles', 'controls', 'hosts'] as const;

test('data taken away and recorded as not read never turns a failure or an unknown into a pass', (t) => {
  const removal = fc.record({
    c: fc.nat(),
    s: fc.nat(),
    drops: fc.array(
      fc.record({ kind: fc.constantFrom(...KINDS), item: fc.nat(), field: fc.option(fc.nat(), { nil: undefined }) }),
      { minLength: 1, maxLength: 4 },
    ),
  });
  fc.assert(
    fc.property(removal, ({ c, s, drops }) => {
      const { snapshot, before, name } = cases[c % cases.length]!;
      const index = s % snapshot.sources.length;
      const source = snapshot.sources[index]!;
      const key = scopeKey(source.provider, source.scope);
      const changed: Snapshot = { ...snapshot };
      const removed: string[] = [];
      for (const drop of drops) {
        const list = (changed[drop.kind] as unknown as Array<Record<string, unknown>>).slice();
        const own = list
          .map((r, i) => [r, i] as const)
          .filter(([r]) => scopeKey(r.provider as string, r.scope as Snapshot['sources'][number]['scope']) === key);
        if (own.length === 0) continue;
        const [resource, at] = own[drop.item % own.length]!;
        if (drop.field === undefined) {
          list.splice(at, 1);
          removed.push(`${drop.kind} ${String(resource.uid)}`);
        } else {
          const paths = fieldPaths(resource).filter(
            (p) => !(p.length === 1 && ['uid', 'provider', 'scope'].includes(String(p[0]))),
          );
          if (paths.length === 0) continue;
          const path = paths[drop.field % paths.length]!;
          // A scope's kind and id are what every snapshot must hold (one without them is refused when it loads): taking
          // them away leaves no data unread, it moves the resource out of its source.
          if (path[0] === 'scope' && ['kind', 'id'].includes(String(path[1]))) continue;
          list[at] = without(resource, path);
          removed.push(`${String(resource.uid)}/${path.join('/')}`);
        }
        (changed as unknown as Record<string, unknown>)[drop.kind] = list;
      }
      // What was taken away was not read: every topic of the provider is a gap of that source.
      const after = run(withGaps(changed, index, topicsOf.get(source.provider) ?? []));
      for (const [k, now] of after) {
        if (now.status !== 'pass') continue;
        const was = before.get(k)?.status;
        if (was !== 'pass')
          throw new Error(`${name}: ${k} went ${was ?? 'not-applicable'} -> pass after removing ${removed.join(', ')}`);
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  t.pass();
});

test('the shipped checks whose failures a gap may hide are the ones that say why', (t) => {
  const loose = checks.flatMap((check) =>
    (check.needs ?? [])
      .filter((topic) => ['unknown', 'pass-stands'].includes(gapEffectOf(check, topic)))
      .map((topic) => `${check.id} ${topic} ${gapEffectOf(check, topic)}`),
  );
  t.deepEqual(loose.sort(), [
    'aws-no-privilege-escalation-groups aws.authorization-details unknown',
    'aws-no-privilege-escalation-roles aws.authorization-details unknown',
    'aws-no-privilege-escalation-users aws.authorization-details unknown',
    'aws-no-standing-admin-users aws.authorization-details unknown',
    'azure-no-standing-role-assignment-writers azure.pim unknown',
    'azure-privileged-roles-just-in-time azure.pim unknown',
    // A deny policy, an org policy or a disabled account the snapshot did not read can cut a path it found.
    'gcp-no-escalation-to-admin gcp.deny-policies unknown',
    'gcp-no-escalation-to-admin gcp.org-policy unknown',
    'gcp-no-escalation-to-admin gcp.service-accounts unknown',
    'linux-user-writable-mounts-noexec linux.mounts unknown',
    'windows-asr-obfuscated-scripts-blocked windows.defender pass-stands',
  ]);
});
