import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsProvider } from '../../src/providers/aws/index.js';
import type { Principal } from '../../src/snapshot/model.js';
import { quietProgress } from '../support/aws-fixtures.js';
import {
  ACCOUNT,
  authorizationDetails,
  COLLECTED_AT,
  GRANT_LOOK_ALIKES,
  GRANTS,
  LOOK_ALIKES,
  organizationFiles,
  PATHS,
  type PlaygroundRow,
} from '../fixtures/aws-escalation/playground.js';

interface Judged {
  row: PlaygroundRow;
  subject: Principal;
  path?: { text: string; conditions: string[]; mfa: boolean; steps: Array<{ kind: string }> };
}

let dir: string;
const judged = new Map<string, Judged>();

/** Each row goes through the real import (an `aws iam get-account-authorization-details` file) and the normalizer. */
async function judge(row: PlaygroundRow): Promise<Judged> {
  const file = join(dir, `${row.id}.json`);
  await writeFile(file, JSON.stringify(authorizationDetails(row)));
  const files = [file];
  // Rows under an OU carry the organization's exports too (in a folder of their own: the names repeat across rows).
  const organization = Object.entries(organizationFiles(row));
  if (organization.length > 0) await mkdir(join(dir, row.id));
  for (const [name, body] of organization) {
    files.push(join(dir, row.id, name));
    await writeFile(files.at(-1)!, JSON.stringify(body));
  }
  const bundles = await awsProvider.importFiles(files, {
    options: { account: ACCOUNT },
    progress: quietProgress,
    collectedAt: COLLECTED_AT,
  });
  const part = awsProvider.normalize(bundles);
  const subject = part.principals.find((p) => p.uid === `aws:${ACCOUNT}:${row.subject}`);
  if (!subject) throw new Error(`${row.id}: no ${row.subject}`);
  return { row, subject, path: subject.details?.escalationPath as Judged['path'] };
}

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudward-playground-'));
  for (const row of [...PATHS, ...LOOK_ALIKES, ...GRANTS, ...GRANT_LOOK_ALIKES]) judged.set(row.id, await judge(row));
});

test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('row ids are unique and every catalogue path and look-alike is in the table', (t) => {
  const ids = [...PATHS, ...LOOK_ALIKES, ...GRANTS, ...GRANT_LOOK_ALIKES].map((r) => r.id);
  t.is(new Set(ids).size, ids.length);
  t.true(PATHS.length >= 40, `${PATHS.length} paths`);
  t.true(LOOK_ALIKES.length >= 20, `${LOOK_ALIKES.length} look-alikes`);
});

for (const row of PATHS) {
  test(`path ${row.id} (${row.source}) is found with its exact path`, (t) => {
    const { subject, path } = judged.get(row.id)!;
    t.is(subject.privilege?.level, 'privileged');
    t.is(path?.text, row.expect!);
    t.is(subject.privilege?.reasons[0]?.startsWith(`can become an administrator: ${row.expect!}`), true);
    t.deepEqual(subject.details?.escalation, [...new Set(path!.steps.map((s) => s.kind))]);
    t.is(path!.mfa, row.mfa === true, 'MFA need');
    t.deepEqual(path!.conditions, row.conditions ?? [], 'undecided conditions');
  });
}

for (const row of LOOK_ALIKES) {
  test(`look-alike ${row.id} (${row.source}) is not flagged`, (t) => {
    const { subject, path } = judged.get(row.id)!;
    t.is(path, undefined, path?.text);
    t.deepEqual(subject.details?.escalation, []);
    t.not(subject.privilege?.level, 'admin');
  });
}

test('recall and precision on the playground are both 1', (t) => {
  const found = PATHS.filter((r) => judged.get(r.id)!.path?.text === r.expect).length;
  const falsePositives = LOOK_ALIKES.filter((r) => judged.get(r.id)!.path !== undefined).length;
  t.log(`recall ${found}/${PATHS.length}, look-alikes flagged ${falsePositives}/${LOOK_ALIKES.length}`);
  t.is(found, PATHS.length);
  t.is(falsePositives, 0);
});

interface GrantPowerDetails {
  text: string;
  target: string;
  kind: string;
  conditions: string[];
  mfa: boolean;
}

for (const row of GRANTS) {
  test(`grant ${row.id} (${row.source}) makes the subject privileged, with the grant as its reason`, (t) => {
    const { subject, path } = judged.get(row.id)!;
    t.is(path, undefined, 'no path makes the subject itself an administrator');
    t.is(subject.privilege?.level, 'privileged');
    t.is(subject.privilege?.reasons[0], `can make another principal an administrator: ${row.expect!}`);
    t.is((subject.details?.grantPower as GrantPowerDetails | undefined)?.text, row.expect!);
  });
}

for (const row of GRANT_LOOK_ALIKES) {
  test(`grant look-alike ${row.id} (${row.source}) is not privileged`, (t) => {
    const { subject } = judged.get(row.id)!;
    t.is(subject.privilege?.level, 'none', subject.privilege?.reasons.join('; '));
    t.is(subject.details?.grantPower, undefined);
  });
}

test('grant-only principals: every one found, no look-alike flagged', (t) => {
  const found = GRANTS.filter(
    (r) => (judged.get(r.id)!.subject.details?.grantPower as GrantPowerDetails | undefined)?.text === r.expect,
  ).length;
  const flagged = GRANT_LOOK_ALIKES.filter((r) => judged.get(r.id)!.subject.privilege?.level !== 'none').length;
  t.log(`grant recall ${found}/${GRANTS.length}, look-alikes flagged ${flagged}/${GRANT_LOOK_ALIKES.length}`);
  t.is(found, GRANTS.length);
  t.is(flagged, 0);
});
