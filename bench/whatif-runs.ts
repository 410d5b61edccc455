/**
 * What the what-if benchmarks share: running the built CLI under the resource probe, and the interleaved runs of a
 * plain audit and a what-if audit of the same tenant, with their wall-clock and CPU ratios.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PROBE = join(ROOT, 'bench', 'rss-probe.mjs');

/** A number given as `--name N` on the command line, or the fallback. */
export function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

export interface ProbedRun {
  ms: number;
  cpuMs: number;
  rssMiB: number;
  code: number;
  stderr: string;
}

/** Runs `cloudward ARGS` of the checkout at `root`, measuring wall clock, CPU time (every thread) and peak RSS. */
export function probedCli(args: string[], out: string, root = ROOT): ProbedRun {
  const probe = join(out, 'probe.json');
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--import', PROBE, join(root, 'bin', 'cloudward.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, BENCH_PROBE_OUT: probe },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const usage = JSON.parse(readFileSync(probe, 'utf8')) as { maxRssBytes: number; userMs: number; systemMs: number };
  return {
    ms,
    cpuMs: usage.userMs + usage.systemMs,
    rssMiB: usage.maxRssBytes / 1024 / 1024,
    code: run.status ?? -1,
    stderr: run.stderr,
  };
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/**
 * `runs` rounds of a plain text audit of `tenant` and the what-if audit of `plan` over it, interleaved (with
 * `against`, the what-if run of that other built checkout too); prints a line per round and writes the rows with
 * `facts` to `result`.
 */
export async function compareWhatIf(input: {
  tenant: string;
  plan: string;
  raw: string;
  out: string;
  runs: number;
  result: string;
  facts: Record<string, unknown>;
  against?: string;
}): Promise<void> {
  const { tenant, plan, raw, out, against } = input;
  const whatifArgs = (output: string) => [
    'audit',
    tenant,
    '--plan',
    plan,
    '--raw',
    raw,
    '--format',
    'text',
    '--output',
    join(out, output),
    '--fail-on',
    'none',
  ];
  const rows = [];
  for (let r = 1; r <= input.runs; r++) {
    const plain = probedCli(
      ['audit', tenant, '--format', 'text', '--output', join(out, 'plain.txt'), '--fail-on', 'none'],
      out,
    );
    const whatif = probedCli(whatifArgs('whatif.txt'), out);
    if (plain.code !== 0 || whatif.code !== 0) throw new Error(`audit failed: ${plain.stderr}\n${whatif.stderr}`);
    const row = {
      run: r,
      plainMs: Math.round(plain.ms),
      whatifMs: Math.round(whatif.ms),
      plainCpuMs: Math.round(plain.cpuMs),
      whatifCpuMs: Math.round(whatif.cpuMs),
      plainRssMiB: Math.round(plain.rssMiB),
      whatifRssMiB: Math.round(whatif.rssMiB),
      ratio: ratio(whatif.ms, plain.ms),
      cpuRatio: ratio(whatif.cpuMs, plain.cpuMs),
    };
    rows.push(row);
    process.stdout.write(
      `run ${r}: wall ${row.plainMs} ms plain, ${row.whatifMs} ms what-if (x${row.ratio}); CPU ${row.plainCpuMs} / ${row.whatifCpuMs} ms (x${row.cpuRatio}); peak RSS ${row.plainRssMiB} / ${row.whatifRssMiB} MiB\n`,
    );
    if (against) {
      const other = probedCli(whatifArgs('whatif-against.txt'), out, against);
      if (other.code !== 0) throw new Error(`audit failed in ${against}: ${other.stderr}`);
      process.stdout.write(
        `run ${r}: what-if of ${against}: CPU ${Math.round(other.cpuMs)} ms (x${ratio(other.cpuMs, plain.cpuMs)}); peak RSS ${Math.round(other.rssMiB)} MiB\n`,
      );
    }
  }
  await writeFile(
    input.result,
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), ...input.facts, rows }, null, 2)}\n`,
  );
}
