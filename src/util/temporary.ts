import { rmSync } from 'node:fs';

/**
 * Temporary files and folders this process has made and not yet put in place or removed: output files staged
 * beside their targets, snapshot spools. Process-wide by nature: a signal ends the whole process, whoever made them.
 */
const pending = new Set<string>();

/** Records a temporary file or folder to remove if the process ends first; the returned function forgets it. */
export function trackTemporary(path: string): () => void {
  pending.add(path);
  return () => {
    pending.delete(path);
  };
}

/** Removes every temporary file and folder still recorded (synchronously: it runs as the process ends). */
function removeTemporaries(): void {
  for (const path of pending) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Nothing more can be done as the process ends; the name says what it was (`.x.json.<hex>.tmp`).
    }
  }
  pending.clear();
}

/** The signals that end a run (Ctrl-C, a CI cancel, a closed terminal) and the exit code each conventionally gives. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Makes every way the process ends remove the temporary files: a normal end or an error (the `exit` event) and the
 * signals above, after which it exits with 128 + the signal's number, as a shell reports it. Called once, by the
 * command-line entry point (never by a library user or an in-process test run, whose signals are not ours).
 */
export function removeTemporariesOnExit(): void {
  process.once('exit', removeTemporaries);
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      removeTemporaries();
      process.stderr.write(
        `cloudward: interrupted by ${signal}; temporary files removed, nothing half-written left behind\n`,
      );
      process.exit(code);
    });
  }
}
