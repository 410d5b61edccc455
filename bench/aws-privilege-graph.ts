/**
 * Privilege-graph benchmark: the AWS normalizer on one synthetic account of N principals (users, groups, roles in
 * the proportions of a large tenant, with wildcard AssumeRole, PassRole, credential-takeover and policy-edit grants
 * sprinkled in), timed as a whole and for the graph alone (built at normalize time, so audit time never pays it).
 *
 *   node --import tsx bench/aws-privilege-graph.ts                                  # 10k and 100k principals
 *   node --import tsx bench/aws-privilege-graph.ts --sizes 1000,10000 --runs 3      # median of 3 runs
 *   node --import tsx bench/aws-privilege-graph.ts --wildcards                      # plus iam:* and other `*` grants
 *
 * Runs the sources through tsx, as the other benches do. Prints a table and writes bench/out/aws-privilege-graph.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { accountBundle } from '../src/providers/aws/bundle.js';
import { normalizeAccount, normalizeAwsBundles } from '../src/providers/aws/normalize.js';
import { PrivilegeGraph } from '../src/providers/aws/privilege-graph.js';
import { Prng } from './prng.js';
import { cpuMs, median } from './cpu-time.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ACCOUNT = '555555555555';
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const doc = (...Statement: Array<Record<string, unknown>>) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: Record<string, unknown>) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/**
 * Team policies: most harmless, some with the grants escalation paths are made of. With `wildcards`, three more team
 * kinds of a loosely run account: `iam:*` on `*` (every member can make itself admin), `iam:Attach*Policy` on `*`
 * limited by `iam:PolicyARN` to a read-only policy beside `sts:AssumeRole` on `*` (delegated administration that
 * cannot reach admin by itself), and `iam:PassRole` on `*` with Lambda and EC2.
 */
function teamPolicy(i: number, wildcards = false): Record<string, unknown> {
  const base = allow(
    ['s3:Get*', 's3:List*', 'dynamodb:Query', 'logs:*'],
    [`arn:aws:s3:::team-${i}-*`, `arn:aws:dynamodb:*:${ACCOUNT}:table/team-${i}-*`],
  );
  switch (i % 10) {
    case 1:
      return doc(base, allow('sts:AssumeRole', '*'));
    case 2:
      return doc(
        base,
        allow('iam:PassRole', arn('role', `team-${i}-*`)),
        allow(['lambda:CreateFunction', 'lambda:InvokeFunction']),
      );
    case 3:
      return doc(base, allow('sts:AssumeRole', arn('role', `team-${i}-*`)));
    case 4:
      return doc(base, allow(['iam:CreateAccessKey', 'iam:UpdateLoginProfile'], arn('user', '${aws:username}')));
    case 5:
      return doc(base, allow('ssm:StartSession', '*', { StringEquals: { 'ssm:resourceTag/team': `team-${i}` } }));
    case 6:
      return doc(
        base,
        allow('iam:AttachRolePolicy', arn('role', `team-${i}-*`), {
          ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
        }),
      );
    case 7:
      return wildcards ? doc(base, allow('iam:*')) : doc(base);
    case 8:
      return wildcards
        ? doc(
            base,
            allow(['iam:AttachRolePolicy', 'iam:AttachUserPolicy', 'iam:AttachGroupPolicy'], '*', {
              ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
            }),
            allow('sts:AssumeRole'),
          )
        : doc(base);
    case 9:
      return wildcards ? doc(base, allow('iam:PassRole'), allow(['lambda:*', 'ec2:RunInstances'])) : doc(base);
    default:
      return doc(base);
  }
}

