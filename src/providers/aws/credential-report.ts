/**
 * The IAM credential report: one CSV row per user (and one for the root user), with password, MFA, access-key and
 * signing-certificate state. Column names and special values follow the IAM User Guide ("Getting credential
 * reports"); booleans are compared case-insensitively because real exports use both TRUE and true.
 */
import { parse } from 'csv-parse/sync';
import { isoSeconds } from '../../snapshot/date-time.js';

/** The columns IAM documents, in order. Extra trailing columns (added by AWS later) are tolerated. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

type ColumnName = (typeof CREDENTIAL_REPORT_COLUMNS)[number];
/** Each column's index, and the columns of each key and certificate slot, looked up once rather than per row. */
const COLUMN = Object.fromEntries(CREDENTIAL_REPORT_COLUMNS.map((name, i) => [name, i])) as Record<ColumnName, number>;
const KEY_SLOTS = ([1, 2] as const).map((n) => ({
  slot: `access_key_${n}`,
  activeName: `access_key_${n}_active`,
  active: COLUMN[`access_key_${n}_active`],
  lastRotated: COLUMN[`access_key_${n}_last_rotated`],
  lastUsedDate: COLUMN[`access_key_${n}_last_used_date`],
  lastUsedService: COLUMN[`access_key_${n}_last_used_service`],
}));
const CERT_SLOTS = ([1, 2] as const).map((n) => ({
  slot: `cert_${n}`,
  activeName: `cert_${n}_active`,
  active: COLUMN[`cert_${n}_active`],
  lastRotated: COLUMN[`cert_${n}_last_rotated`],
}));

/** The `user` value of the root user's row. */
export const ROOT_USER_ROW = '<root_account>';

interface ReportAccessKey {
  /** `access_key_1` or `access_key_2`: the report's slot, never the key id. */
  slot: string;
  active: boolean;
  lastRotated: string | null;
  lastUsedDate: string | null;
  lastUsedService: string | null;
}

interface ReportCertificate {
  slot: string;
  active: boolean;
  lastRotated: string | null;
}

export interface CredentialReportRow {
  user: string;
  arn: string;
  isRoot: boolean;
  userCreationTime: string | null;
  /** null on the root row (`not_supported`). */
  passwordEnabled: boolean | null;
  passwordLastUsed: string | null;
  passwordLastChanged: string | null;
  mfaActive: boolean;
  /** Keys that exist (active, or inactive with a rotation date). */
  accessKeys: ReportAccessKey[];
  certificates: ReportCertificate[];
}

export class CredentialReportError extends Error {
  override readonly name = 'CredentialReportError';
}

const NO_VALUE = new Set(['n/a', 'no_information', 'not_supported', '']);

/** `2026-11-01T08:30:00+00:00` or `...Z`: the form IAM writes every report timestamp in. */
const UTC_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\+00:00|Z)$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A UTC timestamp already in the snapshot's form but for its offset, when it names a real second: then Date.parse
 * and toISOString would give back its first 19 characters. Anything else (a day past the month's end, which
 * Date.parse rolls over, hour 24, another offset or form) is left to them.
 */
export function utcSeconds(value: string): string | undefined {
  const m = UTC_SECONDS.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > MONTH_DAYS[month - 1]! + (month === 2 && leap ? 1 : 0))
    return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return undefined;
  return `${value.slice(0, 19)}Z`;
}

/** A report timestamp as ISO 8601 (seconds, UTC), or null for N/A, no_information, not_supported. */
export function reportDate(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new CredentialReportError(`${JSON.stringify(value)} is not a date`);
  const direct = utcSeconds(value);
  if (direct !== undefined) return direct;
  if (NO_VALUE.has(value.trim().toLowerCase())) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new CredentialReportError(`"${value}" is not a date`);
  return isoSeconds(time);
}

