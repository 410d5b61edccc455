/**
 * Recall and precision on the escalation playground (test/fixtures/aws-escalation/playground.ts): the privilege graph
 * against the one-step rules a principal's own policies satisfy (ESCALATION_RULES, what privilege was before the
 * graph). A path counts as found only with its exact expected path text.
 *
 *   node --import tsx bench/escalation-playground.ts
 */
import { accountBundle } from '../src/providers/aws/bundle.js';
import { normalizeAccount, normalizeAwsBundles } from '../src/providers/aws/normalize.js';
import {
  ACCOUNT,
  authorizationDetails,
  COLLECTED_AT,
  GRANT_LOOK_ALIKES,
  GRANTS,
  LOOK_ALIKES,
  organizationDocuments,
  PATHS,
  type PlaygroundRow,
} from '../test/fixtures/aws-escalation/playground.js';

interface Verdict {
  graph: string | null;
  /** The grant power of a subject without a path (the edit that makes another principal admin). */
  grant: string | null;
  rules: boolean;
}

function judge(row: PlaygroundRow): Verdict {
  const bundle = accountBundle(ACCOUNT, 'import', COLLECTED_AT, [
    { kind: 'aws.iam.GetAccountAuthorizationDetails', origin: row.id, body: authorizationDetails(row) },
    ...organizationDocuments(row),
  ]);
  const uid = `aws:${ACCOUNT}:${row.subject}`;
  const subject = normalizeAwsBundles([bundle]).principals.find((p) => p.uid === uid);
  const path = subject?.details?.escalationPath as { text: string } | undefined;
  const grant = subject?.details?.grantPower as { text: string } | undefined;
  const own = normalizeAccount(bundle).analyses.get(uid);
  return {
    graph: path?.text ?? null,
    grant: grant?.text ?? null,
    rules: own !== undefined && own.level === 'privileged' && own.escalation.length > 0,
  };
}

const paths = PATHS.map((row) => ({ row, verdict: judge(row) }));
const lookAlikes = LOOK_ALIKES.map((row) => ({ row, verdict: judge(row) }));
const ratio = (n: number, d: number) => `${n}/${d} (${d === 0 ? '-' : ((100 * n) / d).toFixed(0)}%)`;
const precision = (tp: number, fp: number) => ratio(tp, tp + fp);

const graphFound = paths.filter((p) => p.verdict.graph === p.row.expect).length;
const graphAny = paths.filter((p) => p.verdict.graph !== null).length;
const graphFalse = lookAlikes.filter((p) => p.verdict.graph !== null).length;
const rulesFound = paths.filter((p) => p.verdict.rules).length;
const rulesFalse = lookAlikes.filter((p) => p.verdict.rules).length;

console.log(`playground: ${PATHS.length} known paths, ${LOOK_ALIKES.length} look-alikes`);
console.log(
  `graph:     recall ${ratio(graphFound, PATHS.length)} with the exact path (${graphAny} flagged at all), look-alikes flagged ${graphFalse}, precision ${precision(graphAny, graphFalse)}`,
);
console.log(
  `one-step:  recall ${ratio(rulesFound, PATHS.length)} (no path evidence), look-alikes flagged ${rulesFalse}, precision ${precision(rulesFound, rulesFalse)}`,
);
for (const p of paths.filter((x) => !x.verdict.rules)) console.log(`  one-step misses ${p.row.id}`);
for (const p of lookAlikes.filter((x) => x.verdict.rules)) console.log(`  one-step flags look-alike ${p.row.id}`);

const grants = GRANTS.map((row) => ({ row, verdict: judge(row) }));
const grantLookAlikes = GRANT_LOOK_ALIKES.map((row) => ({ row, verdict: judge(row) }));
const grantFound = grants.filter((g) => g.verdict.grant === g.row.expect && g.verdict.graph === null).length;
const grantFalse = grantLookAlikes.filter((g) => g.verdict.grant !== null || g.verdict.graph !== null).length;
console.log(
  `grant:     ${GRANTS.length} grant-only principals, recall ${ratio(grantFound, GRANTS.length)} with the exact grant, look-alikes flagged ${grantFalse}/${GRANT_LOOK_ALIKES.length}`,
);