export function syntheticTenant(principals: number, seed = 7, wildcards = false): Record<string, unknown> {
  const random = new Prng(seed);
  const groupCount = Math.max(5, Math.round(principals * 0.01));
  const roleCount = Math.round(principals * 0.19);
  const userCount = principals - groupCount - roleCount;
  const policies: Array<Record<string, unknown>> = [
    {
      PolicyName: 'AdministratorAccess',
      Arn: ADMIN_ARN,
      DefaultVersionId: 'v1',
      AttachmentCount: 3,
      PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc(allow('*')) }],
    },
    {
      PolicyName: 'ReadOnlyAccess',
      Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      DefaultVersionId: 'v1',
      AttachmentCount: 3,
      PolicyVersionList: [
        { VersionId: 'v1', IsDefaultVersion: true, Document: doc(allow(['s3:Get*', 'iam:Get*', 'iam:List*'])) },
      ],
    },
  ];
  const groups = Array.from({ length: groupCount }, (_, i) => {
    policies.push({
      PolicyName: `team-${i}`,
      Arn: arn('policy', `team-${i}`),
      DefaultVersionId: 'v1',
      AttachmentCount: 1,
      PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: teamPolicy(i, wildcards) }],
    });
    return {
      GroupName: `team-${i}`,
      Arn: arn('group', `team-${i}`),
      GroupPolicyList: [],
      AttachedManagedPolicies: [{ PolicyName: `team-${i}`, PolicyArn: arn('policy', `team-${i}`) }],
    };
  });
  const users = Array.from({ length: userCount }, (_, i) => {
    const name = `user${i}`;
    const group = Math.floor(random.next() * groupCount);
    const inline =
      i % 40 === 0
        ? [
            {
              PolicyName: 'self',
              PolicyDocument: doc(allow(['iam:ChangePassword', 'iam:CreateAccessKey'], arn('user', name))),
            },
          ]
        : [];
    if (i % 5000 === 17)
      inline.push({ PolicyName: 'legacy', PolicyDocument: doc(allow('iam:CreateAccessKey', arn('user', '*'))) });
    return {
      UserName: name,
      Arn: arn('user', name),
      GroupList: [`team-${group}`],
      UserPolicyList: inline,
      AttachedManagedPolicies: i % 2000 === 0 ? [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN_ARN }] : [],
    };
  });
  const roles = Array.from({ length: roleCount }, (_, i) => {
    const team = i % groupCount;
    const kind = i % 6;
    const trust =
      kind === 0
        ? [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
              ...(i % 12 === 0 ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : {}),
            },
          ]
        : kind === 1
          ? [
              {
                Effect: 'Allow',
                Principal: { AWS: arn('user', `user${(i * 7) % userCount}`) },
                Action: 'sts:AssumeRole',
              },
            ]
          : [
              {
                Effect: 'Allow',
                Principal: {
                  Service: [
                    'lambda.amazonaws.com',
                    'ec2.amazonaws.com',
                    'ecs-tasks.amazonaws.com',
                    'glue.amazonaws.com',
                  ][kind - 2],
                },
                Action: 'sts:AssumeRole',
              },
            ];
    return {
      RoleName: `team-${team}-r${i}`,
      Arn: arn('role', `team-${team}-r${i}`),
      AssumeRolePolicyDocument: doc(...trust),
      RolePolicyList: [],
      AttachedManagedPolicies:
        i % 997 === 0
          ? [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN_ARN }]
          : [{ PolicyName: `team-${team}`, PolicyArn: arn('policy', `team-${team}`) }],
      InstanceProfileList: kind === 3 ? [{ InstanceProfileName: `p${i}` }] : [],
    };
  });
  return { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies: policies };
}

if (process.argv[1]?.endsWith('aws-privilege-graph.ts')) await main();
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000' },
      runs: { type: 'string', default: '1' },
      wildcards: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes!.split(',').map(Number);
  const runs = Number(values.runs);
  const results: Array<Record<string, number>> = [];
  for (const size of sizes) {
    const bundle = accountBundle(ACCOUNT, 'import', '2026-11-01T09:00:00Z', [
      {
        kind: 'aws.iam.GetAccountAuthorizationDetails',
        origin: 'bench',
        body: syntheticTenant(size, 7, values.wildcards),
      },
    ]);
    const normalizeMs: number[] = [];
    const graphMs: number[] = [];
    const graphCpuMs: number[] = [];
    const normalizeCpuMs: number[] = [];
    let facts: { nodes: number; edges: number; hubs: number } = { nodes: 0, edges: 0, hubs: 0 };
    let privileged = 0;
    let admins = 0;
    for (let run = 0; run < runs; run++) {
      global.gc?.();
      let started = performance.now();
      let cpu = process.cpuUsage();
      const part = normalizeAwsBundles([bundle]);
      normalizeMs.push(performance.now() - started);
      normalizeCpuMs.push(cpuMs(process.cpuUsage(cpu)));
      privileged = part.principals.filter((p) => p.privilege?.level === 'privileged').length;
      admins = part.principals.filter((p) => p.privilege?.level === 'admin').length;
      const account = normalizeAccount(bundle);
      started = performance.now();
      cpu = process.cpuUsage();
      const graph = new PrivilegeGraph(account.graph, account.managed);
      graph.paths();
      graphMs.push(performance.now() - started);
      graphCpuMs.push(cpuMs(process.cpuUsage(cpu)));
      facts = graph.size;
    }
    const row = {
      principals: size,
      nodes: facts.nodes,
      edges: facts.edges,
      hubs: facts.hubs,
      admins,
      privileged,
      normalizeMs: Math.round(median(normalizeMs)),
      normalizeCpuMs: Math.round(median(normalizeCpuMs)),
      graphMs: Math.round(median(graphMs)),
      graphCpuMs: Math.round(median(graphCpuMs)),
      graphCpuUsPerPrincipal: Math.round((median(graphCpuMs) * 1000) / size),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  if (results.length > 1) {
    const first = results[0]!;
    const last = results.at(-1)!;
    console.log(
      `graph CPU time x${(last.graphCpuMs! / first.graphCpuMs!).toFixed(1)} for x${(last.principals! / first.principals!).toFixed(0)} principals; normalize CPU x${(last.normalizeCpuMs! / first.normalizeCpuMs!).toFixed(1)}`,
    );
  }
  await mkdir(join(ROOT, 'bench', 'out'), { recursive: true });
  await writeFile(
    join(ROOT, 'bench', 'out', `aws-privilege-graph${values.wildcards ? '-wildcards' : ''}.json`),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}
