import { InvalidArgumentError } from 'commander';
import { SEVERITIES, type Severity } from '../engine/types.js';
import { dateTimeFormat, isoSeconds } from '../snapshot/date-time.js';

/**
 * Collects a repeatable option; comma-separated values are split too (`--format text,sarif --format json`). A value
 * with nothing in it (`-f ""`, `--checks "$UNSET"`) is an error: taken as "no value", it would mean the default
 * (all checks, the text format) without a word.
 */
export function collectList(value: string, previous: string[] = []): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('it is empty: name at least one value');
  return [...previous, ...items];
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
  if (!DECIMAL.test(value) || n > 100)
    throw new InvalidArgumentError('use a number from 0 to 100 (write it in decimal, e.g. 80 or 72.5)');
  return n;
}

/** A number of days: a whole number of 1 or more (`--max-age`, `--max-waiver-days`). */
export function parseDays(value: string): number {
  const n = Number(value);
  if (!WHOLE.test(value) || n < 1) throw new InvalidArgumentError('use a whole number of days, 1 or more (e.g. 7)');
  return n;
}

/** MiB on the command line, bytes inside. */
export function parseSizeMiB(value: string): number {
  const n = Number(value);
  if (!DECIMAL.test(value) || n <= 0)
    throw new InvalidArgumentError('use a size in MiB greater than 0 (write it in decimal, e.g. 2048)');
  return Math.floor(n * 1024 * 1024);
}

/**
 * `--collected-at`, the one parser every command uses: an RFC 3339 date-time with a time zone that is a real
 * instant (no 2026-02-30, no 25:00), returned as a snapshot time (`isoSeconds`: UTC, whole seconds). Anything else is a usage error (exit 2)
 * before any work starts.
 */
export function parseCollectedAt(value: string): string {
  const text = value.trim();
  const validate = dateTimeFormat.validate as (s: string) => boolean;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || !validate(text) || !Number.isFinite(Date.parse(text))) {
    throw new InvalidArgumentError('use an ISO 8601 date-time with a time zone, e.g. 2026-11-01T09:00:00Z');
  }
  return isoSeconds(Date.parse(text));
}

/** A SARIF automation category: one stable name per analysis, since code scanning keys runs by it. */
export function parseSarifCategory(value: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value))
    throw new InvalidArgumentError('use letters, digits, ".", "_", "-" and inner "/" only (e.g. cloudward/prod)');
  return value;
}
