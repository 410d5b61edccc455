/**
 * Organization-scale collection: `cloudward collect aws --org-role` against a fake organization of up to 1,000
 * member accounts (50 users each, spread over 20 OUs) answering every call after a fixed latency and throttling every Nth call. Reports
 * wall time against the lower bound (calls x latency / concurrency), calls per account and the collector's peak RSS
 * at several organization sizes (it must not grow with the accounts: they are spooled to disk as they are read).
 *
 *   npm run build && node --import tsx bench/org-collect.ts [--accounts 250,500,1000] [--concurrency 32]
 *        [--latency 20] [--throttle-every 50] [--users 50] [--ous 20]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '250,500,1000' },
    concurrency: { type: 'string', default: '32' },
    latency: { type: 'string', default: '20' },
    'throttle-every': { type: 'string', default: '50' },
    users: { type: 'string', default: '50' },
    ous: { type: 'string', default: '20' },
  },
});
const sizes = values.accounts.split(',').map(Number);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values.latency);
const throttleEvery = Number(values['throttle-every']);
const users = Number(values.users);
const ous = Number(values.ous);

interface Server {
  endpoint: string;
  stats(): Promise<{ calls: number; byAction: Record<string, number>; cpuMs: number }>;
  close(): void;
}

async function startServer(accounts: number): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'org-fake-server.ts'),
      String(accounts),
      String(users),
      String(latencyMs),
      String(throttleEvery),
      String(ous),
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const ready = await next();
  const endpoint = /^READY (\S+)/.exec(ready)?.[1];
  if (!endpoint) throw new Error(`the fake server said: ${ready}`);
  return {
    endpoint,
    stats: async () => {
      const answer = next();
      child.stdin.write('stats\n');
      return JSON.parse(await answer) as { calls: number; byAction: Record<string, number>; cpuMs: number };
    },
    close: () => child.stdin.end(),
  };
}

/** Runs the built CLI in a child and reads its own wall time and peak RSS (getrusage) from stderr. */
const CHILD = `
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { main } from ${JSON.stringify(join(ROOT, 'dist', 'cli', 'main.js'))};
// The live set: heap in use right after each major GC (observed, never forced), the largest seen.
let liveKiB = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) liveKiB = Math.max(liveKiB, process.memoryUsage().heapUsed / 1024);
}).observe({ entryTypes: ['gc'] });
const started = performance.now();
const code = await main(process.argv.slice(1));
const usage = process.resourceUsage();
process.stderr.write('\\nBENCH ' + JSON.stringify({ code, wallMs: performance.now() - started, maxRssKiB: usage.maxRSS, liveKiB, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }) + '\\n');
process.exitCode = code;
`;

async function collect(
  endpoint: string,
  out: string,
): Promise<{ code: number; wallMs: number; maxRssKiB: number; liveKiB: number; cpuMs: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudward-org-bench-'));
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
  };
  delete (env as Record<string, string | undefined>).AWS_PROFILE;
  const args = [
    'collect',
    'aws',
    '--endpoint-url',
    endpoint,
    '--org-role',
    'CloudwardAudit',
    '--concurrency',
    String(concurrency),
    '--output',
    out,
    '--quiet',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, '--', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => {
      void rm(dir, { recursive: true, force: true });
      const line = /BENCH (\{.*\})/.exec(stderr)?.[1];
      if (!line) return reject(new Error(`no result from the collector: ${stderr.slice(-2000)}`));
      resolve({
        ...(JSON.parse(line) as { code: number; wallMs: number; maxRssKiB: number; liveKiB: number; cpuMs: number }),
        stderr,
      });
    });
  });
}

interface Row {
  accounts: number;
  calls: number;
  callsPerAccount: number;
  throttled: number;
  lowerBoundS: number;
  wallS: number;
  ratio: number;
  peakRssMiB: number;
  liveHeapMiB: number;
  cpuS: number;
  serverCpuS: number;
  snapshotMiB: number;
  byAction: Record<string, number>;
}

const rows: Row[] = [];
const outDir = await mkdtemp(join(tmpdir(), 'cloudward-org-out-'));
try {
  for (const accounts of sizes) {
    const server = await startServer(accounts);
    try {
      const out = join(outDir, `org-${accounts}.json`);
      const run = await collect(server.endpoint, out);
      if (run.code !== 0) throw new Error(`collect exited ${run.code}: ${run.stderr.slice(-2000)}`);
      const stats = await server.stats();
      const throttled = Math.floor(stats.calls / throttleEvery);
      const lowerBoundS = (stats.calls * latencyMs) / concurrency / 1000;
      rows.push({
        accounts,
        calls: stats.calls,
        callsPerAccount: Math.round((stats.calls / accounts) * 100) / 100,
        throttled,
        lowerBoundS: Math.round(lowerBoundS * 100) / 100,
        wallS: Math.round(run.wallMs / 10) / 100,
        ratio: Math.round((run.wallMs / 1000 / lowerBoundS) * 100) / 100,
        peakRssMiB: Math.round(run.maxRssKiB / 1024),
        liveHeapMiB: Math.round(run.liveKiB / 1024),
        cpuS: Math.round(run.cpuMs / 100) / 10,
        serverCpuS: Math.round(stats.cpuMs / 100) / 10,
        snapshotMiB: Math.round(((await stat(out)).size / 1024 / 1024) * 10) / 10,
        byAction: stats.byAction,
      });
      await rm(out, { force: true });
      const r = rows.at(-1)!;
      process.stderr.write(
        `${accounts} accounts: ${r.calls} calls, ${r.wallS} s (bound ${r.lowerBoundS} s, x${r.ratio}), CPU ${r.cpuS} s (fake server ${r.serverCpuS} s), peak RSS ${r.peakRssMiB} MiB, live heap ${r.liveHeapMiB} MiB\n`,
      );
    } finally {
      server.close();
    }
  }
} finally {
  await rm(outDir, { recursive: true, force: true });
}

const line = (cells: Array<string | number>) => cells.map((c, i) => String(c).padStart(i === 0 ? 8 : 11)).join(' ');
process.stdout.write(
  `users/account ${users}, ${ous} OUs, latency ${latencyMs} ms/call, every ${throttleEvery}th call throttled, --concurrency ${concurrency}\n\n`,
);
process.stdout.write(
  `${line(['accounts', 'calls', 'calls/acct', 'throttled', 'bound s', 'wall s', 'wall/bound', 'CPU s', 'fake CPU s', 'peak RSS', 'live heap', 'snapshot'])}\n`,
);
for (const r of rows)
  process.stdout.write(
    `${line([r.accounts, r.calls, r.callsPerAccount, r.throttled, r.lowerBoundS, r.wallS, `${r.ratio}x`, r.cpuS, r.serverCpuS, `${r.peakRssMiB} MiB`, `${r.liveHeapMiB} MiB`, `${r.snapshotMiB} MiB`])}\n`,
  );
process.stdout.write(
  `\ncalls by action (${rows.at(-1)?.accounts} accounts): ${Object.entries(rows.at(-1)?.byAction ?? {})
    .map(([a, n]) => `${a} ${n}`)
    .join(', ')}\n`,
);
const outputs = new URL('./out/', import.meta.url);
await mkdir(outputs, { recursive: true });
await writeFile(
  new URL('org-collect.json', outputs),
  `${JSON.stringify({ node: process.version, date: new Date().toISOString(), users, latencyMs, throttleEvery, concurrency, rows }, null, 2)}\n`,
);
process.stdout.write('\nwritten to bench/out/org-collect.json\n');
