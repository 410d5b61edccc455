/**
 * Google's own example bodies through the client libraries and the collector. The discovery documents and protos hold
 * no example responses; the one realistic body is the allow policy in google/iam/v1/policy.proto's comment ("JSON
 * example"), stored unchanged under test/fixtures/specs/examples/google/ and served as a project's getIamPolicy answer.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Snapshot } from '../../src/snapshot/model.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { fakeEnv, startFakeGcp, tenantFromExports } from '../support/fake-gcp.js';

const EXPORTS = join(ROOT, 'examples', 'acme', 'raw', 'gcp');
const PROJECT = 'acme-prod-7781';

/**
 * The example as the proto comment writes it: `// ` before each line, fenced. It is JSON with a trailing comma and a
 * string broken over two lines, which YAML's flow syntax reads as written (the line break folds to a space).
 */
function policyExample(): { bindings: Array<{ role: string; members: string[]; condition?: { expression: string } }> } {
  const lines = readFileSync(
    join(ROOT, 'test', 'fixtures', 'specs', 'examples', 'google', 'iam-v1-policy-json-example.txt'),
    'utf8',
  )
    .split('\n')
    .map((l) => l.replace(/^\/\/ ?/, ''));
  return YAML.parse(lines.slice(lines.indexOf('```') + 1, lines.lastIndexOf('```')).join('\n'));
}

test("the IAM Policy example from google/iam/v1/policy.proto, served as a project's allow policy, gives each member its role", async (t) => {
  const example = policyExample();
  const tenant = tenantFromExports(EXPORTS);
  tenant.policies.set(`projects/${PROJECT}`, example as unknown as Record<string, unknown>);
  const fake = await startFakeGcp(tenant);
  t.teardown(() => fake.close());
  const out = join(await tempDir('cloudward-gcp-example-'), 'p.json');
  const run = await runCli(
    [
      'collect',
      'gcp',
      '--project',
      PROJECT,
      '--endpoint',
      fake.url,
      '--collected-at',
      '2026-11-01T09:00:00Z',
      '--output',
      out,
    ],
    { env: fakeEnv(fake) },
  );
  t.is(run.code, 0, run.stderr);
  t.deepEqual(fake.unmatched, []);
  const snapshot = JSON.parse(await readFile(out, 'utf8')) as Snapshot;
  const byMember = (member: string) =>
    snapshot.principals.find((p) => p.name === member.split(':')[1] || p.nativeId === member);
  // The first binding: a user, a group, a whole domain and a service account, each holding the role on the project.
  const [standing, conditional] = example.bindings;
  for (const member of standing!.members) {
    t.deepEqual(
      byMember(member)?.assignments?.map((a) => [a.role, a.scope, a.mode]),
      [[`gcp:${PROJECT}:${standing!.role}`, `projects/${PROJECT}`, 'standing']],
      member,
    );
  }
  t.like(byMember('domain:google.com'), { details: { memberType: 'domain' } });
  // The second binding's condition (request.time < 2020-10-01) has expired: no assignment, but counted, not dropped.
  t.deepEqual(conditional!.condition!.expression, "request.time < timestamp('2020-10-01T00:00:00.000Z')");
  t.like(byMember(conditional!.members[0]!), { assignments: [], details: { expiredBindings: 1 } });
});
