/** What the privilege-graph benchmarks share: CPU time of a run, and the median of several. */

/** User + system CPU time: steadier than wall time on a shared machine. */
export function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
