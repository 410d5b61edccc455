import { InvalidArgumentError } from 'commander';
import { SEVERITIES, type Severity } from '../engine/types.js';

/** Collects a repeatable option; comma-separated values are split too (`--format text,sarif --format json`). */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function parseSeverityThreshold(value: string): Severity | 'none' {
  if (value === 'none' || (SEVERITIES as string[]).includes(value)) return value as Severity | 'none';
  throw new InvalidArgumentError(`use one of: ${[...SEVERITIES, 'none'].join(', ')}`);
}

/** Plain decimal notation only: `Number()` alone would also take "0x32", "1e2", " 5" or "". */
const DECIMAL = /^\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

export function parseScore(value: string): number {
  const n = Number(value);
  if (!DECIMAL.test(value) || n > 100) throw new InvalidArgumentError('use a number from 0 to 100 (write it in decimal, e.g. 80 or 72.5)');
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!WHOLE.test(value) || n < 1) throw new InvalidArgumentError('use a whole number of 1 or more');
  return n;
}

/** MiB on the command line, bytes inside. */
export function parseSizeMiB(value: string): number {
  const n = Number(value);
  if (!DECIMAL.test(value) || n <= 0) throw new InvalidArgumentError('use a size in MiB greater than 0 (write it in decimal, e.g. 2048)');
  return Math.floor(n * 1024 * 1024);
}
