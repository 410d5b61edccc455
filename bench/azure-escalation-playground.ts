/**
 * Recall and look-alikes flagged on the Entra and Azure escalation playground (test/fixtures/azure/
 * escalation-playground/, its catalogue in catalogue.ts): the privilege graph against the one-step classification
 * the snapshot made before the graph, a principal's own role assignments judged one at a time (flagged when one of
 * them confers `admin` or `privileged`). A path counts as found by the graph only with its exact expected text.
 *
 *   node --import tsx bench/azure-escalation-playground.ts
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Principal } from '../src/snapshot/model.js';
import { azureProvider } from '../src/providers/azure/index.js';
import { importAzureFiles } from '../src/providers/azure/import.js';
import { filesUnder, quietProgress } from '../test/support/azure-fixtures.js';
import { PLAYGROUND_LOOK_ALIKES, PLAYGROUND_PATHS } from '../test/fixtures/azure/escalation-playground/catalogue.js';

const PLAYGROUND = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'fixtures',
  'azure',
  'escalation-playground',
);
const files = filesUnder(PLAYGROUND).filter((f) => f.endsWith('.json'));
const { principals } = await azureProvider.normalize(
  await importAzureFiles(files, { options: {}, progress: quietProgress, collectedAt: '2026-11-01T09:00:00Z' }),
);
const named = (name: string) => principals.find((p) => p.name === name || p.name === `${name}@playground.example`)!;
const pathText = (p: Principal) => (p.details?.escalationPath as { text: string } | undefined)?.text;
/** What the per-role judgement flagged: any assignment whose role alone is admin or privileged. */
const oneStep = (p: Principal) =>
  (p.assignments ?? []).some((a) => a.rolePrivilege === 'admin' || a.rolePrivilege === 'privileged');
const ratio = (n: number, d: number) => `${n}/${d} (${d === 0 ? '-' : ((100 * n) / d).toFixed(0)}%)`;

const paths = PLAYGROUND_PATHS.map((row) => ({ row, p: named(row.name) }));
const lookAlikes = PLAYGROUND_LOOK_ALIKES.map((row) => ({ row, p: named(row.name) }));
const graphFound = paths.filter(({ row, p }) => pathText(p) === row.text).length;
const graphFalse = lookAlikes.filter(({ p }) => pathText(p) !== undefined).length;
const ruleFound = paths.filter(({ p }) => oneStep(p)).length;
const ruleFalse = lookAlikes.filter(({ p }) => oneStep(p)).length;

console.log(`playground: ${paths.length} catalogue paths, ${lookAlikes.length} look-alikes`);
console.log(
  `graph:     recall ${ratio(graphFound, paths.length)} with the exact path, look-alikes flagged ${ratio(graphFalse, lookAlikes.length)}`,
);
console.log(
  `one-step:  recall ${ratio(ruleFound, paths.length)} (no path evidence), look-alikes flagged ${ratio(ruleFalse, lookAlikes.length)}`,
);
for (const { row } of paths.filter(({ p }) => !oneStep(p)))
  console.log(`  one-step misses ${row.name} (${row.kinds.join(', ')})`);
for (const { row } of lookAlikes.filter(({ p }) => oneStep(p)))
  console.log(`  one-step flags look-alike ${row.name}: ${row.why}`);
