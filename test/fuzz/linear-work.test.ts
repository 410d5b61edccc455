import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { awsProvider } from '../../src/providers/aws/index.js';
import { azureRolePrivilege } from '../../src/providers/azure/privilege.js';
import { globWork } from '../../src/util/glob.js';
import { fixture, tempDir } from '../helpers/cli.js';
import { fuzzParameters } from './support.js';

const quietProgress = { status: () => undefined, warn: () => undefined };
// Patterns as an attacker writes them: runs of stars, question marks, letters that almost match.
const pattern = fc.string({
  unit: fc.constantFrom('*', '*', '*', '?', 'a', 'i', 'm', ':', 'Z', 'P'),
  minLength: 1,
  maxLength: 60,
});

/** Glob comparisons of one `import aws` whose only user holds one inline policy with `count` copies of a statement. */
async function importSteps(dir: string, action: string, count: number): Promise<number> {
  const details = JSON.parse(
    readFileSync(fixture('aws', '123456789012', 'iam-get-account-authorization-details.json'), 'utf8'),
  ) as {
    UserDetailList: Array<Record<string, unknown>>;
    GroupDetailList: unknown[];
    RoleDetailList: unknown[];
    Policies: unknown[];
  };
  const user: Record<string, unknown> = { ...details.UserDetailList[0]!, GroupList: [], AttachedManagedPolicies: [] };
  const statement = { Effect: 'Allow', Action: action, Resource: `arn:aws:iam::*:${action}` };
  user.UserPolicyList = [
    {
      PolicyName: 'fuzzed',
      PolicyDocument: { Version: '2012-10-17', Statement: Array.from({ length: count }, () => statement) },
    },
  ];
  const file = join(dir, 'iam-get-account-authorization-details.json');
  writeFileSync(
    file,
    JSON.stringify({ UserDetailList: [user], GroupDetailList: [], RoleDetailList: [], Policies: [] }),
  );
  const before = globWork.steps;
  awsProvider.normalize(
    await awsProvider.importFiles([file], {
      options: {},
      progress: quietProgress,
      collectedAt: '2026-11-01T09:00:00Z',
    }),
  );
  return globWork.steps - before;
}

test('import aws: matching work grows linearly with the statements, and a run of stars costs no more than one star', async (t) => {
  const dir = await tempDir('cloudward-fuzz-linear-');
  const one = await importSteps(dir, 'iam:*Z', 1);
  // A pattern whose middle piece is searched through every probe: its work is about the probes' total length (a
  // head such as `iam:` stops at the first letter that differs, so `one` is far less than that length).
  const scan = await importSteps(dir, '*Z*', 1);
  await fc.assert(
    fc.asyncProperty(pattern, async (action) => {
      const single = await importSteps(dir, action, 1);
      const double = await importSteps(dir, action, 2);
      // Each statement is matched against the same probes: twice the statements, at most twice the work (plus
      // the fixed work of the rest of the document), and per statement at most the probes' length x the pattern's.
      return double <= 2 * single + 64 && single <= (scan + 64) * (action.length + 1);
    }),
    fuzzParameters(30),
  );
  const stars = await importSteps(dir, `iam:${'*'.repeat(30)}Z`, 1);
  t.true(stars <= one, `${stars} steps for thirty stars, ${one} for one`);
});

test('Azure role actions: judging a role costs at most linear work in its actions', (t) => {
  fc.assert(
    fc.property(fc.array(pattern, { minLength: 1, maxLength: 20 }), (actions) => {
      const definition = { permissions: [{ actions, notActions: [] }] };
      const before = globWork.steps;
      azureRolePrivilege(definition as never);
      const steps = globWork.steps - before;
      // Each action is compared with a handful of fixed probes of at most ~60 characters.
      const size = actions.reduce((n, a) => n + a.length + 1, 0);
      return steps <= 16 * 64 * size;
    }),
    fuzzParameters(200),
  );
  t.pass();
});
