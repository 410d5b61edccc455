import { safeText } from '../util/terminal.js';
import type { Progress } from '../providers/types.js';

/**
 * Progress on stderr: a single rewritten line on a TTY, plain lines when stderr is not a TTY (CI logs) unless
 * `ttyOnly` (for short steps whose end result says enough), nothing with --quiet. stdout stays for the requested output.
 */
export function createProgress(options: {
  quiet: boolean;
  stream?: NodeJS.WriteStream;
  ttyOnly?: boolean;
}): Progress & { done(): void } {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let live = false;
  const clear = () => {
    if (live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    status(line) {
      if (options.quiet) return;
      if (tty) {
        clear();
        stream.write(safeText(line).slice(0, (stream.columns ?? 100) - 1));
        live = true;
      } else if (!options.ttyOnly) {
        stream.write(`${safeText(line)}\n`);
      }
    },
    warn(line) {
      clear();
      stream.write(`cloudward: warning: ${safeText(line)}\n`);
    },
    done() {
      clear();
    },
  };
}

/** Colour only on a TTY, never with NO_COLOR (any value) or --no-color; FORCE_COLOR forces it. */
export function colorEnabled(stream: NodeJS.WriteStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}
