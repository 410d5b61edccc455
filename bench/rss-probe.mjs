// Preloaded into a measured child process (`node --import ./bench/rss-probe.mjs ...`): on exit, writes the
// process's peak resident set size and CPU time to the file named by BENCH_PROBE_OUT.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      out,
      JSON.stringify({
        maxRssBytes: usage.maxRSS * 1024,
        userMs: usage.userCPUTime / 1000,
        systemMs: usage.systemCPUTime / 1000,
      }),
    );
  });
}
