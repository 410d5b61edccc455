/**
 * Recall and look-alikes flagged on the Google Cloud escalation playground (test/fixtures/gcp/escalation-playground/):
 * the escalation graph against the one-step classification it replaced (a principal is privileged when one of its own
 * roles is, judged by name or permission: what `privilege.ts` says of each binding, before any path is searched). A
 * path counts as found only with its exact expected text.
 *
 *   node --import tsx bench/gcp-escalation-playground.ts
 */
import type { Principal } from '../src/snapshot/model.js';
import { EXPECTED, LOOK_ALIKES, playground } from '../test/fixtures/gcp/escalation-playground/expected.js';

const part = await playground();
const byName = new Map(part.principals.map((p) => [p.name, p]));
const pathText = (p: Principal | undefined) => (p?.details?.escalationPath as { text: string } | undefined)?.text;
/** One step: any binding whose own role is privileged or admin (a deny that narrows it counts, as before). */
const oneStep = (p: Principal | undefined) =>
  (p?.assignments ?? []).some((a) => {
    const level = (a as { rolePrivilege?: string }).rolePrivilege;
    return level === 'privileged' || level === 'admin';
  });
const ratio = (n: number, d: number) => `${n}/${d} (${d === 0 ? '-' : ((100 * n) / d).toFixed(0)}%)`;

const entries = Object.entries(EXPECTED);
const graphFound = entries.filter(
  ([name, [steps]]) => pathText(byName.get(name)) === `${name} -> ${steps} -> admin`,
).length;
const oneStepFound = entries.filter(([name]) => oneStep(byName.get(name))).length;
const graphFlagged = LOOK_ALIKES.filter((name) => pathText(byName.get(name)) !== undefined);
const oneStepFlagged = LOOK_ALIKES.filter((name) => oneStep(byName.get(name)));
const levelFlagged = LOOK_ALIKES.filter(
  (name) => byName.get(name)?.privilege?.level !== undefined && byName.get(name)?.privilege?.level !== 'none',
);

console.log(`playground: ${entries.length} catalogue paths, ${LOOK_ALIKES.length} look-alikes`);
console.log(
  `graph:    recall ${ratio(graphFound, entries.length)} with the exact path, look-alikes with a path ${graphFlagged.length}/${LOOK_ALIKES.length}`,
);
console.log(
  `one-step: recall ${ratio(oneStepFound, entries.length)} (no path evidence), look-alikes flagged ${oneStepFlagged.length}/${LOOK_ALIKES.length}`,
);
for (const [name] of entries.filter(([n]) => !oneStep(byName.get(n)))) console.log(`  one-step misses ${name}`);
for (const name of oneStepFlagged) console.log(`  one-step flags look-alike ${name}`);
console.log(
  `level:    look-alikes still privileged by their own role (no path): ${levelFlagged.length}/${LOOK_ALIKES.length} (${levelFlagged.join(', ') || 'none'})`,
);
