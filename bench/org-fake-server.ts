/**
 * The fake AWS server for bench/org-collect.ts, in its own process so the collector's memory is measured alone:
 * an organization of N accounts of U users each (synthesized on demand, never all in memory) spread over OUS OUs
 * below the root (an OU SCP on the first), a fixed latency per call and every Nth call throttled. Prints
 * `READY <endpoint>`; answers `stats` on stdin with a JSON line.
 *
 *   node --import tsx bench/org-fake-server.ts ACCOUNTS USERS LATENCY_MS THROTTLE_EVERY [OUS]
 */
import { createInterface } from 'node:readline';
import { startFakeAws, type FakeAccountData } from '../test/support/fake-aws.js';
import { syntheticAccount } from './aws-synthetic.js';

const [accounts = 1000, users = 50, latencyMs = 20, throttleEvery = 50, ous = 20] = process.argv.slice(2).map(Number);
const ids = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
const ouIds = Array.from({ length: ous }, (_, i) => `ou-root-bench${String(i).padStart(4, '0')}`);
// Member accounts round-robin over the OUs (the management account stays at the root); each OU sits below the root.
const parents: Record<string, { Id: string; Type: string }> = Object.fromEntries([
  ...ids
    .slice(1)
    .map((id, i) => [
      id,
      ous > 0 ? { Id: ouIds[i % ous]!, Type: 'ORGANIZATIONAL_UNIT' } : { Id: 'r-root', Type: 'ROOT' },
    ]),
  ...ouIds.map((id) => [id, { Id: 'r-root', Type: 'ROOT' }]),
]);
const known = new Set(ids);
const recent = new Map<string, FakeAccountData>();

/** Account data made when asked for, keeping only the last few (accounts are read once each). */
const data = new Proxy({} as Record<string, FakeAccountData>, {
  get(_target, id) {
    if (typeof id !== 'string' || !known.has(id)) return undefined;
    let account = recent.get(id);
    if (!account) {
      account = syntheticAccount(id, users);
      recent.set(id, account);
      if (recent.size > 256) recent.delete(recent.keys().next().value!);
    }
    return account;
  },
  has: (_target, id) => typeof id === 'string' && known.has(id),
});

const root = {
  TargetId: 'r-root',
  Arn: `arn:aws:organizations::${ids[0]}:root/o-bench/r-root`,
  Name: 'Root',
  Type: 'ROOT',
};
const fake = await startFakeAws({
  callerAccount: ids[0]!,
  accounts: data,
  organization: {
    accounts: ids.map((Id, i) => ({ Id, Name: `account-${i}` })),
    parents,
    scps: [
      {
        summary: {
          Id: 'p-FullAWSAccess',
          Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
          Name: 'FullAWSAccess',
          Type: 'SERVICE_CONTROL_POLICY',
          AwsManaged: true,
        },
        content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
        targets: [
          root,
          ...ouIds.map((id) => ({
            TargetId: id,
            Arn: `arn:aws:organizations::${ids[0]}:ou/o-bench/${id}`,
            Name: id,
            Type: 'ORGANIZATIONAL_UNIT',
          })),
        ],
      },
      {
        summary: {
          Id: 'p-denyshell',
          Arn: `arn:aws:organizations::${ids[0]}:policy/o-bench/service_control_policy/p-denyshell`,
          Name: 'DenyCloudShell',
          Type: 'SERVICE_CONTROL_POLICY',
          AwsManaged: false,
        },
        content: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'cloudshell:*', Resource: '*' }],
        }),
        targets: [root],
      },
      ...(ous > 0
        ? [
            {
              summary: {
                Id: 'p-denyiam',
                Arn: `arn:aws:organizations::${ids[0]}:policy/o-bench/service_control_policy/p-denyiam`,
                Name: 'DenyIam',
                Type: 'SERVICE_CONTROL_POLICY',
                AwsManaged: false,
              },
              content: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
              }),
              targets: [
                {
                  TargetId: ouIds[0]!,
                  Arn: `arn:aws:organizations::${ids[0]}:ou/o-bench/${ouIds[0]!}`,
                  Name: ouIds[0]!,
                  Type: 'ORGANIZATIONAL_UNIT',
                },
              ],
            },
          ]
        : []),
    ],
  },
  reportReadyAfter: 0,
  latencyMs,
  throttleEvery,
});

process.stdout.write(`READY ${fake.endpoint}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const byAction: Record<string, number> = {};
  for (const call of fake.calls) byAction[call.action] = (byAction[call.action] ?? 0) + 1;
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({ calls: fake.calls.length, byAction, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
  );
  fake.calls.length = 0;
});
lines.on('close', () => {
  void fake.close().then(() => process.exit(0));
});
