/**
 * Runs a Node process with bench/rss-probe.mjs preloaded and returns its wall time, its own CPU time (user + system,
 * start-up included) and peak RSS. Exit code 1 counts as a result (detect's "findings" exit).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));

export interface Measured {
  seconds: number;
  /** User plus system CPU time: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  maxRssMiB: number;
  stdout: string;
}

export async function measure(args: string[]): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-probe-'));
  const probe = join(dir, 'probe.json');
  const started = process.hrtime.bigint();
  let stdout = '';
  try {
    stdout = execFileSync(process.execPath, ['--import', PROBE, ...args], {
      env: { ...process.env, BENCH_PROBE_OUT: probe },
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    const e = error as { status?: number; stdout?: string };
    if (e.status !== 1) throw error;
    stdout = e.stdout ?? '';
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = JSON.parse(await readFile(probe, 'utf8')) as { maxRssBytes: number; userMs: number; systemMs: number };
  await rm(dir, { recursive: true, force: true });
  return {
    seconds,
    cpuSeconds: (usage.userMs + usage.systemMs) / 1000,
    maxRssMiB: usage.maxRssBytes / 1024 / 1024,
    stdout,
  };
}
