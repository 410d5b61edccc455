import { join } from 'node:path';
import { UserError } from '../errors.js';
import { debug } from '../util/debug.js';
import { checkOutputDir, checkOutputs, inChunks, writeOutputs, type OutputFile } from '../util/files.js';
import { safeText } from '../util/terminal.js';
import type { LineIndexes } from './locations.js';
import type { Report } from './model.js';

export interface FormatContext {
  /** ANSI colour allowed (a TTY and no NO_COLOR). */
  color: boolean;
  verbose: boolean;
  /** Only failing results (and the scorecard) in human formats. */
  quiet: boolean;
  /** Where the output will be written, for formats that make paths relative to it. */
  outputPath?: string;
  /** SARIF automation category (one per analysis). */
  sarifCategory?: string;
  /** Tells the user about output that had to be cut (limits of the target); the CLI prints it on stderr. */
  warn?: (message: string) => void;
  /** The show filters in effect (--severity/--status), said in human formats so a trimmed list is not taken for all. */
  filter?: string;
  /** The snapshot files' line indexes, when loading made them (formats that point into the snapshot use them). */
  lineIndexes?: LineIndexes;
}

/**
 * What a format shows, so that a run makes only what its outputs use (at 100k principals an evidence summary per pass
 * and a hash per result are not free). A formatter that says nothing is given everything.
 */
export interface FormatterNeeds {
  /** Shows the evidence of passing results (and so every result's evidence, whatever --verbose says). */
  passEvidence: boolean;
  /** Shows each result's fingerprint. */
  fingerprints: boolean;
  /** Lists only the results the show filters (--severity/--status) keep: a view for people, not the record. */
  filters: boolean;
  /** Points findings at snapshot lines: loading then indexes the files' lines (see FormatContext.lineIndexes). */
  snapshotLines?: boolean;
}

/** A formatter that declares no needs: it may show anything, and lists every result. */
export const ALL_NEEDS: FormatterNeeds = { passEvidence: true, fingerprints: true, filters: false };

/**
 * One output format: a pure function of a report (an audit's `Report` unless said otherwise, or a detection run's).
 * Large outputs may be produced as a stream of chunks.
 */
export interface Formatter<R = Report> {
  name: string;
  extension: string;
  description: string;
  needs?: FormatterNeeds;
  /** Loads what rendering needs and only this format does (awaited before any output is rendered). */
  prepare?(): Promise<void>;
  render(report: R, context: FormatContext): string | Iterable<string>;
}

/** What `formatter` needs, its declared needs or all of them. */
export function needsOf<R>(formatter: Formatter<R>): FormatterNeeds {
  return formatter.needs ?? ALL_NEEDS;
}

/** The formatter called `name` in `catalogue`; an unknown name is a usage error listing the known ones. */
export function findFormatter<R>(name: string, catalogue: Array<Formatter<R>>): Formatter<R> {
  const formatter = catalogue.find((f) => f.name === name);
  if (!formatter) {
    throw new UserError(`unknown format "${name}"`, {
      where: '--format',
      hint: `use one of: ${catalogue.map((f) => f.name).join(', ')}`,
    });
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
export function planOutputs<R>(
  catalogue: Array<Formatter<R>>,
  request: { formats: string[]; output?: string; outputDir?: string; basename: string },
): OutputPlan<R> {
  const unique = [...new Set(request.formats)].map((name) => findFormatter(name, catalogue));
  const { output, outputDir } = request;
  if (output && outputDir)
    throw new UserError('--output and --output-dir cannot be used together', {
      hint: 'use --output FILE for one format, or --output-dir DIR for several',
    });
  if (outputDir)
    return {
      outputDir,
      outputs: unique.map((formatter) => ({
        formatter,
        path: join(outputDir, `${request.basename}.${formatter.extension}`),
      })),
    };
  if (unique.length > 1)
    throw new UserError(`${unique.length} formats need --output-dir`, {
      where: '--format',
      hint: 'add --output-dir DIR, or name a single format',
    });
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
  options: {
    render: (formatter: Formatter<R>, path: string | undefined) => string | Iterable<string>;
    also?: OutputFile[];
    quiet: boolean;
    summary: () => string;
  },
): Promise<void> {
  const files: OutputFile[] = [];
  let stdout: string | Iterable<string> | undefined;
  for (const { formatter } of plan.outputs) await formatter.prepare?.();
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