function reportBoolean(value: string | undefined, column: string): boolean | null {
  if (value === 'true') return true;
  if (value === 'false') return false;
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (NO_VALUE.has(v)) return null;
  throw new CredentialReportError(`column ${column} holds "${value}", expected true or false`);
}

function reportText(value: string | undefined): string | null {
  return value === undefined || NO_VALUE.has(value.trim().toLowerCase()) ? null : value;
}

/** Whether a text looks like a credential report (its header line), so import can recognise it by content. */
export function looksLikeCredentialReport(text: string): boolean {
  return /^\s*user,arn,user_creation_time,/.test(text);
}

/**
 * Records of CSV text that holds no quote: no field can then contain a comma or a line break, so splitting reads it
 * exactly as csv-parse would (same trimming, empty lines skipped, one record length), at a fraction of the cost on
 * reports of tens of thousands of users. Text with quotes goes to csv-parse.
 */
function unquotedRecords(text: string): string[][] {
  const records: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((cell) => cell.trim());
    if (records.length > 0 && cells.length !== records[0]!.length)
      throw new Error(
        `Invalid Record Length: expect ${records[0]!.length}, got ${cells.length} on line ${records.length + 1}`,
      );
    records.push(cells);
  }
  return records;
}

/** Parses the CSV text of a credential report; throws CredentialReportError naming the line on bad input. */
export function parseCredentialReport(text: string): CredentialReportRow[] {
  let records: string[][];
  try {
    records = text.includes('"')
      ? (parse(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][])
      : unquotedRecords(text);
  } catch (error) {
    throw new CredentialReportError(`malformed CSV: ${(error as Error).message}`);
  }
  const header = records[0];
  if (!header) throw new CredentialReportError('the report has no header line');
  const missing = CREDENTIAL_REPORT_COLUMNS.filter((c, i) => header[i] !== c);
  if (missing.length > 0) {
    throw new CredentialReportError(
      `line 1: unexpected header; expected the ${CREDENTIAL_REPORT_COLUMNS.length} IAM columns starting "${CREDENTIAL_REPORT_COLUMNS.slice(0, 4).join(',')}", first difference at column "${missing[0]}"`,
    );
  }
  return records.slice(1).map((record, index) => {
    const line = index + 2;
    try {
      const user = record[COLUMN.user] ?? '';
      const arn = record[COLUMN.arn] ?? '';
      if (!user || !arn.startsWith('arn:'))
        throw new CredentialReportError('the user or arn column is empty or not an ARN');
      const accessKeys: ReportAccessKey[] = [];
      for (const key of KEY_SLOTS) {
        const active = reportBoolean(record[key.active], key.activeName) ?? false;
        const lastRotated = reportDate(record[key.lastRotated]);
        if (!active && lastRotated === null) continue;
        accessKeys.push({
          slot: key.slot,
          active,
          lastRotated,
          lastUsedDate: reportDate(record[key.lastUsedDate]),
          lastUsedService: reportText(record[key.lastUsedService]),
        });
      }
      const certificates: ReportCertificate[] = [];
      for (const cert of CERT_SLOTS) {
        const active = reportBoolean(record[cert.active], cert.activeName) ?? false;
        const lastRotated = reportDate(record[cert.lastRotated]);
        if (active || lastRotated !== null) certificates.push({ slot: cert.slot, active, lastRotated });
      }
      return {
        user,
        arn,
        isRoot: user === ROOT_USER_ROW,
        userCreationTime: reportDate(record[COLUMN.user_creation_time]),
        passwordEnabled: reportBoolean(record[COLUMN.password_enabled], 'password_enabled'),
        passwordLastUsed: reportDate(record[COLUMN.password_last_used]),
        passwordLastChanged: reportDate(record[COLUMN.password_last_changed]),
        mfaActive: reportBoolean(record[COLUMN.mfa_active], 'mfa_active') ?? false,
        accessKeys,
        certificates,
      };
    } catch (error) {
      throw new CredentialReportError(`line ${line}: ${(error as Error).message}`);
    }
  });
}
