/**
 * AWS collection cost: API calls and wall time for a 50-user and a 5,000-user account, collected through the real SDK
 * clients from the local fake server. The design's claim is O(pages), not O(users): the call count may grow with
 * pages of 1,000 entities, never per user.
 *
 *   node --import tsx bench/aws-collect.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { awsProvider } from '../src/providers/aws/index.js';
import { assembleSnapshot } from '../src/snapshot/load.js';
import { startFakeAws } from '../test/support/fake-aws.js';
import { syntheticAccount } from './aws-synthetic.js';

const ACCOUNT = '123456789012';
const SIZES = [50, 5000];

interface Row {
  users: number;
  apiCalls: number;
  callsByAction: Record<string, number>;
  collectMs: number;
  normalizeMs: number;
  principals: number;
}

async function measure(users: number): Promise<Row> {
  const fake = await startFakeAws({
    callerAccount: ACCOUNT,
    accounts: { [ACCOUNT]: syntheticAccount(ACCOUNT, users) },
    reportReadyAfter: 1,
  });
  try {
    const started = performance.now();
    const bundles = await awsProvider.collect!({
      options: { endpointUrl: fake.endpoint },
      hooks: {
        credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
        polling: { initialDelayMs: 50, maxDelayMs: 200, timeoutMs: 10_000 },
      },
      progress: { status: () => undefined, warn: (line) => process.stderr.write(`${line}\n`) },
    });
    const collectMs = performance.now() - started;
    const normalizeStarted = performance.now();
    const part = awsProvider.normalize(bundles);
    const normalizeMs = performance.now() - normalizeStarted;
    // Validation and digest are the snapshot's cost, not the provider's; assembled only to count what came out.
    const snapshot = assembleSnapshot([part], bundles[0]!.collectedAt);
    const callsByAction: Record<string, number> = {};
    for (const call of fake.calls) callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
    return {
      users,
      apiCalls: fake.calls.length,
      callsByAction,
      collectMs: Math.round(collectMs),
      normalizeMs: Math.round(normalizeMs),
      principals: snapshot.principals.length,
    };
  } finally {
    await fake.close();
  }
}

const rows: Row[] = [];
for (const users of SIZES) rows.push(await measure(users));

const line = (cells: Array<string | number>) => cells.map((c, i) => String(c).padStart(i === 0 ? 7 : 12)).join(' ');
process.stdout.write(`${line(['users', 'API calls', 'collect ms', 'normalize ms', 'principals'])}\n`);
for (const r of rows)
  process.stdout.write(`${line([r.users, r.apiCalls, r.collectMs, r.normalizeMs, r.principals])}\n`);
process.stdout.write('\ncalls by action:\n');
for (const r of rows)
  process.stdout.write(
    `  ${r.users} users: ${Object.entries(r.callsByAction)
      .map(([a, n]) => `${a} ${n}`)
      .join(', ')}\n`,
  );

const out = new URL('./out/', import.meta.url);
await mkdir(out, { recursive: true });
await writeFile(
  new URL('aws-collect.json', out),
  `${JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
process.stdout.write(`\nwritten to bench/out/aws-collect.json\n`);
