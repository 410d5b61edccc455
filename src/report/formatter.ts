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
  render(report: R, context: FormatContext): string | Iterable<string>;
}

/** What `formatter` needs, its declared needs or all of them. */
export function needsOf<R>(formatter: Formatter<R>): FormatterNeeds {
  return formatter.needs ?? ALL_NEEDS;
}
