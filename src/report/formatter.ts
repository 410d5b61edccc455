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

/** One output format: a pure function of the report. Large outputs may be produced as a stream of chunks. */
export interface Formatter {
  name: string;
  extension: string;
  description: string;
  /** Points findings at snapshot lines: loading then indexes the files' lines (see FormatContext.lineIndexes). */
  locatesInSnapshot?: boolean;
  render(report: Report, context: FormatContext): string | Iterable<string>;
}
