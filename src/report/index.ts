import { join } from 'node:path';
import { UserError } from '../errors.js';
import { debug } from '../util/debug.js';
import { checkOutputDir, checkOutputs, inChunks, writeOutputs, type OutputFile } from '../util/files.js';
import { safeText } from '../util/terminal.js';
import type { Formatter } from './formatter.js';
import { csvFormatter } from './csv.js';
import { htmlFormatter } from './html.js';
import { jsonFormatter } from './json.js';
import { junitFormatter } from './junit.js';
import { markdownFormatter } from './markdown.js';
import { ocsfFormatter } from './ocsf.js';
import { sarifFormatter } from './sarif.js';
import { textFormatter } from './text.js';

/** Every output format of an audit, by name. */
export const formatters: Formatter[] = [textFormatter, jsonFormatter, sarifFormatter, junitFormatter, markdownFormatter, htmlFormatter, ocsfFormatter, csvFormatter];

/** The formatter called `name` in `catalogue` (an audit's formats unless said otherwise). */
export function getFormatter(name: string): Formatter;
export function getFormatter<R>(name: string, catalogue: Array<Formatter<R>>): Formatter<R>;
export function getFormatter(name: string, catalogue: Array<Formatter<unknown>> = formatters as Array<Formatter<unknown>>): Formatter<unknown> {
  const formatter = catalogue.find((f) => f.name === name);
  if (!formatter) {
    throw new UserError(`unknown format "${name}"`, { where: '--format', hint: `use one of: ${catalogue.map((f) => f.name).join(', ')}` });
  }
  return formatter;
}

/** One output of a run: a format, and the file it goes to (none: stdout). */
export interface PlannedOutput<R> {
  formatter: Formatter<R>;
  path?: string;
}

/** Where a run's outputs go, decided before any work. */
export interface OutputPlan<R> {
  outputs: Array<PlannedOutput<R>>;
  outputDir?: string;
}

/**
 * Decides which formats go where: one format to stdout or to `--output FILE` (`-o -` is stdout), any number to
 * `--output-dir DIR` as `DIR/<basename>.<extension>`. Several formats need --output-dir.
 */
export function planOutputs<R>(catalogue: Array<Formatter<R>>, request: { formats: string[]; output?: string; outputDir?: string; basename: string }): OutputPlan<R> {
  const unique = [...new Set(request.formats)].map((name) => getFormatter(name, catalogue));
  const { output, outputDir } = request;
  if (output && outputDir) throw new UserError('--output and --output-dir cannot be used together', { hint: 'use --output FILE for one format, or --output-dir DIR for several' });
  if (outputDir) return { outputDir, outputs: unique.map((formatter) => ({ formatter, path: join(outputDir, `${request.basename}.${formatter.extension}`) })) };
  if (unique.length > 1) throw new UserError(`${unique.length} formats need --output-dir`, { where: '--format', hint: 'add --output-dir DIR, or name a single format' });
  return { outputs: [{ formatter: unique[0]!, ...(output && output !== '-' ? { path: output } : {}) }] };
}

/** An output file of the plan, with the flag that named it (for error messages). */
function target(plan: OutputPlan<unknown>, path: string): Omit<OutputFile, 'data'> {
  return plan.outputDir ? { path, flag: '--output-dir' } : { path, flag: '--output', createParent: false };
}

/** Refuses an output that cannot be written before the (possibly long) run, not after it. */
export async function checkPlannedOutputs(plan: OutputPlan<unknown>): Promise<void> {
  if (plan.outputDir) await checkOutputDir(plan.outputDir);
  await checkOutputs(plan.outputs.flatMap(({ path }) => (path ? [target(plan, path)] : [])));
}

/**
 * Renders and writes a run's outputs: every file (and `also`, such as detect's first-seen history) is written
 * atomically and all together or not at all, then the one stdout output. With --output-dir and not --quiet, the
 * `summary` (a text report) goes to the terminal and the files written are named on stderr.
 */
export async function writePlannedOutputs<R>(
  plan: OutputPlan<R>,
  options: { render: (formatter: Formatter<R>, path: string | undefined) => string | Iterable<string>; also?: OutputFile[]; quiet: boolean; summary: () => string },
): Promise<void> {
  const files: OutputFile[] = [];
  let stdout: string | Iterable<string> | undefined;
  for (const { formatter, path } of plan.outputs) {
    if (path) files.push({ ...target(plan, path), data: options.render(formatter, path) });
    else stdout = options.render(formatter, undefined);
  }
  files.push(...(options.also ?? []));
  await writeOutputs(files);
  debug(`wrote ${files.map((f) => f.path).join(', ') || 'stdout'}`);
  if (stdout !== undefined) {
    for (const chunk of typeof stdout === 'string' ? [stdout] : inChunks(stdout)) process.stdout.write(chunk);
  } else if (plan.outputDir && !options.quiet) {
    process.stdout.write(options.summary());
    process.stderr.write(`cloudward: wrote ${files.map((f) => safeText(f.path)).join(', ')}\n`);
  }
}
