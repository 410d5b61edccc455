/** Entry point; the command set is wired in below. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`cloudward: not built yet (${argv.join(' ')})\n`);
  return 2;
}
