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
}

/** One output format: a pure function of the report. Large outputs may be produced as a stream of chunks. */
export interface Formatter {
  name: string;
  extension: string;
  description: string;
  render(report: Report, context: FormatContext): string | Iterable<string>;
}
